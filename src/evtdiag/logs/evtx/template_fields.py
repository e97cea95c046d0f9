"""Read the records of one template from their substitution values, without a tree.

Most records are a template instance: a template defined once per chunk plus an array
of substitution values. Filling the template and rendering it to XML for every record
was most of the cost of a log full of PSync events, and the XML is shown only for the
few events chosen as evidence. So the fields are located once per template
(:func:`~evtdiag.logs.event_tree.locate_fields` on the template itself) and read per record
from the values they name; the XML is kept as the template and the raw value array
(:class:`TemplateXml`) and rendered when asked for.

The located nodes are those of the filled tree as long as no substitution in element
content holds a BinXml value (which would add elements); such records take the full
path, so the result is always the one :func:`~evtdiag.logs.event_tree.event_record` gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from sys import intern
from typing import Any

from evtdiag.logs.event_tree import (
    Element,
    Substitution,
    event_record,
    int_of,
    locate_fields,
    parse_system_time,
    provider_names_from,
    read_fields,
    to_xml,
)
from evtdiag.logs.evtx.binxml import (
    ChunkDecoder,
    Value,
    ValueType,
    decode_utf16,
    filetime_to_datetime,
    fill_template,
)
from evtdiag.logs.providers import ProviderMatcher
from evtdiag.logs.store import RECORD_FIELDS
from evtdiag.model import EventRecord, Place

_NULL, _STRING, _BINXML = int(ValueType.NULL), int(ValueType.STRING), int(ValueType.BINXML)
"""Plain ints for the per-value loop (see the note on :mod:`.binxml`'s copies)."""
_TYPE = itemgetter(2)

Span = tuple[int, int, int]
"""A value's chunk offset, size and type (:meth:`ChunkDecoder.substitution_spans`)."""


Parts = tuple[str | Substitution, ...]
"""A node's text or an attribute's value as literal text and substitutions, in order."""


class SubstitutionTexts:
    """One record's substitution values as text, each decoded on first use."""

    def __init__(self, decoder: ChunkDecoder, spans: list[Span]) -> None:
        self._decoder = decoder
        self._chunk = decoder.chunk  # the spans were checked to lie inside it
        self.spans = spans
        self._texts: dict[int, str] = {}

    def raw(self, offset: int, size: int) -> bytes:
        """The bytes of a value (for the FILETIME read straight from them)."""
        return self._decoder.raw(offset, size)

    def all(self) -> list[Value]:
        """Every value decoded, to fill the template when a tree is needed."""
        return [self._decoder.value(span) for span in self.spans]

    def text_of(self, part: Substitution) -> str | None:
        """The value's text, or None when fill_template would leave it out (a missing
        value, or an empty optional one)."""
        index = part.index
        if index >= len(self.spans):
            return None
        offset, size, vtype = self.spans[index]
        if vtype == _NULL and part.optional:
            return None
        text = self._texts.get(index)
        if text is None:
            if vtype == _STRING:  # most values: decoded here, without a Value
                text = decode_utf16(self._chunk[offset : offset + size])
            else:
                text = self._decoder.value(self.spans[index]).text
            self._texts[index] = text
        return text

    def _join(self, parts: Parts) -> list[str]:
        texts = []
        for part in parts:
            if isinstance(part, str):
                texts.append(part)
            elif (text := self.text_of(part)) is not None:
                texts.append(text)
        return texts


class TemplateValues(SubstitutionTexts):
    """A :class:`~evtdiag.logs.event_tree.Reader` of a template's located nodes for one
    record: text and attributes are the template's parts with the values put in, as
    :func:`~evtdiag.logs.binxml.fill_template` would (an empty optional value is left
    out, and of the attributes of a name the first left with a part counts)."""

    def __init__(self, decoder: ChunkDecoder, spans: list[Span], fields: TemplateFields) -> None:
        super().__init__(decoder, spans)
        self._fields = fields

    def text(self, element: Element) -> str:
        parts = self._fields.text_parts[id(element)]
        if len(parts) == 1 and parts[0].__class__ is Substitution:  # the common case
            return self.text_of(parts[0]) or ""
        return "".join(self._join(parts))

    def name(self, element: Element) -> str:
        """A node's name: template names are not substituted."""
        return element.name

    def attribute(self, element: Element, name: str) -> str | None:
        for parts in self._fields.attribute_parts.get((id(element), name), ()):
            texts = self._join(parts)
            if texts:  # as filled: the first attribute of the name left with a part
                return "".join(texts)
        return None


class TemplateXml:
    """An event's XML kept as its template and its raw substitution array.

    Rendered on demand (a few events become evidence); compared and hashed by the
    rendered text, so a record equals the same record read through a tree.
    """

    __slots__ = ("template", "values")

    def __init__(self, template: Element, values: bytes) -> None:
        self.template = template
        self.values = values

    def __reduce__(self) -> tuple[type[TemplateXml], tuple[Element, bytes]]:
        return TemplateXml, (self.template, self.values)

    def __repr__(self) -> str:
        return f"TemplateXml(<{self.template.name}>, {len(self.values)} bytes of values)"

    def render(self) -> str:
        decoder = ChunkDecoder(self.values)
        spans, _ = decoder.substitution_spans(0)
        return to_xml(self.template, SubstitutionTexts(decoder, spans).text_of)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TemplateXml | str):
            return self.render() == (other if isinstance(other, str) else other.render())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.render())


