"""A small, deterministic writer of Windows EVTX files, for tests and sample data.

This is an independent implementation of the format (it imports no EVTX parser), so
that tests can check evtdiag's reader, python-evtx and the Rust ``evtx`` parser against
bytes whose content is known exactly.

Layout (all integers little-endian; offsets inside a chunk are chunk-relative)::

    file header   4096 bytes   "ElfFile\\0", chunk numbers, next record id, versions,
                               chunk count, flags (0x1 dirty), CRC32 of bytes 0-120 at 124
    chunk         65536 bytes  "ElfChnk\\0" header (512 bytes, including the 64-entry
                               common string table at 128 and the 32-entry template
                               table at 384), then records from offset 512
    record        "**\\0\\0", size, record number, FILETIME, BinXML, size again

Two record encodings are written:

* ``templated=True`` (what Windows writes to a live log): every record is a template
  instance. Each distinct event *shape* (provider-independent: the element names, the
  EventData names, whether Qualifiers is present, the value types) gets one template
  definition per chunk, written inline at its first use and referenced by offset later.
  All System values and the Data values travel in the substitution array.
* ``templated=False`` (what "Save Filtered Log File As" and forwarded events contain):
  the fragment header is followed directly by element tokens whose values are inline
  Value tokens. Element tokens then carry no dependency id (only element tokens inside a
  template definition do).

Element and attribute names are NameStrings: written inline at their first use in a
chunk, registered in the chunk's common string table (hash buckets, chained through the
"next offset" field) and referenced by offset afterwards.

Known differences between the parsers this writer is tested against (see
``tests/support/test_evtx_writer.py``):

* python-evtx renders an attribute whose optional substitution is Null as an empty
  attribute (``Qualifiers=""``), while the Rust parser drops it. Real Windows templates
  use an optional substitution for Qualifiers; this writer instead makes "has
  Qualifiers" part of the template shape, so both parsers return exactly what was
  written.
* python-evtx decodes AnsiString (type 0x02) values as ASCII and raises
  ``UnicodeDecodeError`` on any other byte; the Rust parser decodes them as
  Windows-1252, which is what this writer encodes them with.
* python-evtx always reads a dependency id after an element token, so it cannot read
  template-less records at all.
* python-evtx converts FILETIME values through a float
  (``fromtimestamp(float(qword) * 1e-7 - 11644473600)``): around 2026 a double has
  about 2 us of resolution there, so its rendered SystemTime (and ``record.timestamp()``)
  can be a microsecond or two off the exact value written. The Rust parser is exact.
* Keywords (HexInt64) render as ``0x0080000000000000`` in python-evtx (16 digits) and
  ``0x80000000000000`` in the Rust parser: compare them as numbers.
* The Rust parser pretty-prints an element without children as ``<Data>`` newline,
  indentation, ``</Data>``, i.e. with whitespace text. An empty value is therefore
  written as a zero-length Value token (template-less) or a zero-length string
  substitution (templated), which both parsers render as ``<Data></Data>``.
"""

from __future__ import annotations

import binascii
import hashlib
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

__all__ = [
    "CHUNK_SIZE",
    "FILE_HEADER_SIZE",
    "WriterEvent",
    "filetime",
    "name_hash",
    "write_evtx",
    "write_evtx_file",
]

FILE_HEADER_SIZE = 4096
CHUNK_SIZE = 65536
CHUNK_HEADER_SIZE = 512
RECORD_HEADER_SIZE = 24
EVENT_NAMESPACE = "http://schemas.microsoft.com/win/2004/08/events/event"

_FILE_MAGIC = b"ElfFile\x00"
_CHUNK_MAGIC = b"ElfChnk\x00"
_RECORD_MAGIC = 0x00002A2A
_FILE_FLAG_DIRTY = 0x1
_STRING_TABLE_OFFSET = 128
_STRING_BUCKETS = 64
_TEMPLATE_TABLE_OFFSET = 384
_TEMPLATE_BUCKETS = 32
_NO_DEPENDENCY = 0xFFFF

