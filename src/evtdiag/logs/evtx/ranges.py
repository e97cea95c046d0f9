"""Read an .evtx file by ranges of chunk slots, each through its own memory-map window.

The unit of work is a *range* of :data:`RANGE_CHUNKS` chunk slots (16 MiB). A range is
read through its own memory map window, closed afterwards, so memory does not grow
with the file. Within a range:

* candidate chunks (those that may hold a wanted provider) are found with one search
  per provider name over the whole window (:mod:`.prefilter`), instead of folding the
  case of every chunk;
* a chunk that is not a candidate and passes every check (magic, both CRCs, framing
  with no slack bytes) is only counted, straight from the map, without a copy;
* everything else goes through :func:`~.chunk.read_chunk`, which reports damage, so
  results are those of the plain chunk-by-chunk reader by construction.

:func:`read_evtx` reads the ranges one after the other; :mod:`evtdiag.logs.pool`
hands them to worker processes and merges them with :func:`evtx_coverage`.
"""

from __future__ import annotations

import mmap
import os
import zlib
from collections.abc import Iterable

from evtdiag.logs.digest import BackgroundSha256
from evtdiag.logs.evtx.binxml import filetime_to_datetime
from evtdiag.logs.evtx.chunk import Tally, read_chunk
from evtdiag.logs.evtx.layout import (
    CHUNK_HEADER,
    CHUNK_HEADER_SIZE,
    CHUNK_MAGIC,
    CHUNK_SIZE,
    FILE_HEADER_SIZE,
    MIN_RECORD_SIZE,
    RECORD_HEADER,
    RECORD_HEADER_SIZE,
    RECORD_MAGIC,
    SIZE_COPY,
    chunk_header_crc,
    read_file_header,
)
from evtdiag.logs.evtx.prefilter import candidate_chunks
from evtdiag.logs.evtx.record_xml import EvtxXmlMaker
from evtdiag.logs.providers import ProviderMatcher
from evtdiag.logs.sources import ReadContext, Result, Source
from evtdiag.model import InputCoverage

RANGE_CHUNKS = 256
"""Chunk slots per unit of work (16 MiB): large enough to amortise a task, small
enough to balance two workers on a single file and keep each map window small."""


