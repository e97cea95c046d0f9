"""Turn an event into an :class:`~evtdiag.model.EventRecord`, and render it to XML.

Every reader (binary EVTX, the python-evtx fallback, XML and CSV exports) ends here,
so the rules for reading the ``System`` block and the event data live in one place:
:func:`locate_fields` finds the nodes that hold the fields (in a decoded
:class:`Element` tree, or in a template whose text is still substitutions), and
:func:`read_fields` reads them through a :class:`Reader`.
The fields are found by element name, ignoring namespaces, because exports differ in
whether they keep the ``xmlns`` of the event schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from sys import intern
from typing import Generic, Protocol, TypeAlias, TypeVar, overload

from lxml import etree

from evtdiag.model import EventRecord, Place, XmlSource


@dataclass
class Element:
    """One XML element: name, attributes in order, children (elements and text)."""

    name: str
    attributes: list[Attribute] = field(default_factory=list)
    """A template's values are its parts (:data:`Part`), a decoded tree's are text."""
    children: list[Element | Part] = field(default_factory=list)

    def attribute(self, name: str) -> str | None:
        for key, value in self.attributes:
            if key == name:
                return value if isinstance(value, str) else None  # a template's: no text yet
        return None

    def elements(self) -> list[Element]:
        return [node for node in self.children if isinstance(node, Element)]

    def text(self) -> str:
        """The concatenated text of this element and its descendants."""
        return "".join(
            node if isinstance(node, str) else node.text() if isinstance(node, Element) else ""
            for node in self.children
        )


@dataclass(frozen=True)
class Substitution:
    """A placeholder in a template definition, filled from the record's values."""

    index: int
    optional: bool


Part: TypeAlias = "str | Substitution"
"""A piece of a template's text: literal text, or the placeholder of a value."""
Attribute: TypeAlias = "tuple[str, str | list[Part]]"
"""An attribute's name and value (:attr:`Element.attributes`)."""

_SYSTEM_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?\s*(Z|[+-]\d\d:?\d\d)?$"
)
NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 forbids: :func:`to_xml` shows them as U+FFFD."""
_NEEDS_ESCAPE = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def parse_system_time(text: str) -> datetime | None:
    """``TimeCreated/@SystemTime`` as an aware UTC datetime (7-digit fractions allowed).

    A time without zone is taken as UTC, which is what Windows writes there.
    """
    match = _SYSTEM_TIME.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            micro,
            tzinfo=timezone.utc,
        )
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return moment


def _local(name: str) -> str:
    """An element name without its namespace prefix."""
    return name.rsplit(":", 1)[-1]


def _find(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element.elements():
        if _local(child.name) == name:
            return child
    return None


def _children(element: Element | None) -> dict[str, Element]:
    """The child elements by local name (the first of each name), looked up in one pass."""
    found: dict[str, Element] = {}
    for child in element.elements() if element is not None else ():
        found.setdefault(_local(child.name), child)
    return found


def int_of(text: str | None) -> int | None:
    """A field's number: decimal, or hexadecimal after ``0x``; None when it is not one."""
    if text is None:
        return None
    text = text.strip()
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        return None


def provider_names(event: Element) -> tuple[str, ...]:
    """The names a record gives its provider: ``Name`` and, if any, ``EventSourceName``."""
    return provider_names_from(_find(_find(event, "System"), "Provider"), TreeReader())


Node = TypeVar("Node")
"""What a reader reads a field from: an :class:`Element` of a decoded tree or of a
template, or whatever another reader locates its fields as."""


@dataclass(frozen=True)
class FieldNodes(Generic[Node]):
    """Where the fields evtdiag reads sit in an event.

    Locating is separate from reading so that the same rules serve a decoded tree, a
    template whose text is still substitutions (:class:`TemplateFields`).
    """

    provider: Node | None
    event_id: Node | None
    time_created: Node | None
    record_id: Node | None
    level: Node | None
    channel: Node | None
    computer: Node | None
    data: tuple[Node, ...]
    """EventData/Data nodes, or the leaves of UserData, in document order."""
    named_data: bool
    """True for EventData (names in ``@Name``), False for UserData (the leaf's name)."""
    message: Node | None