# BinXML tokens
_TOK_EOF = 0x00
_TOK_OPEN_START = 0x01
_TOK_OPEN_START_ATTRS = 0x41
_TOK_CLOSE_START = 0x02
_TOK_CLOSE_EMPTY = 0x03
_TOK_END_ELEMENT = 0x04
_TOK_VALUE = 0x05
_TOK_ATTRIBUTE = 0x06
_TOK_ATTRIBUTE_MORE = 0x46
_TOK_TEMPLATE_INSTANCE = 0x0C
_TOK_NORMAL_SUB = 0x0D
_TOK_OPTIONAL_SUB = 0x0E
_TOK_FRAGMENT_HEADER = 0x0F
_FRAGMENT_HEADER = bytes([_TOK_FRAGMENT_HEADER, 0x01, 0x01, 0x00])

# value types
_T_WSTRING = 0x01
_T_ANSI = 0x02
_T_UINT8 = 0x04
_T_UINT16 = 0x06
_T_UINT64 = 0x0A
_T_FILETIME = 0x11
_T_HEXINT64 = 0x15

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)

_FILE_HEADER = struct.Struct("<8sQQQIHHHH")  # magic .. chunk count (44 bytes)
_CHUNK_HEADER = struct.Struct("<8sQQQQIIII")  # magic .. data checksum (56 bytes)
_RECORD_HEADER = struct.Struct("<IIQQ")  # magic, size, record number, FILETIME


@dataclass(frozen=True)
class WriterEvent:
    """One event to write. Field names follow the rendered XML."""

    provider: str
    """System/Provider/@Name."""
    event_id: int
    """System/EventID text (only the low 16 bits are written)."""
    time_created: datetime
    """Timezone-aware; System/TimeCreated/@SystemTime and the record header FILETIME."""
    record_id: int
    """System/EventRecordID (the record header number is counted separately)."""
    computer: str
    channel: str = "Application"
    level: int = 4
    qualifiers: int | None = None
    """System/EventID/@Qualifiers, written only when not None."""
    task: int = 0
    keywords: int = 0x80000000000000
    data: tuple = ()
    """EventData: ``tuple[str, ...]`` (unnamed <Data>) or ``tuple[tuple[str, str], ...]``
    (named: (Name, value) pairs)."""
    ansi_data: bool = False
    """Encode the Data values as AnsiString (Windows-1252) substitutions instead of
    UTF-16 strings (templated mode only; template-less values are always UTF-16)."""

    def named_data(self) -> list[tuple[str | None, str]]:
        """The Data items as (Name or None, value) pairs."""
        items: list[tuple[str | None, str]] = []
        for item in self.data:
            if isinstance(item, str):
                items.append((None, item))
            else:
                name, value = item
                items.append((name, value))
        return items


def filetime(dt: datetime) -> int:
    """The FILETIME (100 ns ticks since 1601-01-01 UTC) of a timezone-aware datetime."""
    if dt.tzinfo is None:
        raise ValueError("time_created must be timezone-aware")
    delta = dt.astimezone(timezone.utc) - _FILETIME_EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def _systemtime_text(dt: datetime) -> str:
    """SystemTime as Windows renders it: seven fractional digits and a Z."""
    ticks = filetime(dt) % 10_000_000
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{ticks:07d}Z"


def name_hash(name: str) -> int:
    """The 16-bit NameString hash: h = h * 65599 + code unit, over the UTF-16 units."""
    h = 0
    units = name.encode("utf-16-le")
    for i in range(0, len(units), 2):
        h = (h * 65599 + units[i] + (units[i + 1] << 8)) & 0xFFFFFFFF
    return h & 0xFFFF


def _crc32(data: bytes | bytearray | memoryview) -> int:
    return binascii.crc32(data) & 0xFFFFFFFF


# --- the XML tree of one event -------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    text: str


@dataclass(frozen=True)
class _Sub:
    index: int
    value_type: int
    optional: bool = True


@dataclass(frozen=True)
class _Elem:
    name: str
    attrs: tuple[tuple[str, _Text | _Sub], ...] = ()
    children: tuple[_Elem | _Text | _Sub, ...] = ()