class TemplateFields:
    """Where one template keeps each field, worked out once per chunk and template."""

    def __init__(self, template: Element) -> None:
        self.template = template
        self.nodes = locate_fields(template)
        nodes = [
            self.nodes.provider,
            self.nodes.event_id,
            self.nodes.time_created,
            self.nodes.record_id,
            self.nodes.level,
            self.nodes.channel,
            self.nodes.computer,
            self.nodes.message,
            *self.nodes.data,
        ]
        located = [node for node in nodes if node is not None]
        self.text_parts: dict[int, Parts] = {id(node): _text_parts(node) for node in located}
        self.attribute_parts: dict[tuple[int, str], list[Parts]] = {}
        """Every attribute of a name on a node, in order: one whose value is an empty
        optional substitution is dropped when filled, and the next of that name counts."""
        for node in located:
            for name, parts in node.attributes:
                self.attribute_parts.setdefault((id(node), name), []).append(tuple(parts))
        self._content_substitutions = tuple(sorted(substitution_indices(template, False)))
        self._time_index = _lone_substitution(self.nodes.time_created, "SystemTime")
        self._plan = _Plan.of(self)

    def values(self, decoder: ChunkDecoder, spans: list[Span]) -> TemplateValues:
        """A record's values, to read this template's fields from."""
        return TemplateValues(decoder, spans, self)

    def provider_names(self, values: TemplateValues) -> tuple[str, ...]:
        return provider_names_from(self.nodes.provider, values)

    def is_wanted(self, decoder: ChunkDecoder, spans: list[Span], wanted: ProviderMatcher) -> bool:
        """Whether the record's provider is one of ``wanted``."""
        plan = self._plan
        if plan is None:
            return wanted.matches(self.provider_names(self.values(decoder, spans)))
        return plan.is_wanted(_Values(decoder.chunk, decoder, spans), wanted)

    def record(
        self,
        values: TemplateValues,
        raw: bytes,
        *,
        place: Place,
        header_time: datetime | None,
        unverified: bool,
    ) -> EventRecord:
        """The record, as :func:`event_record` would build it from the filled tree.

        :param raw: the record's substitution array, kept to render its XML later.
        """
        types = [span[2] for span in values.spans]
        if ValueType.BINXML in types:
            filled = fill_template(self.template, values.all())
            if any(
                i < len(types) and types[i] == ValueType.BINXML for i in self._content_substitutions
            ):  # a nested tree in element content may move the fields: read the tree
                return event_record(
                    filled, place=place, header_time=header_time, unverified=unverified
                )
            xml: str | TemplateXml = to_xml(filled)  # nested BinXml needs the chunk: render now
        else:
            xml = TemplateXml(self.template, raw)
        return read_fields(
            self.nodes,
            values,
            place=place,
            xml=xml,
            header_time=header_time,
            unverified=unverified,
            time_created=self._filetime(values),
        )

    def fields_of(
        self,
        decoder: ChunkDecoder,
        spans: list[Span],
        raw: bytes,
        *,
        place: Place,
        header_time: Callable[[], datetime | None],
        unverified: bool,
    ) -> tuple[Any, ...]:
        """The record's fields in :class:`EventRecord`'s order, as :meth:`record` gives
        them, read straight from the values when the template allows (:class:`_Plan`).

        :param header_time: the record header's time, asked for only when needed.
        """
        plan = self._plan
        if plan is None or _BINXML in map(_TYPE, spans):
            record = self.record(
                self.values(decoder, spans), raw,
                place=place, header_time=header_time(), unverified=unverified,
            )  # fmt: skip
            return tuple(getattr(record, name) for name in RECORD_FIELDS)
        read = _Values(decoder.chunk, decoder, spans)
        time_created = self._filetime_of(decoder.chunk, spans)
        if time_created is None:
            system_time = plan.system_time.text(read)
            time_created = parse_system_time(system_time) if system_time else None
        record_id = plan.record_id.number(read)
        provider = plan.provider_of(read)
        data_names = plan.data_names
        if data_names is None:
            data_names = tuple(name.text(read) or "" for name in plan.data_name_parts)
        message = plan.message.text(read) if plan.message is not None else None
        return (
            place.file,
            record_id if record_id is not None else (place.record_id or 0),
            time_created or header_time(),
            provider,
            (plan.event_id.number(read) or 0) & 0xFFFF,
            plan.qualifiers.number(read),
            plan.level.number(read),
            plan.repeated(plan.channel, read),
            plan.repeated(plan.computer, read),
            tuple(item.text(read) or "" for item in plan.data),
            data_names,
            TemplateXml(self.template, raw),
            place,
            unverified,
            message if message is not None else plan.message_default,
            "data",
        )

    def _filetime_of(self, chunk: bytes, spans: list[Span]) -> datetime | None:
        index = self._time_index
        if index is None or index >= len(spans):
            return None
        offset, size, vtype = spans[index]
        if vtype != ValueType.FILETIME or size != 8:
            return None
        return filetime_to_datetime(int.from_bytes(chunk[offset : offset + 8], "little"))

    def _filetime(self, values: TemplateValues) -> datetime | None:
        """SystemTime straight from its FILETIME, skipping the render-and-parse round trip."""
        index = self._time_index
        if index is None or index >= len(values.spans):
            return None
        offset, size, vtype = values.spans[index]
        if vtype != ValueType.FILETIME or size != 8:
            return None
        return filetime_to_datetime(int.from_bytes(values.raw(offset, size), "little"))


