"""Read the PSync records of one .evtx file, chunk by chunk, losing nothing silently.

The file header's chunk count is not trusted (logs copied from a live system
undercount): every 64 KiB slot after the 4 KiB header is examined. Each chunk is
verified (magic, header CRC, data CRC) and walked record frame by record frame.
A chunk whose bytes do not contain one of the wanted provider names is only counted;
in the others, a record's provider is read first (for a template instance, from the
one substitution that holds it) and the event is built only for wanted records:
template records from their values (:mod:`.template_fields`), template-less ones from
their decoded tree. Damage is recorded as :class:`~evtdiag.model.Skipped` with its
place, and reading goes on.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypedDict

from lxml import etree

from evtdiag.logs.event_tree import (
    Element,
    event_record,
    from_lxml,
    provider_names,
    safe_xml_parser,
    to_xml,
)
from evtdiag.logs.evtx import layout
from evtdiag.logs.evtx.binxml import (
    BinXmlError,
    ChunkDecoder,
    Token,
    ValueType,
    filetime_to_datetime,
)
from evtdiag.logs.evtx.template_fields import SubstitutionTexts, TemplateFields
from evtdiag.logs.providers import AllProviders, ProviderMatcher
from evtdiag.logs.store import COMPUTER, LocatedXml, RecordFields, RecordStore, XmlMaker
from evtdiag.model import EventRecord, Place, Skipped


def record_checksum(chunk: bytes, offset: int, size: int) -> int:
    """The checksum that tells a record's bytes are still those read: taken when it is
    read, checked when its XML is made again from the file."""
    return zlib.crc32(chunk[offset : offset + size])

@dataclass
class Tally:
    """What a chunk, a range of chunks or a whole file yielded: record count, time span,
    wanted events (as columns: :mod:`evtdiag.logs.store`) and damage."""

    records: int = 0
    first_time: datetime | None = None
    last_time: datetime | None = None
    events: RecordStore = field(default_factory=RecordStore)
    skipped: list[Skipped] = field(default_factory=list)
    computer: str | None = None
    """The computer of the first record decoded, when asked to identify the log."""

    def add(self, part: Tally) -> None:
        """Append what a following chunk or range yielded."""
        self.records += part.records
        self.events.absorb(part.events)
        self.skipped.extend(part.skipped)
        self.computer = self.computer or part.computer
        if part.first_time and (self.first_time is None or part.first_time < self.first_time):
            self.first_time = part.first_time
        if part.last_time and (self.last_time is None or part.last_time > self.last_time):
            self.last_time = part.last_time


@dataclass(frozen=True)
class _Frame:
    offset: int
    """Offset of the record inside the chunk."""
    size: int
    number: int
    written: int
    """FILETIME from the record header."""
    size_copy_ok: bool = True


def read_chunk(
    chunk: bytes,
    *,
    path: str,
    index: int,
    wanted: ProviderMatcher,
    identify: bool = False,
    candidate: bool | None = None,
    carve: bool = False,
    xml_from: XmlMaker | None = None,
) -> Tally:
    """Read one chunk: count its records, and build the events of wanted providers.

    :param chunk: the chunk's bytes (shorter than 64 KiB when the file is truncated).
    :param identify: also decode the first record to learn the log's computer name.
    :param candidate: the result of ``wanted.chunk_may_hold`` when the caller already
        knows it (:mod:`evtdiag.logs.prefilter` finds it for many chunks at once).
    :param carve: also read the stale records found in the chunk's slack (after the
        free-space offset); they are flagged unverified. Without it slack is ignored,
        except that a header naming a last record in it is reported.
    :param xml_from: what renders a record's XML again from the file, when the chunk's
        bytes are at ``path`` (not a temporary copy): the events then keep no XML.
    """
    base = layout.FILE_HEADER_SIZE + index * layout.CHUNK_SIZE
    result = Tally()
    place = Place(path, chunk=index, offset=base)
    if chunk[:8] != layout.CHUNK_MAGIC:
        if chunk.strip(b"\x00"):
            result.skipped.append(
                Skipped(place, "not a chunk (bad ElfChnk signature): 64 KiB not read")
            )
        return result
    if len(chunk) < layout.CHUNK_SIZE:
        result.skipped.append(
            Skipped(
                place,
                f"chunk truncated to {len(chunk)} bytes: records read "
                "up to the end of the file, unverified",
                lost=False,
            )
        )
        chunk = chunk.ljust(layout.CHUNK_SIZE, b"\x00")
    header = layout.CHUNK_HEADER.read(chunk)
    free_space = header.free_space
    header_ok = layout.chunk_header_crc(chunk) == header.header_checksum
    if not header_ok:
        result.skipped.append(
            Skipped(
                place,
                "chunk header checksum mismatch: records read by their own framing, unverified",
                lost=False,
            )
        )
    # Bytes past the free-space offset are slack: stale records of an earlier use of
    # the chunk. The offset is used even when the header CRC fails (format 3.2 files
    # leave CRCs unfilled); only an impossible value means reading to the end.
    whole = layout.CHUNK_HEADER_SIZE <= free_space <= layout.CHUNK_SIZE
    limit = free_space if whole else layout.CHUNK_SIZE
    unverified = not header_ok
    if header_ok and zlib.crc32(chunk[layout.CHUNK_HEADER_SIZE : limit]) != header.data_checksum:
        unverified = True
        result.skipped.append(
            Skipped(place, "chunk data checksum mismatch: records read, unverified", lost=False)
        )
    frames = list(_frames(chunk, limit, base, path, index, result.skipped))
    last_offset = header.last_record_offset
    if header_ok and not carve and limit <= last_offset < layout.CHUNK_SIZE:
        result.skipped.append(
            Skipped(
                Place(path, chunk=index, offset=base + last_offset),
                f"the chunk header names a last record at chunk offset {last_offset:#x}, "
                f"past the free-space offset {limit:#x}: the records there were not read; "
                "rerun with --carve to read them",
            )
        )
    slack = _slack_frames(chunk, limit) if carve else []
    if slack:
        frames.extend(slack)
        result.skipped.append(
            Skipped(
                Place(path, chunk=index, offset=base + slack[0].offset),
                f"{len(slack)} stale record(s) carved from the chunk slack (after the "
                f"free-space offset {limit:#x}, up to chunk offset "
                f"{slack[-1].offset + slack[-1].size:#x}): read, unverified",
                lost=False,
            )
        )
    result.records = len(frames)
    written = [f.written for f in frames if f.written]  # 0 = never set, not year 1601
    if written:
        result.first_time = filetime_to_datetime(min(written))
        result.last_time = filetime_to_datetime(max(written))
    if candidate is None:
        candidate = wanted.chunk_may_hold(chunk)
    if not (candidate or identify) or not frames:
        return result
    decoder = ChunkDecoder(chunk)
    for position, frame in enumerate(frames):
        first = identify and position == 0
        if not (candidate or first):
            break
        record = _RecordAt(path, index, base, frame, unverified or frame.offset >= limit)
        try:
            event, is_wanted = _decode_record(
                decoder, chunk, frame, wanted, record, build_all=first
            )
        except DECODE_ERRORS as error:
            tree = _fallback(chunk, frame)
            if tree is None:
                result.skipped.append(
                    Skipped(
                        record.place,
                        f"record not decodable ({error}); it may or may not be a PSync record",
                    )
                )
                continue
            event = record.event(tree)
            is_wanted = wanted.matches(provider_names(tree))
        if event is None:
            continue
        if first:
            result.computer = (
                event.computer if isinstance(event, EventRecord) else event[COMPUTER]
            ) or None
        if is_wanted:
            xml = None
            if xml_from is not None:
                check = record_checksum(chunk, frame.offset, frame.size)
                xml = LocatedXml(xml_from, base + frame.offset, check)
            result.events.append(event, xml)
    return result


DECODE_ERRORS = (BinXmlError, struct.error, IndexError, ValueError, RecursionError)
"""What our decoder raises on a record it cannot decode (python-evtx is tried next)."""


def frame_xml(decoder: ChunkDecoder, frame: _Frame, *, path: str, index: int) -> str | None:
    """The XML :func:`read_chunk` keeps for the record of one frame of the decoder's
    chunk; None when the record cannot be decoded.

    A template instance is rendered from its template and values without reading its
    fields first: when that succeeds, the reader's way succeeded with the same template
    and values (its fields are some of them). Anything else goes the reader's way.
    """
    start = frame.offset + layout.RECORD_HEADER_SIZE
    chunk = decoder.chunk
    pos = start + 4 if chunk[start] == Token.FRAGMENT_HEADER else start
    if chunk[pos] == Token.TEMPLATE_INSTANCE:
        try:
            definition, array = decoder.template_instance(pos)
            spans, _ = decoder.substitution_spans(array)
            if not any(vtype == ValueType.BINXML for _, _, vtype in spans):
                texts = SubstitutionTexts(decoder, spans)
                return to_xml(decoder.template(definition), texts.text_of)
        except DECODE_ERRORS:
            pass  # the reader's way says what it makes of the record
    event = decode_frame(decoder, frame, path=path, index=index)
    return None if event is None else event.xml


def decode_frame(
    decoder: ChunkDecoder, frame: _Frame, *, path: str, index: int
) -> EventRecord | None:
    """The record of one frame of the decoder's chunk, whatever its provider, as
    :func:`read_chunk` decodes it (python-evtx when our decoder refuses it); None when
    neither can."""
    base = layout.FILE_HEADER_SIZE + index * layout.CHUNK_SIZE
    record = _RecordAt(path, index, base, frame, False)
    chunk = decoder.chunk
    try:
        event, _ = _decode_record(decoder, chunk, frame, AllProviders(), record, build_all=True)
    except DECODE_ERRORS:
        tree = _fallback(chunk, frame)
        return None if tree is None else record.event(tree)
    return event if event is None or isinstance(event, EventRecord) else EventRecord(*event)


def _frames(
    chunk: bytes, limit: int, base: int, path: str, index: int, skipped: list[Skipped]
) -> Iterator[_Frame]:
    """Walk the record frames up to ``limit``; resynchronise after a damaged one.

    A frame is accepted when its magic, its size and the size copy at its end agree.
    After a damaged frame the walk resumes at the next offset that holds a valid
    frame, and the bytes in between are reported as lost.
    """
    pos = layout.CHUNK_HEADER_SIZE
    while pos + layout.RECORD_HEADER_SIZE <= limit:
        frame = frame_at(chunk, pos, limit)
        if frame is not None:
            if not frame.size_copy_ok:
                skipped.append(
                    Skipped(
                        Place(path, chunk=index, offset=base + pos, record_id=frame.number),
                        "record size copy does not match its header: read, unverified",
                        lost=False,
                    )
                )
            yield frame
            pos += frame.size
            continue
        if not chunk[pos:limit].strip(b"\x00"):
            return  # zero padding after the last record
        resume = _next_frame(chunk, pos + 1, limit)
        where = Place(path, chunk=index, offset=base + pos)
        if resume is None:
            skipped.append(
                Skipped(
                    where,
                    f"damaged record; the remaining {limit - pos} bytes "
                    "of the chunk hold no readable record",
                )
            )
            return
        skipped.append(
            Skipped(
                where,
                f"damaged record; {resume - pos} bytes skipped, reading "
                f"resumed at offset {base + resume:#x}",
            )
        )
        pos = resume


def _slack_frames(chunk: bytes, limit: int) -> list[_Frame]:
    """Complete record frames (size copy included) in the bytes after ``limit``."""
    found: list[_Frame] = []
    if limit >= layout.CHUNK_SIZE or not chunk[limit:].strip(b"\x00"):
        return found
    pos = _next_frame(chunk, limit, layout.CHUNK_SIZE)
    while pos is not None:
        frame = frame_at(chunk, pos, layout.CHUNK_SIZE, strict=True)
        if frame is None:  # pragma: no cover - _next_frame returns valid frames only
            break
        found.append(frame)
        pos = _next_frame(chunk, pos + frame.size, layout.CHUNK_SIZE)
    return found


def frame_at(chunk: bytes, pos: int, limit: int, *, strict: bool = False) -> _Frame | None:
    """The record frame at ``pos``, if its magic and size are plausible.

    The size copy at the end of the record is required only when ``strict`` (while
    resynchronising after damage); otherwise a record whose copy is wrong, as in
    logs copied while being written, is still read and flagged by the caller.
    """
    magic, size, number, written = layout.RECORD_HEADER.struct.unpack_from(chunk, pos)
    if magic != layout.RECORD_MAGIC or size < layout.MIN_RECORD_SIZE or pos + size > limit:
        return None
    copy_ok = layout.SIZE_COPY.unpack_from(chunk, pos + size - 4)[0] == size
    if strict and not copy_ok:
        return None
    return _Frame(pos, size, number, written, copy_ok)


def _next_frame(chunk: bytes, start: int, limit: int) -> int | None:
    pos = chunk.find(layout.RECORD_MAGIC, start, limit)
    while pos != -1 and pos + layout.RECORD_HEADER_SIZE <= limit:
        if frame_at(chunk, pos, limit, strict=True) is not None:
            return pos
        pos = chunk.find(layout.RECORD_MAGIC, pos + 1, limit)
    return None


class _RecordFields(TypedDict):
    """The keyword arguments a record's reader passes on (:meth:`_RecordAt.fields`)."""

    place: Place
    header_time: datetime
    unverified: bool