_SYSTEM_SUBS = (
    # (substitution index, value type) in the order of the substitution array
    ("provider", _T_WSTRING),
    ("event_id", _T_UINT16),
    ("qualifiers", _T_UINT16),
    ("level", _T_UINT8),
    ("task", _T_UINT16),
    ("keywords", _T_HEXINT64),
    ("time", _T_FILETIME),
    ("record_id", _T_UINT64),
    ("channel", _T_WSTRING),
    ("computer", _T_WSTRING),
)
_SUB_INDEX = {name: i for i, (name, _) in enumerate(_SYSTEM_SUBS)}
_FIRST_DATA_SUB = len(_SYSTEM_SUBS)


def _template_tree(shape: tuple) -> _Elem:
    """The template definition (with substitutions) of an event shape."""
    has_qualifiers, data_names, data_type = shape

    def sub(name: str) -> _Sub:
        index = _SUB_INDEX[name]
        return _Sub(index, _SYSTEM_SUBS[index][1])

    event_id_attrs = (("Qualifiers", sub("qualifiers")),) if has_qualifiers else ()
    system = _Elem(
        "System",
        children=(
            _Elem("Provider", attrs=(("Name", sub("provider")),)),
            _Elem("EventID", attrs=event_id_attrs, children=(sub("event_id"),)),
            _Elem("Level", children=(sub("level"),)),
            _Elem("Task", children=(sub("task"),)),
            _Elem("Keywords", children=(sub("keywords"),)),
            _Elem("TimeCreated", attrs=(("SystemTime", sub("time")),)),
            _Elem("EventRecordID", children=(sub("record_id"),)),
            _Elem("Channel", children=(sub("channel"),)),
            _Elem("Computer", children=(sub("computer"),)),
        ),
    )
    data = tuple(
        _Elem(
            "Data",
            attrs=(("Name", _Text(name)),) if name is not None else (),
            children=(_Sub(_FIRST_DATA_SUB + i, data_type, optional=False),),
        )
        for i, name in enumerate(data_names)
    )
    return _Elem(
        "Event",
        attrs=(("xmlns", _Text(EVENT_NAMESPACE)),),
        children=(system, _Elem("EventData", children=data)),
    )


def _literal_tree(event: WriterEvent) -> _Elem:
    """The template-less tree of an event: every value inline as text."""

    def text(value: str) -> tuple[_Text, ...]:
        # An empty value is still written as a (zero-length) Value token: the Rust
        # parser pretty-prints an element without children as "<Data>\n    </Data>",
        # i.e. with whitespace text, which would not read back as "".
        return (_Text(value),)

    event_id_attrs = (
        (("Qualifiers", _Text(str(event.qualifiers))),) if event.qualifiers is not None else ()
    )
    system = _Elem(
        "System",
        children=(
            _Elem("Provider", attrs=(("Name", _Text(event.provider)),)),
            _Elem("EventID", attrs=event_id_attrs, children=text(str(event.event_id & 0xFFFF))),
            _Elem("Level", children=text(str(event.level))),
            _Elem("Task", children=text(str(event.task))),
            _Elem("Keywords", children=text(f"0x{event.keywords:x}")),
            _Elem(
                "TimeCreated",
                attrs=(("SystemTime", _Text(_systemtime_text(event.time_created))),),
            ),
            _Elem("EventRecordID", children=text(str(event.record_id))),
            _Elem("Channel", children=text(event.channel)),
            _Elem("Computer", children=text(event.computer)),
        ),
    )
    data = tuple(
        _Elem(
            "Data",
            attrs=(("Name", _Text(name)),) if name is not None else (),
            children=text(value),
        )
        for name, value in event.named_data()
    )
    return _Elem(
        "Event",
        attrs=(("xmlns", _Text(EVENT_NAMESPACE)),),
        children=(system, _Elem("EventData", children=data)),
    )


def _shape(event: WriterEvent) -> tuple:
    names = tuple(name for name, _ in event.named_data())
    return (event.qualifiers is not None, names, _T_ANSI if event.ansi_data else _T_WSTRING)


def wstring(text: str) -> tuple[int, bytes]:
    """A string substitution value: (value type, UTF-16 bytes)."""
    return _T_WSTRING, text.encode("utf-16-le")