def _text_parts(element: Element) -> Parts:
    """The element's text as parts: its own and its descendants', in document order."""
    parts: list[str | Substitution] = []
    for child in element.children:
        if isinstance(child, Element):
            parts.extend(_text_parts(child))
        else:
            parts.append(child)
    return tuple(parts)


def substitution_indices(element: Element, in_attributes: bool = True) -> set[int]:
    """Indices of the substitutions in the template (only those in element content
    unless ``in_attributes``)."""
    found: set[int] = set()
    if in_attributes:
        for _, parts in element.attributes:
            found.update(p.index for p in parts if p.__class__ is Substitution)
    for child in element.children:
        if child.__class__ is Substitution:
            found.add(child.index)
        elif child.__class__ is Element:
            found |= substitution_indices(child, in_attributes)
    return found


def _lone_substitution(element: Element | None, attribute: str) -> int | None:
    """The index of the substitution that is the whole of ``attribute``, when the
    element has that attribute once (with several, which one counts depends on values)."""
    if element is None:
        return None
    found = [parts for key, parts in element.attributes if key == attribute]
    if len(found) == 1 and len(found[0]) == 1 and found[0][0].__class__ is Substitution:
        return found[0][0].index
    return None


_SIGNED = {0x03: 1, 0x05: 2, 0x07: 4, 0x09: 8}
_UNSIGNED = {0x04: 1, 0x06: 2, 0x08: 4, 0x0A: 8}
_HEX = frozenset({int(ValueType.SIZE_T), int(ValueType.HEX_INT32), int(ValueType.HEX_INT64)})
"""Integer value types read as numbers straight from their bytes: what parsing their
rendered text gives (a signed or unsigned decimal, or ``0x`` and hex digits)."""


class _Values:
    """One record's substitution values, read by :class:`_Piece` without a cache: each
    field of a PSync template is a different value."""

    __slots__ = ("chunk", "count", "decoder", "spans")

    def __init__(self, chunk: bytes, decoder: ChunkDecoder, spans: list[Span]) -> None:
        self.chunk, self.decoder, self.spans = chunk, decoder, spans
        self.count = len(spans)


@dataclass(frozen=True)
class _Piece:
    """How a field's text is made: a literal (or None: absent), or one whole value."""

    literal: str | None = None
    index: int = -1
    """The substitution whose value is the whole text; -1 for a literal."""
    optional: bool = False

    def text(self, read: _Values) -> str | None:
        """The text, as :meth:`TemplateValues.text_of` gives it (None: left out)."""
        index = self.index
        if index < 0:
            return self.literal
        if index >= read.count:
            return None
        span = read.spans[index]
        offset, size, vtype = span
        if vtype == _STRING:
            return decode_utf16(read.chunk[offset : offset + size])
        if vtype == _NULL and self.optional:
            return None
        return read.decoder.value(span).text

    def stripped(self, read: _Values) -> str:
        """The element's text as :func:`read_fields` reads it: stripped, "" when none."""
        return (self.text(read) or "").strip()

    def number(self, read: _Values) -> int | None:
        """The text read as an integer (decimal or ``0x`` hex), as :func:`read_fields`
        does; an integer value is read from its bytes without rendering it."""
        index = self.index
        if 0 <= index < read.count:
            offset, size, vtype = read.spans[index]
            if _UNSIGNED.get(vtype) == size or _SIGNED.get(vtype) == size or vtype in _HEX:
                return int.from_bytes(
                    read.chunk[offset : offset + size], "little", signed=vtype in _SIGNED
                )
        text = self.text(read)
        return int_of(text) if text is not None else None