class _RecordAt:
    """What the frame says about a record: where it is, its header time, its doubts.

    Made for every frame of a candidate chunk, most of whose records are not wanted:
    the place and the time are only built when an event is.
    """

    __slots__ = ("_base", "_frame", "_index", "_path", "unverified")

    def __init__(self, path: str, index: int, base: int, frame: _Frame, unverified: bool) -> None:
        self._path, self._index, self._base, self._frame = path, index, base, frame
        self.unverified = unverified

    @property
    def place(self) -> Place:
        frame = self._frame
        return Place(
            self._path, chunk=self._index, offset=self._base + frame.offset, record_id=frame.number
        )

    def header_time(self) -> datetime:
        return filetime_to_datetime(self._frame.written)

    def fields(self) -> _RecordFields:
        """The record's place, header time and doubts, as keyword arguments."""
        return {
            "place": self.place,
            "header_time": self.header_time(),
            "unverified": self.unverified,
        }

    def event(self, tree: Element) -> EventRecord:
        return event_record(tree, **self.fields())


def _decode_record(
    decoder: ChunkDecoder,
    chunk: bytes,
    frame: _Frame,
    wanted: ProviderMatcher,
    record: _RecordAt,
    *,
    build_all: bool,
) -> tuple[EventRecord | RecordFields | None, bool]:
    """The record's event (or its fields) and whether its provider is wanted; no event
    when it is not wanted, unless ``build_all``.

    For a template instance the provider is read from the substitution that holds it
    first, so that unwanted records cost only a descriptor walk and one value, and
    wanted ones are read without building their tree (:mod:`~evtdiag.logs.template_fields`).
    """
    start = frame.offset + layout.RECORD_HEADER_SIZE
    end = frame.offset + frame.size - 4
    pos = start + 4 if chunk[start] == Token.FRAGMENT_HEADER else start
    if chunk[pos] != Token.TEMPLATE_INSTANCE:
        tree = decoder.record(start, end)
        is_wanted = wanted.matches(provider_names(tree))
        return (record.event(tree) if build_all or is_wanted else None), is_wanted
    definition, array = decoder.template_instance(pos)
    fields: TemplateFields = decoder.cached(
        ("fields", definition), lambda: TemplateFields(decoder.template(definition))
    )
    spans, values_end = decoder.substitution_spans(array)
    is_wanted = fields.is_wanted(decoder, spans, wanted)
    if not (build_all or is_wanted):
        return None, False
    raw = decoder.raw(array, values_end - array)
    fields_read = fields.fields_of(
        decoder,
        spans,
        raw,
        place=record.place,
        header_time=record.header_time,
        unverified=record.unverified,
    )
    return fields_read, is_wanted