def _substitution_values(event: WriterEvent) -> list[tuple[int, bytes]]:
    """(value type, bytes) for every substitution of an event, in index order."""
    values: list[tuple[int, bytes]] = [
        wstring(event.provider),
        (_T_UINT16, _U16.pack(event.event_id & 0xFFFF)),
        (_T_UINT16, _U16.pack((event.qualifiers or 0) & 0xFFFF)),
        (_T_UINT8, bytes([event.level & 0xFF])),
        (_T_UINT16, _U16.pack(event.task & 0xFFFF)),
        (_T_HEXINT64, struct.pack("<Q", event.keywords)),
        (_T_FILETIME, struct.pack("<Q", filetime(event.time_created))),
        (_T_UINT64, struct.pack("<Q", event.record_id)),
        wstring(event.channel),
        wstring(event.computer),
    ]
    for _, value in event.named_data():
        if event.ansi_data:
            values.append((_T_ANSI, value.encode("cp1252")))
        else:
            values.append(wstring(value))
    for _, value in values:
        if len(value) > 0xFFFF:
            raise ValueError(f"event {event.record_id}: a value is longer than 65535 bytes")
    return values


def template_reference(template_id: int, offset: int) -> bytes:
    """A record's BinXML up to its substitution array: the fragment header and a template
    instance of the definition at ``offset`` (written there inline at its first use)."""
    return (
        _FRAGMENT_HEADER
        + bytes([_TOK_TEMPLATE_INSTANCE, 0x01])
        + _U32.pack(template_id)
        + _U32.pack(offset)
    )


def _substitution_array(values: Sequence[tuple[int, bytes]]) -> bytes:
    """The substitution array of a template instance: count, descriptors, values."""
    descriptors = b"".join(descriptor(t, v) for t, v in values)
    return _U32.pack(len(values)) + descriptors + b"".join(v for _, v in values)


def descriptor(value_type: int, value: bytes) -> bytes:
    """A value's entry in a substitution array's descriptors: its size and type."""
    return _U16.pack(len(value)) + bytes([value_type, 0])


# --- one chunk -----------------------------------------------------------------------


class _Chunk:
    """A chunk being filled. Records are appended with :meth:`try_add`."""

    def __init__(self, templated: bool) -> None:
        self.templated = templated
        self.data = bytearray(CHUNK_HEADER_SIZE)
        self.strings: dict[str, int] = {}
        self.string_table = [0] * _STRING_BUCKETS
        self.templates: dict[tuple, tuple[int, int]] = {}  # shape -> (template id, offset)
        self.template_table = [0] * _TEMPLATE_BUCKETS
        self.numbers: list[int] = []
        self.last_record_offset = 0

    def try_add(self, event: WriterEvent, number: int) -> bool:
        """Append one record; False (and the chunk unchanged) when it does not fit."""
        encoder = _RecordEncoder(self, len(self.data) + RECORD_HEADER_SIZE)
        if self.templated:
            encoder.template_instance(event)
        else:
            encoder.out += _FRAGMENT_HEADER
            encoder.element(_literal_tree(event), in_template=False)
            encoder.out.append(_TOK_EOF)
        if not self.add_encoded(encoder.out, number, filetime(event.time_created)):
            return False
        encoder.commit()
        return True

    def add_encoded(self, binxml: bytes | bytearray, number: int, ticks: int) -> bool:
        """Append one record whose BinXML is already encoded for this chunk; False (and
        the chunk unchanged) when it does not fit."""
        size = RECORD_HEADER_SIZE + len(binxml) + 4
        if len(self.data) + size > CHUNK_SIZE:
            return False
        self.last_record_offset = len(self.data)
        self.data += _RECORD_HEADER.pack(_RECORD_MAGIC, size, number, ticks)
        self.data += binxml
        self.data += _U32.pack(size)
        self.numbers.append(number)
        return True

    def finish(self) -> bytes:
        free_space = len(self.data)
        chunk = bytearray(self.data)
        chunk += bytes(CHUNK_SIZE - len(chunk))
        first, last = self.numbers[0], self.numbers[-1]
        _CHUNK_HEADER.pack_into(
            chunk,
            0,
            _CHUNK_MAGIC,
            first,  # first event record number
            last,  # last event record number
            first,  # first event record identifier
            last,  # last event record identifier
            128,  # header size
            self.last_record_offset,
            free_space,
            _crc32(chunk[CHUNK_HEADER_SIZE:free_space]),
        )
        struct.pack_into(f"<{_STRING_BUCKETS}I", chunk, _STRING_TABLE_OFFSET, *self.string_table)
        struct.pack_into(
            f"<{_TEMPLATE_BUCKETS}I", chunk, _TEMPLATE_TABLE_OFFSET, *self.template_table
        )
        header_crc = _crc32(bytes(chunk[0:120]) + bytes(chunk[128:CHUNK_HEADER_SIZE]))
        _U32.pack_into(chunk, 124, header_crc)
        return bytes(chunk)


