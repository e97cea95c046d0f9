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

from datetime import datetime

from evtdiag.logs.event_tree import (
    Element,
    Substitution,
    event_record,
    locate_fields,
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
from evtdiag.model import EventRecord, Place

_NULL, _STRING = int(ValueType.NULL), int(ValueType.STRING)
"""Plain ints for the per-value loop (see the note on :mod:`.binxml`'s copies)."""

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

    def values(self, decoder: ChunkDecoder, spans: list[Span]) -> TemplateValues:
        """A record's values, to read this template's fields from."""
        return TemplateValues(decoder, spans, self)

    def provider_names(self, values: TemplateValues) -> tuple[str, ...]:
        return provider_names_from(self.nodes.provider, values)

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