_STRING_TABLE = (0x80, 64)
_TEMPLATE_TABLE = (0x180, 32)


def _tables_walkable(chunk: bytes) -> bool:
    """True when the chunk's string and template hash chains end, inside the chunk.

    python-evtx follows these chains and loops forever on a cycle
    (found by fuzzing), so a chunk that fails this check is not given to it.
    """
    for start, buckets in (_STRING_TABLE, _TEMPLATE_TABLE):
        for bucket in range(buckets):
            offset = layout.SIZE_COPY.unpack_from(chunk, start + 4 * bucket)[0]
            seen: set[int] = set()
            while offset > 0:
                if offset in seen or offset + 4 > len(chunk):
                    return False
                seen.add(offset)
                offset = layout.SIZE_COPY.unpack_from(chunk, offset)[0]
    return True


def _fallback(chunk: bytes, frame: _Frame) -> Element | None:
    """Ask python-evtx to render a record our decoder refused; None if it cannot either."""
    if not _tables_walkable(chunk):
        return None
    # Imported here: few records need it, and python-evtx pulls in urllib, http and ssl.
    from Evtx.Evtx import ChunkHeader as PyEvtxChunk
    from Evtx.Evtx import Record as PyEvtxRecord

    try:
        header = PyEvtxChunk(chunk, 0)
        xml = PyEvtxRecord(chunk, frame.offset, header).xml()
        return from_lxml(etree.fromstring(xml.encode("utf-8"), safe_xml_parser()))
    except Exception:  # python-evtx raises many unrelated types on bad input
        return None
