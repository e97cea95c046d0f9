"""The byte layouts of an .evtx file: file, chunk and record headers, and BinXML's.

Each header is declared once, field by field, and read by field name
(``CHUNK_HEADER.read(chunk).free_space``), so that no reader indexes a tuple by a
number that only the format string explains. The per-record hot loops use the
underlying :class:`struct.Struct` (``RECORD_HEADER.struct``) directly: a named tuple
per record would cost more than the record walk itself.

Layouts after the ``libevtx`` documentation of the format (joachimmetz/libevtx,
"Windows XML Event Log (EVTX) format"): a 4 KiB file header, then 64 KiB chunks, each
a 512-byte header followed by records framed by a 24-byte header and a copy of their
size in their last four bytes.
"""

from __future__ import annotations

import struct
import zlib
from collections import namedtuple
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

FILE_MAGIC = b"ElfFile\x00"
CHUNK_MAGIC = b"ElfChnk\x00"
RECORD_MAGIC = b"\x2a\x2a\x00\x00"
FILE_HEADER_SIZE = 0x1000
CHUNK_SIZE = 0x10000
CHUNK_HEADER_SIZE = 0x200
RECORD_HEADER_SIZE = 24
MIN_RECORD_SIZE = RECORD_HEADER_SIZE + 4
"""A record header and the copy of the size that ends every record."""
FLAG_DIRTY = 0x1
"""File header flag: the log was not closed cleanly (copied while in use)."""


class Layout:
    """A little-endian header: named fields, each with its :mod:`struct` format."""

    def __init__(self, name: str, *fields: tuple[str, str]) -> None:
        self.struct = struct.Struct("<" + "".join(fmt for _, fmt in fields))
        # mypy reads namedtuple() as a class statement, which needs a literal name.
        self._tuple: type[Any] = namedtuple(name, [field for field, _ in fields])  # type: ignore[misc]
        self.size = self.struct.size
        self.offsets: dict[str, int] = {}
        self._formats = dict(fields)
        at = 0
        for field, fmt in fields:
            self.offsets[field] = at
            at += struct.calcsize("<" + fmt)

    def read(self, buffer: Any, offset: int = 0) -> Any:
        """The header at ``offset`` of ``buffer``, as a named tuple."""
        return self._tuple._make(self.struct.unpack_from(buffer, offset))

    def field(self, name: str) -> FieldReader:
        """A reader of the one field ``name``, for a loop that needs one field of many
        headers and should not build a named tuple per header."""
        return FieldReader(struct.Struct("<" + self._formats[name]), self.offsets[name])

    def repeated(self, count: int) -> struct.Struct:
        """``count`` of these headers one after the other (an array of value
        descriptors): the values come field by field, header after header."""
        return _repeated(self.struct.format, count)


@lru_cache(maxsize=64)
def _repeated(fmt: str, count: int) -> struct.Struct:
    return struct.Struct("<" + fmt.lstrip("<") * count)


@dataclass(frozen=True)
class FieldReader:
    """One field of a :class:`Layout`: its format and where it sits in the header."""

    struct: struct.Struct
    offset: int

    def read(self, buffer: Any, header: int) -> Any:
        """The field of the header that starts at ``header`` in ``buffer``."""
        return self.struct.unpack_from(buffer, header + self.offset)[0]


FILE_HEADER = Layout(
    "FileHeaderFields",
    ("magic", "8s"),
    ("first_chunk", "Q"),
    ("last_chunk", "Q"),
    ("next_record_id", "Q"),
    ("header_size", "I"),
    ("minor_version", "H"),
    ("major_version", "H"),
    ("header_block_size", "H"),
    ("chunk_count", "H"),
    ("unused", "76s"),
    ("flags", "I"),
    ("checksum", "I"),
)
"""The file header; its checksum is the CRC-32 of the first 120 bytes."""
FILE_CHECKED_BYTES = FILE_HEADER.offsets["flags"]

