"""Turn a decoded event (an :class:`~evtdiag.logs.binxml.Element` tree) into an
:class:`~evtdiag.model.EventRecord`, and render it back to XML for evidence.

Every reader (binary EVTX, the python-evtx fallback, XML exports) ends here, so the
rules for reading the ``System`` block and the event data live in one place. The
fields are read by element name, ignoring namespaces, because exports differ in
whether they keep the ``xmlns`` of the event schema.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from lxml import etree

from evtdiag.logs.binxml import Element
from evtdiag.model import EventRecord, Place

_SYSTEM_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?\s*(Z|[+-]\d\d:?\d\d)?$"
)
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
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


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        return None


def provider_names(event: Element) -> tuple[str, ...]:
    """The names a record gives its provider: ``Name`` and, if any, ``EventSourceName``."""
    provider = _find(_find(event, "System"), "Provider")
    if provider is None:
        return ()
    names = (provider.attribute("Name"), provider.attribute("EventSourceName"))
    return tuple(name for name in names if name)


def _event_data(event: Element) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """EventData/Data values (with their Name), or the leaves of UserData, in order."""
    event_data = _find(event, "EventData")
    if event_data is not None:
        items = [child for child in event_data.elements() if _local(child.name) == "Data"]
        return (
            tuple(item.text() for item in items),
            tuple(item.attribute("Name") or "" for item in items),
        )
    user_data = _find(event, "UserData")
    if user_data is None:
        return (), ()
    leaves: list[Element] = []

    def collect(element: Element) -> None:
        children = element.elements()
        if not children:
            leaves.append(element)
        for child in children:
            collect(child)

    for wrapper in user_data.elements():  # the event-specific element: its leaves are the data
        for child in wrapper.elements():
            collect(child)
    return tuple(leaf.text() for leaf in leaves), tuple(_local(leaf.name) for leaf in leaves)


def _message(event: Element) -> str | None:
    rendering = _find(event, "RenderingInfo")
    message = _find(rendering, "Message")
    return message.text() if message is not None else None


def event_record(
    event: Element,
    *,
    place: Place,
    header_time: datetime | None = None,
    unverified: bool = False,
) -> EventRecord:
    """Build the record from the tree; the record header's id and time fill gaps."""
    system = _children(_find(event, "System"))
    event_id_element = system.get("EventID")
    time_created = system.get("TimeCreated")
    system_time = time_created.attribute("SystemTime") if time_created is not None else None
    record_id = _int(_text(system.get("EventRecordID")))
    data, names = _event_data(event)
    names_of_provider = provider_names(event)
    return EventRecord(
        source=place.file,
        record_id=record_id if record_id is not None else (place.record_id or 0),
        time_created=(parse_system_time(system_time) if system_time else None) or header_time,
        provider=names_of_provider[0] if names_of_provider else "",
        event_id=(_int(_text(event_id_element)) or 0) & 0xFFFF,
        qualifiers=(
            _int(event_id_element.attribute("Qualifiers")) if event_id_element is not None else None
        ),
        level=_int(_text(system.get("Level"))),
        channel=_text(system.get("Channel")) or "",
        computer=_text(system.get("Computer")) or "",
        data=data,
        data_names=names,
        xml=to_xml(event),
        place=place,
        unverified=unverified,
        message=_message(event),
    )


def _text(element: Element | None) -> str | None:
    return element.text().strip() if element is not None else None


def _escape(text: str, quote: bool = False) -> str:
    if not _NEEDS_ESCAPE.search(text):  # the common case, checked in one C call
        return text
    text = _NOT_XML_CHAR.sub("\ufffd", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def to_xml(element: Element) -> str:
    """Render the tree as XML text (well-formed: characters XML forbids become U+FFFD)."""
    out: list[str] = []
    _write_xml(element, out)
    return "".join(out)


def _write_xml(element: Element, out: list[str]) -> None:
    out.append("<" + element.name)
    for name, value in element.attributes:
        out.append(f' {name}="{_escape(value, quote=True)}"')
    if not element.children:
        out.append("/>")
        return
    out.append(">")
    for child in element.children:
        if child.__class__ is str:
            out.append(_escape(child))  # type: ignore[arg-type]
        else:
            _write_xml(child, out)  # type: ignore[arg-type]
    out.append(f"</{element.name}>")


def from_lxml(node: etree._Element) -> Element:
    """Convert an lxml element (namespaces dropped) into our tree."""
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