def locate_fields(event: Element) -> FieldNodes[Element]:
    """Find the field nodes by local name (the first of each name), as Windows lays
    them out; works on a template too, whose nodes hold substitutions."""
    system = _children(_find(event, "System"))
    event_data = _find(event, "EventData")
    if event_data is not None:
        data = tuple(child for child in event_data.elements() if _local(child.name) == "Data")
    else:
        data = tuple(_user_data_leaves(_find(event, "UserData")))
    return fields_of(
        system,
        data=data,
        named_data=event_data is not None,
        message=_find(_find(event, "RenderingInfo"), "Message"),
    )


def fields_of(
    system: Mapping[str, Node], *, data: tuple[Node, ...], named_data: bool, message: Node | None
) -> FieldNodes[Node]:
    """The field nodes, given the ``System`` children by local name (the first of each)."""
    return FieldNodes(
        provider=system.get("Provider"),
        event_id=system.get("EventID"),
        time_created=system.get("TimeCreated"),
        record_id=system.get("EventRecordID"),
        level=system.get("Level"),
        channel=system.get("Channel"),
        computer=system.get("Computer"),
        data=data,
        named_data=named_data,
        message=message,
    )


def _user_data_leaves(user_data: Element | None) -> list[Element]:
    leaves: list[Element] = []

    def collect(element: Element) -> None:
        children = element.elements()
        if not children:
            leaves.append(element)
        for child in children:
            collect(child)

    for wrapper in user_data.elements() if user_data is not None else ():
        for child in wrapper.elements():  # the event-specific element: its leaves are the data
            collect(child)
    return leaves


ReadNode = TypeVar("ReadNode", contravariant=True)
"""The nodes a :class:`Reader` reads (a reader of any node reads an Element too)."""


class Reader(Protocol[ReadNode]):
    """Reads the text and the attributes of located nodes."""

    def text(self, element: ReadNode) -> str: ...

    def attribute(self, element: ReadNode, name: str) -> str | None: ...

    def name(self, element: ReadNode) -> str: ...


class TreeReader:
    """Reads a decoded tree as it is."""

    def text(self, element: Element) -> str:
        return element.text()

    def attribute(self, element: Element, name: str) -> str | None:
        return element.attribute(name)

    def name(self, element: Element) -> str:
        return element.name


def provider_names_from(provider: Node | None, read: Reader[Node]) -> tuple[str, ...]:
    """``Name`` and, if any, ``EventSourceName`` of a located Provider node."""
    if provider is None:
        return ()
    names = (read.attribute(provider, "Name"), read.attribute(provider, "EventSourceName"))
    return tuple(name for name in names if name)


def read_fields(
    nodes: FieldNodes[Node],
    read: Reader[Node],
    *,
    place: Place,
    xml: str | XmlSource,
    header_time: datetime | None = None,
    unverified: bool = False,
    time_created: datetime | None = None,
) -> EventRecord:
    """Build the record from located nodes; the record header's id and time fill gaps.

    :param time_created: the time when the caller read it faster than from its text.

    Provider, channel and computer repeat in every record of a log: they are interned,
    so that a log of 200,000 PSync events holds each name once.
    """

    def text(element: Node | None) -> str | None:
        return read.text(element).strip() if element is not None else None

    if time_created is None and nodes.time_created is not None:
        system_time = read.attribute(nodes.time_created, "SystemTime")
        time_created = parse_system_time(system_time) if system_time else None
    record_id = int_of(text(nodes.record_id))
    provider = provider_names_from(nodes.provider, read)
    event_id = nodes.event_id
    if nodes.named_data:
        names = tuple(read.attribute(item, "Name") or "" for item in nodes.data)
    else:
        names = tuple(_local(read.name(leaf)) for leaf in nodes.data)
    return EventRecord(
        source=place.file,
        record_id=record_id if record_id is not None else (place.record_id or 0),
        time_created=time_created or header_time,
        provider=intern(provider[0]) if provider else "",
        event_id=(int_of(text(event_id)) or 0) & 0xFFFF,
        qualifiers=int_of(read.attribute(event_id, "Qualifiers")) if event_id is not None else None,
        level=int_of(text(nodes.level)),
        channel=intern(text(nodes.channel) or ""),
        computer=intern(text(nodes.computer) or ""),
        data=tuple(read.text(item) for item in nodes.data),
        data_names=names,
        xml_source=xml,
        place=place,
        unverified=unverified,
        message=read.text(nodes.message) if nodes.message is not None else None,
    )


