"""The records read, kept as columns: a few bytes an event instead of a kilobyte of objects.

A log of 200,000 PSync events held as :class:`~evtdiag.model.EventRecord` objects took
about 1.5 KB an event (the record, its place, its time, its data tuple, the raw values
kept to render its XML): memory linear in events at a rate that stops a year of a large
site. What varies from one record to the next is a few numbers (record id, time, place)
and which user and host it names; everything else (file, provider, channel, computer,
event id, level, the names of the data items) repeats. So a :class:`RecordStore` keeps
the numbers in :mod:`array` columns, and each repeated thing once in a table, the column
holding its index; an :class:`EventRecord` is made when one is asked for
(``store[i]``), and dropped by the caller.

The XML of an event is shown for a few events per problem, so an ``.evtx`` record read
from a file that stays where it is keeps no XML at all: :class:`LocatedXml` names the
record (its file's :class:`XmlMaker`, its offset, a checksum of its bytes) and renders it
again from the file when asked. Other readers' XML (exports, temporary copies of archive
members) is kept as the reader gave it.

A store pickles as its columns and tables (a worker process sends its results back as a
few large byte strings, not as objects).
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol, overload

from evtdiag.model import EventIdentity, EventRecord, Place, XmlSource

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
_NONE = -(2**63)
"""A column's None."""
_ODD = _NONE + 1
"""A value the column cannot hold (out of range, a time not in UTC): kept in a side table."""
_LOWEST = _NONE + 2


class XmlMaker(Protocol):
    """What renders the XML of the records of one input again, from the input itself."""

    def xml_at(self, offset: int, check: int) -> str:
        """The XML of the record at file ``offset`` whose bytes have checksum ``check``.

        :raises evtdiag.errors.InputChanged: when the bytes there are no longer the record.
        """
        ...


class LocatedXml:
    """An event's XML as the place of its record in a file that stays where it is."""

    __slots__ = ("check", "maker", "offset")

    def __init__(self, maker: XmlMaker, offset: int, check: int) -> None:
        self.maker = maker
        self.offset = offset
        self.check = check

    def render(self) -> str:
        return self.maker.xml_at(self.offset, self.check)

    def __repr__(self) -> str:
        return f"LocatedXml({self.maker!r}, offset {self.offset:#x})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.render() == other
        if hasattr(other, "render"):
            return bool(self.render() == other.render())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.render())


class _Table:
    """Distinct hashable values, each kept once, numbered in order of first sight.

    The index that finds a value's number is made only while values are added, and
    neither pickled nor kept once the store is settled (:meth:`RecordStore.settle`).
    """

    __slots__ = ("_ids", "values")

    def __init__(self, values: Iterable[Hashable] = ()) -> None:
        self.values: list[Any] = list(values)
        self._ids: dict[Hashable, int] | None = None

    def id_of(self, value: Hashable) -> int:
        ids = self._ids
        if ids is None:
            ids = self._ids = {known: number for number, known in enumerate(self.values)}
        found = ids.get(value)
        if found is None:
            found = ids[value] = len(self.values)
            self.values.append(value)
        return found

    def settle(self) -> None:
        self._ids = None

    def __reduce__(self) -> tuple[type[_Table], tuple[list[Any]]]:
        return _Table, (self.values,)


class _Numbers:
    """An int64 column of optional integers; the few that do not fit live in a dict."""

    __slots__ = ("column", "odd")

    def __init__(self) -> None:
        self.column = array("q")
        self.odd: dict[int, object] = {}

    def append(self, value: int | None) -> None:
        column = self.column
        if value is None:
            column.append(_NONE)
        elif _LOWEST <= value < 2**63:
            column.append(value)
        else:
            self.odd[len(column)] = value
            column.append(_ODD)

    def get(self, index: int) -> Any:
        value = self.column[index]
        if value == _ODD:
            return self.odd[index]
        return None if value == _NONE else value


    def extend(self, other: _Numbers) -> None:
        start = len(self.column)
        self.column.extend(other.column)
        self.odd.update((start + index, value) for index, value in other.odd.items())


