"""The test writer's bytes for logs of a million records, written in seconds.

:func:`evtx_writer.write_evtx` encodes every record from its XML tree and takes a
:class:`WriterEvent` (a dataclass holding a datetime) for each: about 15 µs a record,
and the whole file in memory. The scale bench and the memory test need 1,000,000
records, so this module takes plain tuples (:data:`Row`) and streams the file chunk by
chunk. It writes exactly what ``write_evtx(templated=True)`` writes for the same events
(``tests/support/test_fast_evtx.py`` compares the bytes): the first record of each
shape in a chunk, which carries the template definition and the new names, and the
chunk's header, tables and CRCs are the writer's own (its ``_Chunk``); every later
record of that shape is its template reference followed by a substitution array packed
here from values encoded once per distinct value.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tests.support.evtx_writer import (
    _FILETIME_EPOCH,
    WriterEvent,
    _Chunk,
    _shape,
    _substitution_values,
    descriptor,
    file_header,
    template_reference,
    wstring,
)

Row = tuple[int, int, int | None, int, str, tuple[str, ...]]
"""One event: (event id, level, qualifiers, FILETIME ticks, computer, unnamed Data
values). The ticks must be whole microseconds (a multiple of 10), as a datetime holds."""

_TICK = timedelta(microseconds=1)
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_TIME, _CHANNEL = 6, 8
"""Indexes in the writer's substitution array: the System values before the time
depend on the event id, level and qualifiers only; the record id (8 bytes) follows the
time (8 bytes), then the channel, the computer and the Data values."""


@dataclass(frozen=True)
class Log:
    """What every record of one log shares, and where its numbering starts."""

    provider: str
    channel: str = "Application"
    first_record_id: int = 1
    """System/EventRecordID of the first record; the record header numbers start at 1."""

    def event(self, row: Row, number: int) -> WriterEvent:
        """The writer's event for ``row``, the ``number``-th record (counted from 1)."""
        event_id, level, qualifiers, ticks, computer, data = row
        if ticks % 10:
            raise ValueError(f"record {number}: {ticks} ticks is not whole microseconds")
        return WriterEvent(
            self.provider,
            event_id,
            _FILETIME_EPOCH + ticks // 10 * _TICK,
            self.first_record_id + number - 1,
            computer,
            channel=self.channel,
            level=level,
            qualifiers=qualifiers,
            data=data,
        )


class _Packer:
    """A record's substitution array from a row (count, descriptors, values, as the
    writer's ``_substitution_array``): the System values but the time and the record id
    as the writer encoded them for the first row with the same event id, level and
    qualifiers, each string encoded once, the time and the record id packed."""

    def __init__(self, log: Log) -> None:
        self.log = log
        self.heads: dict[tuple, tuple[bytes, bytes, bytes]] = {}
        self.strings: dict[str, tuple[bytes, bytes]] = {}

    def array(self, row: Row, record_id: int) -> bytes:
        event_id, level, qualifiers, ticks, computer, data = row
        head = self.heads.get((event_id, level, qualifiers))
        if head is None:
            head = self.heads[event_id, level, qualifiers] = self._head(row)
        descriptors, before_time, channel = head
        strings = self.strings
        tail = []
        for text in (computer, *data):
            value = strings.get(text)
            if value is None:
                value = strings[text] = self._string(text)
            tail.append(value)
        return b"".join(
            (
                _U32.pack(_CHANNEL + 1 + len(tail)),
                descriptors,
                *(d for d, _ in tail),
                before_time,
                _U64.pack(ticks),
                _U64.pack(record_id),
                channel,
                *(v for _, v in tail),
            )
        )

    def _head(self, row: Row) -> tuple[bytes, bytes, bytes]:
        """The descriptors up to the channel, the values before the time, the channel."""
        values = _substitution_values(self.log.event(row, 1))[: _CHANNEL + 1]
        return (
            b"".join(descriptor(*value) for value in values),
            b"".join(v for _, v in values[:_TIME]),
            values[_CHANNEL][1],
        )

    @staticmethod
    def _string(text: str) -> tuple[bytes, bytes]:
        value_type, value = wstring(text)
        if len(value) > 0xFFFF:
            raise ValueError(f"a value is longer than 65535 bytes: {text[:40]!r}...")
        return descriptor(value_type, value), value


def write_rows(path: str | Path, rows: Iterable[Row], log: Log) -> int:
    """Write ``rows`` as a templated log at ``path``; the number of records written."""
    path = Path(path)
    packer = _Packer(log)
    shapes: dict[tuple, bytes] = {}  # template reference per shape in the current chunk
    chunks = number = 0
    chunk = _Chunk(templated=True)
    with path.open("wb") as out:
        out.write(bytes(len(file_header(0, 1))))
        for row in rows:
            number += 1
            if not _add(chunk, row, number, log, packer, shapes):
                out.write(chunk.finish())
                chunks += 1
                chunk, shapes = _Chunk(templated=True), {}
                if not _add(chunk, row, number, log, packer, shapes):
                    raise ValueError(f"record {number} does not fit in an empty chunk")
        if chunk.numbers:
            out.write(chunk.finish())
            chunks += 1
        out.seek(0)
        out.write(file_header(chunks, number + 1))
    return number


def _add(
    chunk: _Chunk, row: Row, number: int, log: Log, packer: _Packer, shapes: dict[tuple, bytes]
) -> bool:
    """Append one record to ``chunk`` (False when it does not fit). A row's template shape
    is whether it has qualifiers and how many Data values (the writer's ``_shape`` of
    unnamed UTF-16 Data)."""
    shape = (row[2] is not None, len(row[5]))
    reference = shapes.get(shape)
    if reference is None:
        event = log.event(row, number)
        if not chunk.try_add(event, number):
            return False
        shapes[shape] = template_reference(*chunk.templates[_shape(event)])
        return True
    binxml = reference + packer.array(row, log.first_record_id + number - 1)
    return chunk.add_encoded(binxml, number, row[3])
