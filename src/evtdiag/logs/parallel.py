"""Fast reading of .evtx files: chunk ranges, a whole-range prefilter, worker processes.

The unit of work is a *range* of chunk slots of one file (:data:`RANGE_CHUNKS` slots,
16 MiB). A range is read through its own memory map window, closed afterwards, so
memory does not grow with the file. Within a range:

* candidate chunks (those that may hold a wanted provider) are found with one regular
  expression search per provider name over the whole window (:mod:`.prefilter`),
  instead of folding the case of every chunk;
* a chunk that is not a candidate and passes every check (magic, both CRCs, framing
  with no slack bytes) is only counted, straight from the map, without a copy;
* everything else goes through :func:`evtdiag.logs.evtx.read_chunk`, which reports
  damage, so results are those of the plain sequential reader by construction.

With ``jobs > 1`` the ranges of a large file (and one SHA-256 task per file) are handed
to worker processes as (path, first slot, stop slot): no bytes travel to the workers.
Smaller inputs go to the workers in batches, each read whole (:func:`read_all`).
Results are merged in file and slot order, so the output does not depend on ``jobs``.
"""

from __future__ import annotations

import functools
import mmap
import os
import stat
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from evtdiag.logs.binxml import filetime_to_datetime
from evtdiag.logs.digest import sha256_file
from evtdiag.logs.evtx import (
    CHUNK_HEADER,
    CHUNK_HEADER_SIZE,
    CHUNK_MAGIC,
    CHUNK_SIZE,
    FILE_HEADER_SIZE,
    FILE_MAGIC,
    MIN_RECORD_SIZE,
    RECORD_HEADER,
    RECORD_HEADER_SIZE,
    RECORD_MAGIC,
    ChunkResult,
    read_chunk,
    read_file_header,
)
from evtdiag.logs.prefilter import candidate_chunks
from evtdiag.logs.providers import ProviderMatcher
from evtdiag.model import EventRecord, InputCoverage, Skipped

RANGE_CHUNKS = 256
"""Chunk slots per unit of work (16 MiB): large enough to amortise a task, small
enough to balance two workers on a single file and keep each map window small."""

_U32_AT = struct.Struct("<I").unpack_from


class ProgressCallback(Protocol):
    """Told while reading: the file, its bytes done, its size, and records since last call."""

    def __call__(self, path: str, done_in_file: int, file_size: int, records: int = 0) -> None: ...


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def auto_jobs(total_bytes: int) -> int:
    """Worker processes for ``total_bytes`` of input: all cores, but one process when
    there are fewer than two ranges of work (starting workers would cost more)."""
    return default_jobs() if total_bytes > 2 * RANGE_CHUNKS * CHUNK_SIZE else 1


@dataclass
class RangeResult:
    """What one range of chunk slots (or a whole file) yielded, in slot order."""

    first: int
    stop: int
    records: int = 0
    first_time: datetime | None = None
    last_time: datetime | None = None
    events: list[EventRecord] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    computer: str | None = None

    def add(self, part: ChunkResult | RangeResult) -> None:
        """Append what a following chunk or range yielded."""
        self.records += part.records
        self.events.extend(part.events)
        self.skipped.extend(part.skipped)
        self.computer = self.computer or part.computer
        if part.first_time and (self.first_time is None or part.first_time < self.first_time):
            self.first_time = part.first_time
        if part.last_time and (self.last_time is None or part.last_time > self.last_time):
            self.last_time = part.last_time