class _Times(_Numbers):
    """Aware times as microseconds since 1970 UTC; others (naive, another zone) kept whole."""

    __slots__ = ()

    def append_time(self, moment: datetime | None) -> None:
        if moment is not None and moment.tzinfo is timezone.utc:
            self.column.append((moment - _EPOCH) // _MICROSECOND)
        elif moment is None:
            self.column.append(_NONE)
        else:
            self.odd[len(self.column)] = moment
            self.column.append(_ODD)

    def time(self, index: int) -> datetime | None:
        value = self.column[index]
        if value == _NONE:
            return None
        if value == _ODD:
            odd: datetime = self.odd[index]  # type: ignore[assignment]
            return odd
        return _EPOCH + timedelta(microseconds=value)

    def instant(self, index: int) -> object:
        """What identifies the time: its microseconds, or the kept time itself."""
        value = self.column[index]
        if value == _ODD:
            odd: datetime = self.odd[index]  # type: ignore[assignment]
            if odd.tzinfo is not None and odd.utcoffset() is not None:
                return (odd - _EPOCH) // _MICROSECOND
            return odd
        return None if value == _NONE else value


_SHAPE_FIELDS = (
    "source", "provider", "event_id", "qualifiers", "level", "channel", "computer",
    "data_names", "unverified", "data_origin", "place_file", "maker",
)  # fmt: skip
"""What a record shares with many others (:meth:`RecordStore.append`), in this order."""


RECORD_FIELDS = tuple(item.name for item in fields(EventRecord))
""":class:`EventRecord`'s field names, in order: a record as plain values."""
RecordFields = tuple[Any, ...]
"""A record's fields in :class:`EventRecord`'s order (a reader's, before any record is made)."""
COMPUTER = RECORD_FIELDS.index("computer")


class RecordStore(Sequence[EventRecord]):
    """Records as columns (see the module's docstring); ``store[i]`` makes record ``i``."""

    def __init__(self) -> None:
        self._shapes = _Table()
        self._values = _Table([None])
        """Messages (0: None)."""
        self._texts = _Table()
        """Every text of the data items, kept once (users and hosts repeat)."""
        self._items = array("I")
        """The data items of every record, one after the other, as numbers in :attr:`_texts`."""
        self._data_end = array("Q")
        """Where each record's items end in :attr:`_items` (they start where the last ended)."""
        self._kept: list[str | XmlSource] = []
        """The XML of records that are not :class:`LocatedXml`."""
        self._shape = array("I")
        self._message = array("I")
        self._xml = array("I")
        """1 + the index of the record's XML in :attr:`_kept`, 0 when it is :class:`LocatedXml`."""
        self._check = array("I")
        self._record_id = _Numbers()
        self._time = _Times()
        self._chunk = _Numbers()
        self._offset = _Numbers()
        self._number = _Numbers()
        self._line = _Numbers()

    # -- filling ------------------------------------------------------------------------

    def append(
        self, record: EventRecord | RecordFields, xml: str | XmlSource | None = None
    ) -> None:
        """Keep ``record`` (it compares equal to ``self[-1]`` afterwards), given as
        itself or as its fields in order; with ``xml`` instead of its own XML source when
        given (the same XML, rendered otherwise)."""
        if isinstance(record, EventRecord):
            record = tuple(getattr(record, name) for name in RECORD_FIELDS)
        (source, record_id, time_created, provider, event_id, qualifiers, level, channel,
         computer, data, data_names, xml_source, place, unverified, message,
         data_origin) = record  # fmt: skip
        if xml is None:
            xml = xml_source
        maker = None
        if xml.__class__ is LocatedXml and xml.offset == place.offset:
            maker = xml.maker
            self._check.append(xml.check)
            self._xml.append(0)
        else:
            self._check.append(0)
            self._kept.append(xml)
            self._xml.append(len(self._kept))
        self._shape.append(
            self._shapes.id_of(
                (source, provider, event_id, qualifiers, level, channel, computer, data_names,
                 unverified, data_origin, place.file, maker)
            )
        )  # fmt: skip
        text_id = self._texts.id_of
        self._items.extend([text_id(text) for text in data])
        self._data_end.append(len(self._items))
        self._message.append(self._values.id_of(message))
        self._record_id.append(record_id)
        self._time.append_time(time_created)
        self._chunk.append(place.chunk)
        self._offset.append(place.offset)
        self._number.append(place.record_id)
        self._line.append(place.line)

    def settle(self) -> None:
        """Drop what only adding records needs (the tables' indexes): call once read."""
        self._shapes.settle()
        self._values.settle()
        self._texts.settle()

    def extend(self, records: Iterable[EventRecord]) -> None:
        """Append ``records``; another store's are appended column by column."""
        if not isinstance(records, RecordStore):
            for record in records:
                self.append(record)
            return
        shapes = [self._shapes.id_of(shape) for shape in records._shapes.values]
        values = [self._values.id_of(value) for value in records._values.values]
        texts = [self._texts.id_of(text) for text in records._texts.values]
        items = len(self._items)
        self._items.extend(array("I", [texts[i] for i in records._items]))
        self._data_end.extend(array("Q", [end + items for end in records._data_end]))
        self._shape.extend(array("I", [shapes[i] for i in records._shape]))
        self._message.extend(array("I", [values[i] for i in records._message]))
        kept = len(self._kept)
        self._kept.extend(records._kept)
        self._xml.extend(array("I", [i + kept if i else 0 for i in records._xml]))
        self._check.extend(records._check)
        for mine, theirs in self._number_columns(records):
            mine.extend(theirs)

    def absorb(self, part: RecordStore) -> None:
        """Append ``part``'s records, taking its columns over when this store is empty
        (the first part of a whole): ``part`` is not to be used afterwards."""
        if self._shape:
            self.extend(part)
        else:
            vars(self).update(vars(part))

    def _number_columns(self, other: RecordStore) -> Iterator[tuple[_Numbers, _Numbers]]:
        yield self._record_id, other._record_id
        yield self._time, other._time
        yield self._chunk, other._chunk
        yield self._offset, other._offset
        yield self._number, other._number
        yield self._line, other._line

    def take(self, indices: Iterable[int]) -> RecordStore:
        """A store of the records at ``indices``, in that order."""
        taken = RecordStore()
        for index in indices:
            taken.append(self[index])
        return taken

    # -- reading ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._shape)

    @overload
    def __getitem__(self, index: int) -> EventRecord: ...

    @overload
    def __getitem__(self, index: slice) -> list[EventRecord]: ...

    def __getitem__(self, index: int | slice) -> EventRecord | list[EventRecord]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self._shape):
            raise IndexError("record index out of range")
        view = _new_view(RecordView)
        _set(view, "_store", self)
        _set(view, "_index", index)
        return view

    def __iter__(self) -> Iterator[EventRecord]:
        for index in range(len(self)):
            yield self[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RecordStore | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RecordStore({len(self)} records)"

    # -- what the readers ask of every record, without making them ----------------------

    def data_of(self, index: int) -> tuple[str, ...]:
        """The data items of record ``index``."""
        ends = self._data_end
        start = ends[index - 1] if index else 0
        return tuple(map(self._texts.values.__getitem__, self._items[start : ends[index]]))

    def field_of_each(self, name: str) -> Iterator[Any]:
        """One shared field of every record, in order."""
        position = _SHAPE_FIELDS.index(name)
        values = [shape[position] for shape in self._shapes.values]
        return (values[shape] for shape in self._shape)

    def identities(self) -> Iterator[EventIdentity]:
        """:attr:`EventRecord.identity` of every record, in order (times as instants)."""
        keys = [(shape[6].casefold(), shape[5].casefold()) for shape in self._shapes.values]
        record_id, instant = self._record_id.get, self._time.instant
        for index, shape in enumerate(self._shape):
            computer, channel = keys[shape]
            yield computer, channel, record_id(index), instant(index)  # type: ignore[misc]

    def origins(self) -> Iterator[str | None]:
        """:attr:`EventRecord.origin` of every record, in order."""
        position = _SHAPE_FIELDS.index("data_origin")
        origins = [shape[position] for shape in self._shapes.values]
        values = self._values.values
        ends = self._data_end
        for index, shape in enumerate(self._shape):
            if ends[index] > (ends[index - 1] if index else 0):
                yield origins[shape]
            else:
                yield "message" if values[self._message[index]] else None


def as_store(records: Sequence[EventRecord]) -> RecordStore:
    """``records`` as a store (itself when it is one)."""
    if isinstance(records, RecordStore):
        return records
    store = RecordStore()
    store.extend(records)
    return store


def _shared(position: int) -> property:
    """A property reading field ``position`` of the record's shape (:data:`_SHAPE_FIELDS`)."""

    def get(view: RecordView) -> Any:
        store = view._store
        return store._shapes.values[store._shape[view._index]][position]

    return property(get)


class RecordView(EventRecord):
    """Record ``index`` of a store, read from its columns when a field is asked for.

    An :class:`EventRecord` in all it offers (a subclass: ``isinstance`` holds, it
    compares, hashes and pickles as the record it reads), made in a fraction of the time
    of building one: the diagnosis asks for a record's id or file many times per event.
    """

    __slots__ = ("_index", "_store")
    _store: RecordStore
    _index: int

    source = _shared(0)
    provider = _shared(1)
    event_id = _shared(2)
    qualifiers = _shared(3)
    level = _shared(4)
    channel = _shared(5)
    computer = _shared(6)
    data_names = _shared(7)
    unverified = _shared(8)
    data_origin = _shared(9)

    @property
    def record_id(self) -> int:
        value: int = self._store._record_id.get(self._index)
        return value

    @property
    def time_created(self) -> datetime | None:
        return self._store._time.time(self._index)

    @property
    def data(self) -> tuple[str, ...]:
        store = self._store
        return store.data_of(self._index)

    @property
    def message(self) -> str | None:
        store = self._store
        value: str | None = store._values.values[store._message[self._index]]
        return value

    @property
    def xml_source(self) -> str | XmlSource:
        store, index = self._store, self._index
        kept = store._xml[index]
        if kept:
            return store._kept[kept - 1]
        maker = store._shapes.values[store._shape[index]][11]
        return LocatedXml(maker, store._offset.get(index), store._check[index])

    @property
    def place(self) -> Place:
        store, index = self._store, self._index
        return Place(
            store._shapes.values[store._shape[index]][10],
            store._chunk.get(index),
            store._offset.get(index),
            store._number.get(index),
            store._line.get(index),
        )

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in RECORD_FIELDS)

    def __reduce__(self) -> tuple[Any, ...]:
        return EventRecord, self._fields()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EventRecord):
            return self._fields() == tuple(getattr(other, name) for name in RECORD_FIELDS)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"RecordView({self.source!r}, record {self.record_id})"


_new_view = object.__new__
_set = object.__setattr__  # a frozen dataclass's own refuses