class _RecordEncoder:
    """Encodes one record's BinXML at a known chunk offset.

    New names and templates are kept pending until :meth:`commit`, so that a record
    that turns out not to fit leaves the chunk's tables untouched.
    """

    def __init__(self, chunk: _Chunk, base: int) -> None:
        self.chunk = chunk
        self.base = base
        self.out = bytearray()
        self.new_strings: dict[str, int] = {}
        self.string_table = list(chunk.string_table)
        self.new_templates: dict[tuple, tuple[int, int]] = {}
        self.template_table = list(chunk.template_table)

    def here(self) -> int:
        return self.base + len(self.out)

    def commit(self) -> None:
        self.chunk.strings.update(self.new_strings)
        self.chunk.string_table = self.string_table
        self.chunk.templates.update(self.new_templates)
        self.chunk.template_table = self.template_table

    def name(self, name: str) -> None:
        """A name offset, followed by the NameString itself at its first use."""
        offset = self.chunk.strings.get(name, self.new_strings.get(name))
        if offset is not None:
            self.out += _U32.pack(offset)
            return
        offset = self.here() + 4
        self.out += _U32.pack(offset)
        h = name_hash(name)
        bucket = h % _STRING_BUCKETS
        encoded = name.encode("utf-16-le")
        # new strings go to the head of their bucket's chain
        self.out += _U32.pack(self.string_table[bucket])
        self.out += _U16.pack(h)
        self.out += _U16.pack(len(encoded) // 2)
        self.out += encoded + b"\x00\x00"
        self.string_table[bucket] = offset
        self.new_strings[name] = offset

    def text(self, value: str) -> None:
        encoded = value.encode("utf-16-le")
        self.out += bytes([_TOK_VALUE, _T_WSTRING])
        self.out += _U16.pack(len(encoded) // 2)
        self.out += encoded

    def content(self, node: _Elem | _Text | _Sub, in_template: bool) -> None:
        if isinstance(node, _Elem):
            self.element(node, in_template)
        elif isinstance(node, _Text):
            self.text(node.text)
        else:
            token = _TOK_OPTIONAL_SUB if node.optional else _TOK_NORMAL_SUB
            self.out.append(token)
            self.out += _U16.pack(node.index)
            self.out.append(node.value_type)

    def element(self, elem: _Elem, in_template: bool) -> None:
        self.out.append(_TOK_OPEN_START_ATTRS if elem.attrs else _TOK_OPEN_START)
        if in_template:
            self.out += _U16.pack(_NO_DEPENDENCY)
        size_at = len(self.out)
        self.out += bytes(4)  # data size: the bytes after this field, to the element's end
        self.name(elem.name)
        if elem.attrs:
            attrs_at = len(self.out)
            self.out += bytes(4)  # attribute list size
            for i, (attr_name, value) in enumerate(elem.attrs):
                more = i < len(elem.attrs) - 1
                self.out.append(_TOK_ATTRIBUTE_MORE if more else _TOK_ATTRIBUTE)
                self.name(attr_name)
                self.content(value, in_template)
            _U32.pack_into(self.out, attrs_at, len(self.out) - attrs_at - 4)
        if elem.children:
            self.out.append(_TOK_CLOSE_START)
            for child in elem.children:
                self.content(child, in_template)
            self.out.append(_TOK_END_ELEMENT)
        else:
            self.out.append(_TOK_CLOSE_EMPTY)
        _U32.pack_into(self.out, size_at, len(self.out) - size_at - 4)

    def template_instance(self, event: WriterEvent) -> None:
        shape = _shape(event)
        known = self.chunk.templates.get(shape)
        if known is not None:
            self.out += template_reference(*known)
        else:
            guid = hashlib.md5(repr(shape).encode()).digest()
            template_id = _U32.unpack_from(guid)[0]
            offset = self.here() + len(template_reference(0, 0))
            self.out += template_reference(template_id, offset)
            bucket = template_id % _TEMPLATE_BUCKETS
            self.out += _U32.pack(self.template_table[bucket])  # next template in bucket
            self.out += guid
            size_at = len(self.out)
            self.out += bytes(4)
            self.out += _FRAGMENT_HEADER
            self.element(_template_tree(shape), in_template=True)
            self.out.append(_TOK_EOF)
            _U32.pack_into(self.out, size_at, len(self.out) - size_at - 4)
            self.template_table[bucket] = offset
            self.new_templates[shape] = (template_id, offset)
        self.out += _substitution_array(_substitution_values(event))


# --- the file ------------------------------------------------------------------------


def _chunks(
    events: Iterable[WriterEvent],
    templated: bool,
    records_per_chunk: int | None,
    first_record_number: int,
) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    current: _Chunk | None = None
    number = first_record_number
    for event in events:
        full = current is not None and (
            records_per_chunk is not None and len(current.numbers) >= records_per_chunk
        )
        if current is None or full or not current.try_add(event, number):
            current = _Chunk(templated)
            chunks.append(current)
            if not current.try_add(event, number):
                raise ValueError(f"event {event.record_id} does not fit in an empty chunk")
        number += 1
    return chunks


def write_evtx(
    events: Iterable[WriterEvent],
    *,
    templated: bool = True,
    records_per_chunk: int | None = None,
    dirty: bool = False,
    header_chunk_count: int | None = None,
    first_record_number: int = 1,
) -> bytes:
    """Encode events as a complete EVTX file.

    :param templated: write template instances (a live log) rather than template-less
        records (a filtered export).
    :param records_per_chunk: start a new chunk after this many records (a chunk is
        also closed when the next record would not fit).
    :param dirty: set the file header's dirty flag.
    :param header_chunk_count: the chunk count written in the file header (default: the
        real count); a smaller number imitates a log copied from a live system.
    :param first_record_number: the record header number of the first record; record
        numbers count up from it independently of :attr:`WriterEvent.record_id`.
    """
    if records_per_chunk is not None and records_per_chunk < 1:
        raise ValueError("records_per_chunk must be at least 1")
    chunks = _chunks(events, templated, records_per_chunk, first_record_number)
    count = len(chunks) if header_chunk_count is None else header_chunk_count
    next_record = chunks[-1].numbers[-1] + 1 if chunks else first_record_number
    return file_header(count, next_record, dirty) + b"".join(c.finish() for c in chunks)


def file_header(count: int, next_record: int, dirty: bool = False) -> bytes:
    """The file header of a log of ``count`` chunks whose next record number is
    ``next_record``, CRC filled."""
    header = bytearray(FILE_HEADER_SIZE)
    _FILE_HEADER.pack_into(
        header,
        0,
        _FILE_MAGIC,
        0,  # first chunk number
        max(count - 1, 0),  # last chunk number
        next_record,
        128,  # header size
        1,  # minor version
        3,  # major version
        FILE_HEADER_SIZE,
        count,
    )
    _U32.pack_into(header, 120, _FILE_FLAG_DIRTY if dirty else 0)
    _U32.pack_into(header, 124, _crc32(header[0:120]))
    return bytes(header)


def write_evtx_file(
    path: str | Path, events: Sequence[WriterEvent] | Iterable[WriterEvent], **kwargs: object
) -> Path:
    """Write :func:`write_evtx` output to ``path`` and return the path."""
    path = Path(path)
    path.write_bytes(write_evtx(events, **kwargs))  # type: ignore[arg-type]
    return path