def event_record(
    event: Element,
    *,
    place: Place,
    header_time: datetime | None = None,
    unverified: bool = False,
) -> EventRecord:
    """Build the record from a decoded tree, its XML rendered now."""
    return read_fields(
        locate_fields(event),
        TreeReader(),
        place=place,
        xml=to_xml(event),
        header_time=header_time,
        unverified=unverified,
    )


def _escape(text: str, quote: bool = False) -> str:
    if not _NEEDS_ESCAPE.search(text):  # the common case, checked in one C call
        return text
    text = NOT_XML_CHAR.sub("\ufffd", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


Fill = Callable[[Substitution], "str | None"]
"""A substitution's text, or None when filling the template leaves it out."""


def to_xml(element: Element, fill: Fill | None = None) -> str:
    """Render the tree as XML text (well-formed: characters XML forbids become U+FFFD).

    With ``fill``, ``element`` is a template rendered as
    ``to_xml(fill_template(element, values))`` would render it, without the copy: a
    substitution left out disappears, an attribute left with no part is dropped, and
    an element left with no child is written empty.
    """
    out: list[str] = []
    _write_xml(element, out, fill)
    return "".join(out)


def _write_xml(element: Element, out: list[str], fill: Fill | None) -> None:
    out.append("<" + element.name)
    for name, value in element.attributes:
        if not isinstance(value, str):  # a template's parts
            texts = _filled(value, fill)
            if not texts:
                continue
            value = "".join(texts)
        out.append(f' {name}="{_escape(value, quote=True)}"')
    children = element.children if fill is None else _filled(element.children, fill)
    if not children:
        out.append("/>")
        return
    out.append(">")
    for child in children:
        if isinstance(child, str):
            out.append(_escape(child))
        elif isinstance(child, Element):  # not a substitution, which only fill can write
            _write_xml(child, out, fill)
    out.append(f"</{element.name}>")


@overload
def _filled(parts: list[Part], fill: Fill | None) -> list[str]: ...


@overload
def _filled(parts: list[Element | Part], fill: Fill | None) -> list[Element | str]: ...


def _filled(parts: Sequence[Element | Part], fill: Fill | None) -> list[Element | str] | list[str]:
    """The parts with each substitution's text put in, or left out."""
    filled: list[Element | str] = []
    for part in parts:
        if isinstance(part, Substitution):
            text = fill(part) if fill is not None else None
            if text is not None:
                filled.append(text)
        else:
            filled.append(part)
    return filled


MAX_ATTRIBUTES = 256
"""The most attributes an element of an event may carry; Windows writes at most three
(``Provider``: Name, Guid, EventSourceName). lxml reads an element's attribute values in
time quadratic in their number, inside one C call that no signal interrupts (40,000
attributes took 5 s, a million over ten minutes), so a larger element is refused
before any is read; counting them is linear."""


class OversizedElement(Exception):
    """An element with more than :data:`MAX_ATTRIBUTES` attributes: not read."""

    def __init__(self, node: etree._Element, count: int) -> None:
        self.line: int | None = node.sourceline
        self.reason = (
            f"element <{etree.QName(node).localname}> with {count:,} attributes (more than "
            f"{MAX_ATTRIBUTES}; events have a few)"
        )
        super().__init__(self.reason)


def from_lxml(node: etree._Element) -> Element:
    """Convert an lxml element (namespaces dropped) into our tree.

    :raises OversizedElement: an element of the tree has more than
        :data:`MAX_ATTRIBUTES` attributes.
    """
    count = len(node.attrib)
    if count > MAX_ATTRIBUTES:
        raise OversizedElement(node, count)
    element = Element(
        etree.QName(node).localname,
        [(etree.QName(key).localname, value) for key, value in node.attrib.items()],
    )
    if node.text:
        element.children.append(node.text)
    for child in node:
        if isinstance(child.tag, str):
            element.children.append(from_lxml(child))
        if child.tail:
            element.children.append(child.tail)
    return element


SAFE_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
"""lxml parser options for untrusted XML: no network, no entities, no DTD, bounded tree."""


def safe_xml_parser() -> etree.XMLParser:
    """An lxml parser for untrusted XML (see :data:`SAFE_PARSER_OPTIONS`)."""
    return etree.XMLParser(**SAFE_PARSER_OPTIONS)