CHUNK_HEADER = Layout(
    "ChunkHeaderFields",
    ("magic", "8s"),
    ("first_record_number", "Q"),
    ("last_record_number", "Q"),
    ("first_record_id", "Q"),
    ("last_record_id", "Q"),
    ("header_size", "I"),
    ("last_record_offset", "I"),
    ("free_space", "I"),
    ("data_checksum", "I"),
    ("unused", "64s"),
    ("flags", "I"),
    ("header_checksum", "I"),
)
"""A chunk's header up to its checksum, which is the CRC-32 of bytes 0-120 and 128-512
(the data checksum covers the records: 512 up to the free-space offset)."""
CHUNK_CHECKED_BYTES = (
    (0, CHUNK_HEADER.offsets["flags"]),
    (CHUNK_HEADER.offsets["header_checksum"] + 4, CHUNK_HEADER_SIZE),
)
"""The two spans the header checksum covers (it skips the flags at 120-124 and itself)."""

RECORD_HEADER = Layout(
    "RecordHeaderFields",
    ("magic", "4s"),
    ("size", "I"),
    ("number", "Q"),
    ("written", "Q"),
)
"""A record's frame: its size (the same number ends the record), number and FILETIME."""
SIZE_COPY = struct.Struct("<I")
"""The copy of the record size in a record's last four bytes."""


# BinXML, inside a chunk's records (libevtx's "Binary XML" section):

NAME_HEADER = Layout(
    "NameHeaderFields",
    ("next_offset", "I"),
    ("hash", "H"),
    ("characters", "H"),
)
"""A NameString's header: its UTF-16 text of ``characters`` units and a NUL follow."""

TEMPLATE_INSTANCE_HEADER = Layout(
    "TemplateInstanceFields",
    ("unknown", "B"),
    ("template_id", "I"),
    ("definition", "I"),
)
"""What follows a template-instance token: where the template's definition is (inline
when it is right after this header)."""

TEMPLATE_HEADER = Layout(
    "TemplateHeaderFields",
    ("next_offset", "I"),
    ("guid", "16s"),
    ("data_size", "I"),
)
"""A template definition's header; ``data_size`` bytes of BinXML follow."""

VALUE_DESCRIPTOR = Layout(
    "ValueDescriptorFields",
    ("size", "H"),
    ("type", "B"),
    ("unused", "B"),
)
"""One entry of a substitution array's descriptors (the values follow all of them)."""

GUID = Layout(
    "GuidFields",
    ("data1", "I"),
    ("data2", "H"),
    ("data3", "H"),
    ("data4", "8s"),
)
SYSTEMTIME = Layout(
    "SystemTimeFields",
    ("year", "H"),
    ("month", "H"),
    ("day_of_week", "H"),
    ("day", "H"),
    ("hour", "H"),
    ("minute", "H"),
    ("second", "H"),
    ("milliseconds", "H"),
)


def chunk_header_crc(chunk: Any, at: int = 0) -> int:
    """The checksum a chunk's header should carry (:data:`CHUNK_CHECKED_BYTES`)."""
    (a, b), (c, d) = CHUNK_CHECKED_BYTES
    return zlib.crc32(chunk[at + c : at + d], zlib.crc32(chunk[at + a : at + b]))


@dataclass(frozen=True)
class FileHeader:
    """The fields of the file header that matter to a reader."""

    chunk_count: int
    dirty: bool
    valid: bool
    """Magic and CRC both right."""


def read_file_header(header: bytes) -> FileHeader:
    """Parse the first 128 bytes of an .evtx file (shorter input is padded with zeros)."""
    fields = FILE_HEADER.read(header.ljust(FILE_HEADER.size, b"\x00"))
    valid = fields.magic == FILE_MAGIC and zlib.crc32(header[:FILE_CHECKED_BYTES]) == (
        fields.checksum
    )
    return FileHeader(fields.chunk_count, bool(fields.flags & FLAG_DIRTY), valid)