def slot_count(size: int) -> int:
    """How many 64 KiB chunk slots follow the file header (the last may be partial)."""
    return max(0, -(-(size - FILE_HEADER_SIZE) // CHUNK_SIZE))


def ranges(size: int, per_range: int = RANGE_CHUNKS) -> list[tuple[int, int]]:
    """The (first, stop) slot ranges of a file of ``size`` bytes."""
    slots = slot_count(size)
    return [(first, min(first + per_range, slots)) for first in range(0, slots, per_range)]


def read_range(
    path: str,
    first: int,
    stop: int,
    matcher: ProviderMatcher,
    *,
    identify: bool = False,
    carve: bool = False,
) -> RangeResult:
    """Read chunk slots ``first`` up to ``stop`` of the .evtx file at ``path``.

    :param identify: learn the log's computer name from the first record that can
        be decoded, as :func:`read_evtx_ranges` does.
    :param carve: read stale records in chunk slack too (every chunk then goes through
        :func:`read_chunk`).
    """
    result = RangeResult(first, stop)
    start = FILE_HEADER_SIZE + first * CHUNK_SIZE
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        end = min(size, FILE_HEADER_SIZE + stop * CHUNK_SIZE)
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
                chunk = None
                if slot - first < full and not identifying:
                    candidate = candidates is not None and slot - first in candidates
                    if not candidate and candidates is not None and not carve:
                        chunk = _count_clean_chunk(window, view, at, slot)
                    if chunk is None:
                        chunk = read_chunk(
                            bytes(view[at : at + CHUNK_SIZE]),
                            path=path,
                            index=slot,
                            wanted=matcher,
                            candidate=None if candidates is None else candidate,
                            carve=carve,
                        )
                else:
                    chunk = read_chunk(
                        bytes(view[at : at + CHUNK_SIZE]),
                        path=path,
                        index=slot,
                        wanted=matcher,
                        identify=identifying,
                        carve=carve,
                    )
                result.add(chunk)
        finally:
            view.release()
    finally:
        window.close()
    return result


def _count_clean_chunk(buf: mmap.mmap, view: memoryview, at: int, index: int) -> ChunkResult | None:
    """Count the records of a chunk that is perfectly sound, without copying it.

    Returns None as soon as anything is unusual (bad magic or CRC, a damaged or
    unverified frame, bytes after the last record): :func:`read_chunk` then reads the
    chunk and describes the damage.
    """
    fields = CHUNK_HEADER.unpack_from(buf, at)
    if fields[0] != CHUNK_MAGIC:
        return None
    free_space, data_crc, header_crc = fields[7], fields[8], fields[10]
    if zlib.crc32(view[at + 128 : at + CHUNK_HEADER_SIZE], zlib.crc32(view[at : at + 120])) != (
        header_crc
    ):
        return None
    if not CHUNK_HEADER_SIZE <= free_space <= CHUNK_SIZE:
        return None
    limit = at + free_space
    if zlib.crc32(view[at + CHUNK_HEADER_SIZE : limit]) != data_crc:
        return None
    if fields[6] >= free_space:  # the header names a record in the slack: report it
        return None
    unpack = RECORD_HEADER.unpack_from
    pos = at + CHUNK_HEADER_SIZE
    count = 0
    low = high = 0
    while pos + RECORD_HEADER_SIZE <= limit:
        magic, size, _, written = unpack(buf, pos)
        if magic != RECORD_MAGIC or size < MIN_RECORD_SIZE or pos + size > limit:
            if view[pos:limit].tobytes().strip(b"\x00"):
                return None  # not padding: let read_chunk resynchronise and report
            break
        if _U32_AT(buf, pos + size - 4)[0] != size:
            return None
        count += 1
        if written:
            if not low or written < low:
                low = written
            if written > high:
                high = written
        pos += size
    result = ChunkResult(index, records=count)
    if high:
        result.first_time = filetime_to_datetime(low)
        result.last_time = filetime_to_datetime(high)
    return result


def evtx_coverage(
    name: str,
    size: int,
    digest: str,
    header_bytes: bytes,
    results: Iterable[RangeResult],
) -> tuple[InputCoverage, list[EventRecord]]:
    """Merge the range results of one file, in slot order, into its coverage."""
    header = read_file_header(header_bytes)
    whole = RangeResult(0, 0)
    for result in results:
        whole.add(result)
    computers = {event.computer for event in whole.events if event.computer}
    if whole.computer:
        computers.add(whole.computer)
    return InputCoverage(
        path=name,
        sha256=digest,
        format="evtx",
        size=size,
        records=whole.records,
        psync_events=len(whole.events),
        skipped=tuple(whole.skipped),
        dirty=header.dirty or not header.valid,
        first_time=whole.first_time,
        last_time=whole.last_time,
        computers=tuple(sorted(computers, key=str.lower)),
    ), whole.events


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(FILE_HEADER_SIZE)


def read_evtx_ranges(
    path: Path,
    matcher: ProviderMatcher,
    progress: ProgressCallback | None = None,
    *,
    carve: bool = False,
) -> tuple[InputCoverage, list[EventRecord]]:
    """Read one .evtx file range by range in this process (flat memory)."""
    name = str(path)
    size = path.stat().st_size
    digest = sha256_file(path)
    results: list[RangeResult] = []
    computer = None
    for first, stop in ranges(size):
        result = read_range(
            name, first, stop, matcher, identify=computer is None, carve=carve
        )
        computer = computer or result.computer
        results.append(result)
        if progress:
            _report(progress, name, min(size, FILE_HEADER_SIZE + stop * CHUNK_SIZE), size, result)
    return evtx_coverage(name, size, digest, _head(path), results)


def _report(
    progress: ProgressCallback, name: str, done: int, size: int, result: RangeResult
) -> None:
    progress(name, done, size, records=result.records)


# -- many files and ranges in worker processes ---------------------------------------------


def _pool(jobs: int) -> Executor:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context)


Result = tuple[InputCoverage, list[EventRecord]]
ReadWhole = Callable[[Path, ProviderMatcher], list[Result]]
"""Reads one input whole (an archive gives one result per member)."""

SMALL_INPUT = FILE_HEADER_SIZE + RANGE_CHUNKS * CHUNK_SIZE
"""An .evtx file up to this size (one range) is read whole, like any other input, in a
batch with others: a task has a fixed cost (its submission, the matcher and the result
through a pipe, and a hashing task of its own for an .evtx file) worth paying only for
the ranges of a large file. With one task per range and one per hash, 200 files of
840 KB were reported to take 14.1 s with two workers against 8.5 s in one process."""
BATCHES_PER_WORKER = 8
"""The inputs read whole are shared into about this many tasks per worker: few enough
that the fixed cost is paid rarely, enough that the workers finish at about the same
time."""


def read_batch(read_whole: ReadWhole, paths: Sequence[Path], matcher: ProviderMatcher) -> list:
    """Read several inputs whole, one after the other, in one task; their results in order."""
    return [read_whole(path, matcher) for path in paths]


def _split_size(path: Path) -> tuple[int, bool]:
    """The input's size, and whether it is an .evtx file large enough to split into ranges.

    Only a regular file is opened to look at its magic: a FIFO or a device is left to
    ``read_whole``, which refuses it without opening it.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return 0, False
        return info.st_size, info.st_size > SMALL_INPUT and _head(path)[:8] == FILE_MAGIC
    except OSError:
        return 0, False


def batches(sizes: dict[int, int], jobs: int) -> list[list[int]]:
    """The inputs of ``sizes`` (index: size) in order, grouped so that a group holds about
    1 / (``jobs`` x :data:`BATCHES_PER_WORKER`) of their bytes, and no more than one range
    (:data:`SMALL_INPUT`), so that a batch's result is no larger than a range's. An input
    larger than that is a group of its own, or ends one."""
    share = sum(sizes.values()) // (jobs * BATCHES_PER_WORKER)
    budget = max(1, min(share, SMALL_INPUT))
    groups: list[list[int]] = [[]]
    filled = 0
    for index, size in sizes.items():
        groups[-1].append(index)
        filled += size
        if filled >= budget:
            groups.append([])
            filled = 0
    return [group for group in groups if group]


def read_all(
    paths: Sequence[Path],
    matcher: ProviderMatcher,
    progress: ProgressCallback | None,
    jobs: int,
    read_whole: ReadWhole,
    *,
    carve: bool = False,
) -> Iterator[Result]:
    """Read every file with ``jobs`` worker processes; yield results in ``paths`` order.

    An .evtx file larger than :data:`SMALL_INPUT` is split into ranges plus one hashing
    task; every other input (a small .evtx file, an export, an archive: one result per
    member) is read whole by ``read_whole``, in a batch of inputs (:func:`batches`).
    Ranges after the first identify the computer only if the ones before found none,
    exactly as a sequential read does.
    """
    planned = [_split_size(path) for path in paths]
    groups = batches({i: size for i, (size, split) in enumerate(planned) if not split}, jobs)
    batch_of = {
        index: (number, place)
        for number, group in enumerate(groups)
        for place, index in enumerate(group)
    }
    with _pool(jobs) as pool:
        sent: dict[int, Future] = {}
        collect: list[Callable[[], list[Result]]] = []
        for index, path in enumerate(paths):  # submitted in order: the first results come first
            size, split = planned[index]
            if split:
                collect.append(_submit_ranges(pool, path, size, matcher, progress, carve))
                continue
            number, place = batch_of[index]
            if number not in sent:
                group = [paths[i] for i in groups[number]]
                sent[number] = pool.submit(read_batch, read_whole, group, matcher)
            collect.append(functools.partial(_batch_part, sent[number], place, path, progress))
        for results in collect:
            yield from results()


def _batch_part(
    batch: Future, place: int, path: Path, progress: ProgressCallback | None
) -> list[Result]:
    """The results of the input at ``place`` in a batch (:func:`read_batch`)."""
    results = batch.result()[place]
    if progress:
        for coverage, _ in results:
            progress(str(path), coverage.size, coverage.size)
    return results


def _submit_ranges(
    pool: Executor,
    path: Path,
    size: int,
    matcher: ProviderMatcher,
    progress: ProgressCallback | None,
    carve: bool,
) -> Callable[[], list[Result]]:
    """Submit the hashing task and the range tasks of one large .evtx file; returns what
    merges their results (in slot order) into the file's one result."""
    digest = pool.submit(sha256_file, path)
    parts = [
        (
            first,
            stop,
            pool.submit(
                read_range,
                str(path),
                first,
                stop,
                matcher,
                identify=first == 0,
                carve=carve,
            ),
        )
        for first, stop in ranges(size)
    ]

    def merge() -> list[Result]:
        name = str(path)
        results: list[RangeResult] = []
        computer = None
        for first, stop, future in parts:
            result = future.result()
            if computer is None and first != 0:
                # The sequential reader would still be identifying here.
                result = read_range(
                    name, first, stop, matcher, identify=True, carve=carve
                )
            computer = computer or result.computer
            results.append(result)
            if progress:
                done = min(size, FILE_HEADER_SIZE + stop * CHUNK_SIZE)
                _report(progress, name, done, size, result)
        return [evtx_coverage(name, size, digest.result(), _head(path), results)]

    return merge