def slot_count(size: int) -> int:
    """How many 64 KiB chunk slots follow the file header (the last may be partial)."""
    return max(0, -(-(size - FILE_HEADER_SIZE) // CHUNK_SIZE))


def ranges(size: int, per_range: int = RANGE_CHUNKS) -> list[tuple[int, int]]:
    """The (first, stop) slot ranges of a file of ``size`` bytes."""
    slots = slot_count(size)
    return [(first, min(first + per_range, slots)) for first in range(0, slots, per_range)]


def range_end(size: int, stop: int) -> int:
    """The file offset where slot ``stop`` begins, or the file's end (for progress)."""
    return min(size, FILE_HEADER_SIZE + stop * CHUNK_SIZE)


def read_range(
    path: str,
    first: int,
    stop: int,
    matcher: ProviderMatcher,
    *,
    label: str | None = None,
    identify: bool = False,
    carve: bool = False,
) -> Tally:
    """Read chunk slots ``first`` up to ``stop`` of the .evtx file at ``path``.

    :param label: the name places are given (``path`` when None).
    :param identify: learn the log's computer name from the first record that can
        be decoded, as :func:`read_evtx` does.
    :param carve: read stale records in chunk slack too (every chunk then goes through
        :func:`read_chunk`).
    """
    # A record's XML is rendered again from the file when it is shown, unless the file
    # is a temporary copy (an archive member, standard input), named otherwise.
    xml_from = EvtxXmlMaker(os.path.abspath(path), path) if label in (None, path) else None
    label = label or path
    result = Tally()
    start = FILE_HEADER_SIZE + first * CHUNK_SIZE
    with open(path, "rb") as handle:
        end = range_end(os.fstat(handle.fileno()).st_size, stop)
        if end <= start:
            return result
        aligned = start - start % mmap.ALLOCATIONGRANULARITY
        window = mmap.mmap(handle.fileno(), end - aligned, offset=aligned, access=mmap.ACCESS_READ)
    try:
        view = memoryview(window)
        try:
            delta = start - aligned
            full = min(stop - first, (end - start) // CHUNK_SIZE)
            candidates = candidate_chunks(matcher, window, delta, full)
            for slot in range(first, stop):
                at = delta + (slot - first) * CHUNK_SIZE
                if at >= len(window):
                    break
                identifying = identify and result.computer is None
                candidate = None if candidates is None else slot - first in candidates
                chunk = None
                if slot - first < full and not identifying and candidate is False and not carve:
                    chunk = _count_clean_chunk(window, view, at)
                if chunk is None:
                    chunk = read_chunk(
                        bytes(view[at : at + CHUNK_SIZE]),
                        path=label,
                        index=slot,
                        wanted=matcher,
                        identify=identifying,
                        candidate=candidate if slot - first < full and not identifying else None,
                        carve=carve,
                        xml_from=xml_from,
                    )
                result.add(chunk)
        finally:
            view.release()
    finally:
        window.close()
    return result


def _count_clean_chunk(buf: mmap.mmap, view: memoryview, at: int) -> Tally | None:
    """Count the records of a chunk that is perfectly sound, without copying it.

    Returns None as soon as anything is unusual (bad magic or CRC, a damaged or
    unverified frame, bytes after the last record): :func:`read_chunk` then reads the
    chunk and describes the damage.

    Every frame is walked even when both CRCs hold: the time span is the min and max of
    every record's written time, and records are not always in time order (of the 698
    clean corpus chunks with a time, 121 have their earliest or latest record elsewhere
    than first or last, which would change the span of 92 of the 307 files). The record
    count then costs nothing more, and the header's record numbers are not trusted.
    """
    header = CHUNK_HEADER.read(buf, at)
    if header.magic != CHUNK_MAGIC or chunk_header_crc(view, at) != header.header_checksum:
        return None
    free_space = header.free_space
    if not CHUNK_HEADER_SIZE <= free_space <= CHUNK_SIZE:
        return None
    limit = at + free_space
    if zlib.crc32(view[at + CHUNK_HEADER_SIZE : limit]) != header.data_checksum:
        return None
    if header.last_record_offset >= free_space:  # a record named in the slack: report it
        return None
    unpack = RECORD_HEADER.struct.unpack_from
    size_copy = SIZE_COPY.unpack_from
    pos = at + CHUNK_HEADER_SIZE
    count = 0
    low = high = 0
    while pos + RECORD_HEADER_SIZE <= limit:
        magic, size, _, written = unpack(buf, pos)
        if magic != RECORD_MAGIC or size < MIN_RECORD_SIZE or pos + size > limit:
            if view[pos:limit].tobytes().strip(b"\x00"):
                return None  # not padding: let read_chunk resynchronise and report
            break
        if size_copy(buf, pos + size - 4)[0] != size:
            return None
        count += 1
        if written:
            if not low or written < low:
                low = written
            if written > high:
                high = written
        pos += size
    result = Tally(records=count)
    if high:
        result.first_time = filetime_to_datetime(low)
        result.last_time = filetime_to_datetime(high)
    return result


def evtx_coverage(source: Source, digest: str, tallies: Iterable[Tally]) -> Result:
    """Merge the range tallies of one file, in slot order, into its coverage."""
    header = read_file_header(source.head[:FILE_HEADER_SIZE])
    whole = Tally()
    for tally in tallies:
        whole.add(tally)
    computers = {computer for computer in whole.events.field_of_each("computer") if computer}
    if whole.computer:
        computers.add(whole.computer)
    return InputCoverage(
        path=source.label,
        sha256=digest,
        format="evtx",
        size=source.size,
        records=whole.records,
        psync_events=len(whole.events),
        skipped=tuple(whole.skipped),
        dirty=header.dirty or not header.valid,
        first_time=whole.first_time,
        last_time=whole.last_time,
        computers=tuple(sorted(computers, key=str.lower)),
    ), whole.events


def read_evtx(source: Source, context: ReadContext) -> list[Result]:
    """Read one .evtx file range by range in this process (flat memory), hashing it
    meanwhile in a thread (:class:`~evtdiag.logs.digest.BackgroundSha256`)."""
    tallies: list[Tally] = []
    computer = None
    with BackgroundSha256(source.path) as digest:
        for first, stop in ranges(source.size):
            tally = read_range(
                source.path,
                first,
                stop,
                context.matcher,
                label=source.label,
                identify=computer is None,
                carve=context.options.carve,
            )
            computer = computer or tally.computer
            tallies.append(tally)
            if context.progress:
                context.progress(
                    source.label, range_end(source.size, stop), source.size, records=tally.records
                )
        sha256 = digest.result()
    return [evtx_coverage(source, sha256, tallies)]