_ABSENT = _Piece()


@dataclass(frozen=True)
class _Plan:
    """How each field of one template is read straight from a record's values.

    Made when every field's text (and every attribute read) is a literal or one whole
    substitution, as in every PSync template; otherwise None and the generic reader
    (:class:`TemplateValues` through :func:`read_fields`) is used.
    """

    provider: _Piece
    source_name: _Piece
    event_id: _Piece
    qualifiers: _Piece
    system_time: _Piece
    record_id: _Piece
    level: _Piece
    channel: _Piece
    computer: _Piece
    data: tuple[_Piece, ...]
    data_name_parts: tuple[_Piece, ...]
    data_names: tuple[str, ...] | None
    """The data items' names when they are all literals (the usual case), else None."""
    message: _Piece | None
    message_default: str | None
    _repeated: dict[tuple[int, bytes], str] = field(default_factory=dict, compare=False)
    """Texts that repeat from record to record (provider, channel, computer) by their
    bytes: decoded, stripped and interned once per chunk and template."""
    _wanted: dict[tuple[str | None, str | None], bool] = field(
        default_factory=dict, compare=False
    )
    """Whether each (Name, EventSourceName) seen is a wanted provider."""

    def repeated(self, piece: _Piece, read: _Values) -> str:
        """``piece.stripped(read)``, interned, from :attr:`_repeated` when it is there."""
        index = piece.index
        if 0 <= index < read.count:
            offset, size, vtype = read.spans[index]
            key = (vtype, read.chunk[offset : offset + size])
            text = self._repeated.get(key)
            if text is None:
                text = self._repeated[key] = intern(piece.stripped(read))
            return text
        return intern(piece.stripped(read))

    def provider_of(self, read: _Values) -> str:
        """The provider's name as :func:`read_fields` gives it ("" when none)."""
        name = self.provider.text(read) or self.source_name.text(read)
        return intern(name) if name else ""

    def is_wanted(self, read: _Values, wanted: ProviderMatcher) -> bool:
        names = (self.provider.text(read), self.source_name.text(read))
        found = self._wanted.get(names)
        if found is None:
            found = self._wanted[names] = wanted.matches(name for name in names if name)
        return found

    @staticmethod
    def of(fields: TemplateFields) -> _Plan | None:
        nodes = fields.nodes

        def text(node: Element | None) -> _Piece | None:
            if node is None:
                return _ABSENT
            return _piece(fields.text_parts[id(node)], empty="")

        def attribute(node: Element | None, name: str) -> _Piece | None:
            if node is None:
                return _ABSENT
            found = fields.attribute_parts.get((id(node), name), [])
            if not found:
                return _ABSENT
            if len(found) > 1:
                return None  # which counts depends on the values
            return _piece(found[0], empty=None)

        if nodes.named_data:
            names = [attribute(item, "Name") for item in nodes.data]
        else:
            names = [_Piece(item.name.rsplit(":", 1)[-1]) for item in nodes.data]
        pieces = {
            "provider": attribute(nodes.provider, "Name"),
            "source_name": attribute(nodes.provider, "EventSourceName"),
            "event_id": text(nodes.event_id),
            "qualifiers": attribute(nodes.event_id, "Qualifiers"),
            "system_time": attribute(nodes.time_created, "SystemTime"),
            "record_id": text(nodes.record_id),
            "level": text(nodes.level),
            "channel": text(nodes.channel),
            "computer": text(nodes.computer),
        }
        data = [text(item) for item in nodes.data]
        message = text(nodes.message) if nodes.message is not None else None
        every = [*pieces.values(), *data, *names, message if nodes.message is not None else _ABSENT]
        if any(piece is None for piece in every):
            return None
        literal_names = all(piece.index < 0 for piece in names)  # type: ignore[union-attr]
        return _Plan(
            **pieces,  # type: ignore[arg-type]
            data=tuple(data),  # type: ignore[arg-type]
            data_name_parts=tuple(names),  # type: ignore[arg-type]
            data_names=(
                tuple(piece.literal or "" for piece in names)  # type: ignore[union-attr]
                if literal_names
                else None
            ),
            message=message,
            message_default="" if nodes.message is not None else None,
        )


def _piece(parts: Parts, *, empty: str | None) -> _Piece | None:
    """A field made of ``parts``: literal text, one substitution, or None (neither)."""
    if all(part.__class__ is str for part in parts):
        return _Piece("".join(parts)) if parts else _Piece(empty)  # type: ignore[arg-type]
    if len(parts) == 1:
        (part,) = parts
        assert isinstance(part, Substitution)
        return _Piece(None, part.index, part.optional)
    return None
