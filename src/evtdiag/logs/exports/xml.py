"""Read Event Viewer / ``wevtutil qe /f:xml`` XML exports.

Both shapes Windows writes are accepted: an ``<Events>`` document ("Save All Events
As... > XML") and a bare sequence of ``<Event>`` elements (``wevtutil qe /f:xml``,
which writes no root element), with or without ``RenderingInfo``, in UTF-8 or UTF-16
with a BOM. The text is streamed through lxml's pull parser inside a synthetic root,
so a bare sequence parses and memory stays bounded by one event.

The input is untrusted: the parser resolves no entity, loads no DTD, uses no network
and keeps lxml's tree limits (``huge_tree=False``). A document that declares a DTD
(the vehicle of entity bombs and external entities) is refused as a whole with
:class:`~evtdiag.errors.InputFormatError`; event exports never carry one. Text that
stops being well-formed half-way keeps the events read before that line and reports
the rest as skipped; a name whose namespace prefix nothing declares (``Cu:ture=``)
counts as not well-formed: lxml keeps such a name, then refuses it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from evtdiag.errors import InputFormatError
from evtdiag.logs.digest import sha256_file
from evtdiag.logs.event_tree import (
    SAFE_PARSER_OPTIONS,
    OversizedElement,
    event_record,
    from_lxml,
    parse_system_time,
    provider_names,
)
from evtdiag.logs.providers import ProviderMatcher
from evtdiag.logs.sources import Format, ReadContext, Result, Source
from evtdiag.model import EventRecord, InputCoverage, Place, Skipped
from evtdiag.text_decoding import bom_encoding

NAME = "xml"
READ_BLOCK = 1 << 20
FEED_SIZE = 64 * 1024
_ROOT = "evtdiag-export-root"
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DTD = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_EVENT_START = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?Events?[\s>/]")


def encoding_of(head: bytes) -> str:
    """The encoding a BOM (or, without one, the NUL pattern of UTF-16) announces."""
    encoding = bom_encoding(head)
    if encoding:
        return encoding
    if len(head) >= 2 and head[0] == ord("<") and head[1] == 0:
        return "utf-16-le"
    if len(head) >= 2 and head[0] == 0 and head[1] == ord("<"):
        return "utf-16-be"
    return "utf-8"


def looks_like_xml_export(head: bytes) -> bool:
    """True when the first bytes are an XML event export (or a DTD-carrying fake of one)."""
    text = head.decode(encoding_of(head), errors="replace").lstrip("\ufeff \t\r\n")
    if not text.startswith("<"):
        return False
    text = _DECLARATION.sub("", text, count=1).lstrip()
    return bool(_EVENT_START.match(text) or text.startswith(("<!DOCTYPE", "<!--")))


def _text_blocks(handle: BinaryIO, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    while True:
        block = handle.read(READ_BLOCK)
        if not block:
            tail = decoder.decode(b"", final=True)
            if tail:
                yield tail
            return
        text = decoder.decode(block)
        if text:
            yield text


def read_xml_export(
    path: Path, matcher: ProviderMatcher, *, name: str | None = None
) -> tuple[InputCoverage, list[EventRecord]]:
    """Read every ``Event`` element of an XML export; keep the wanted ones.

    :param name: the name to report (defaults to ``str(path)``).
    :raises InputFormatError: the document declares a DTD, or is not XML at all.
    """
    name = name or str(path)
    found = _Found()
    skipped = found.skipped
    size = path.stat().st_size
    with path.open("rb") as handle:
        try:
            _parse(handle, name, matcher, found)
        except _NotWellFormed as error:
            if found.records == 0:
                raise InputFormatError(
                    f"{name}: not well-formed XML at line {error.line}: {error.msg}. "
                    "Export the log again (Event Viewer: Save All Events As... > XML)"
                ) from None
            skipped.append(
                Skipped(
                    Place(name, line=error.line),
                    f"XML not well-formed here ({error.msg}): the rest of the file not read",
                )
            )
    return InputCoverage(
        path=name,
        sha256=sha256_file(path),
        format=NAME,
        size=size,
        records=found.records,
        psync_events=len(found.events),
        skipped=tuple(skipped),
        dirty=None,
        first_time=found.first_time,
        last_time=found.last_time,
        computers=tuple(sorted(found.computers, key=str.lower)),
    ), found.events


class _NotWellFormed(Exception):
    """Where (a line, or None) and why the text stops being usable XML."""

    def __init__(self, line: int | None, msg: str) -> None:
        super().__init__(msg)
        self.line = line
        self.msg = msg


def _parse(handle: BinaryIO, name: str, matcher: ProviderMatcher, found: _Found) -> None:
    """Feed the whole text to a pull parser, taking each event as it completes.

    :raises InputFormatError: the document declares a DTD.
    :raises _NotWellFormed: where the text stops being well-formed, once the events
        completed before that place are taken.
    """
    parser = etree.XMLPullParser(events=("end",), **SAFE_PARSER_OPTIONS)
    encoding = encoding_of(handle.read(4))
    handle.seek(0)
    started = False
    try:
        for text in _text_blocks(handle, encoding):
            if not started:
                text = text.lstrip("\ufeff")
                # Keep line numbers: the declaration becomes spaces on its own line.
                text = _DECLARATION.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
                if _DTD.search(text[:65536]):
                    raise InputFormatError(
                        f"{name}: XML with a document type declaration (DOCTYPE/ENTITY) "
                        "refused: event exports never carry one, and it is how entity "
                        "bombs and external-entity attacks work. Export the log again "
                        "with Event Viewer or wevtutil."
                    )
                parser.feed(f"<{_ROOT}>".encode())
                started = True
            elif _DTD.search(text):
                raise InputFormatError(
                    f"{name}: XML with a DTD declaration inside the document refused "
                    "(entity bombs and external entities are not accepted)"
                )
            encoded = text.encode("utf-8")
            for piece in range(0, len(encoded), FEED_SIZE):
                parser.feed(encoded[piece : piece + FEED_SIZE])
                _drain(parser, name, matcher, found)
        if started:
            parser.feed(f"</{_ROOT}>".encode())
            _drain(parser, name, matcher, found)
            parser.close()
    except etree.XMLSyntaxError as error:
        _drain(parser, name, matcher, found)
        raise _NotWellFormed(error.lineno or None, error.msg) from None


@dataclass
class _Found:
    """The events read so far, the wanted records among them, their computers, and the
    time span of every event (wanted or not, as the other formats report it)."""

    records: int = 0
    events: list[EventRecord] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    """Events not read (see :data:`~evtdiag.logs.event_tree.MAX_ATTRIBUTES`), then where the
    text stopped being XML."""
    computers: set[str] = field(default_factory=set)
    first_time: datetime | None = None
    last_time: datetime | None = None

    def saw(self, moment: datetime | None) -> None:
        if moment is not None:
            self.first_time = min(moment, self.first_time or moment)
            self.last_time = max(moment, self.last_time or moment)


def _drain(parser: etree.XMLPullParser, name: str, matcher: ProviderMatcher, found: _Found) -> None:
    """Take the ``Event`` elements parsed so far into ``found``; free them.

    :raises _NotWellFormed: at an element or attribute whose name has a prefix no
        namespace declaration binds (``Cu:ture='en-US'``): lxml keeps such a name but
        refuses it later, and no Windows export has one.
    """
    for _, node in parser.read_events():
        try:
            _take(node, name, matcher, found)
        except ValueError as error:  # lxml: "Invalid tag name 'Cu:ture'"
            detail = f"a name with an undeclared namespace prefix ({error})"
            raise _NotWellFormed(node.sourceline, detail) from None


def _take(node: etree._Element, name: str, matcher: ProviderMatcher, found: _Found) -> None:
    """Count one completed element if it is an event, keep its record if wanted, free it."""
    if not isinstance(node.tag, str) or etree.QName(node).localname != "Event":
        return
    parent = node.getparent()
    if parent is None or etree.QName(parent).localname not in (_ROOT, "Events"):
        return  # an element called Event nested inside an event's data
    try:
        _keep(node, name, matcher, found)
    except OversizedElement as error:
        reason = f"event not read: {error.reason}"
        found.skipped.append(Skipped(Place(name, line=error.line or node.sourceline), reason))
    # Bound memory: drop this event and everything parsed before it.
    node.clear()
    while node.getprevious() is not None:
        del parent[0]


def _keep(node: etree._Element, name: str, matcher: ProviderMatcher, found: _Found) -> None:
    """Count the event ``node``, and keep its record if it is a wanted one.

    :raises OversizedElement: before anything is counted or kept.
    """
    tree = from_lxml(node)
    found.records += 1
    created = node.find("{*}System/{*}TimeCreated")
    found.saw(parse_system_time(created.get("SystemTime", "")) if created is not None else None)
    if matcher.matches(provider_names(tree)):
        record = event_record(tree, place=Place(name, line=node.sourceline))
        found.events.append(record)
        if record.computer:
            found.computers.add(record.computer)


def _read(source: Source, context: ReadContext) -> list[Result]:
    return [read_xml_export(Path(source.path), context.matcher, name=source.label)]


FORMAT = Format(NAME, looks_like_xml_export, _read)
