"""Read the wanted records of a clean chunk through the Rust ``evtx`` parser (optional).

With the ``fast`` extra installed, a candidate chunk that passed every check (both CRCs,
clean framing, string and template tables without cycles, on which the Rust parser
loops forever) is handed to the Rust parser once, and its compact XML is turned into
the same :class:`~evtdiag.model.EventRecord` our decoder builds, which is cheaper than
decoding a template-less record into a tree in Python. The Rust output is only
trusted where it cannot differ from ours; a record it did not return, returned with
an error, or that falls outside what is checked here goes through our decoder:

* the event must have the usual shape (``System`` of leaf elements, ``EventData`` of
  ``Data`` leaves, nothing else) and no U+FFFD (text that did not decode);
* the Rust parser cuts a string at its first NUL, reads fixed-size values by their
  type rather than their stated size, and renders some types differently (``bool``,
  GUID without braces, arrays expanded into elements), none of which its output
  shows, so the record's own bytes are checked: for a template instance the types and
  sizes of every value and the strings the fields are read from, for a template-less
  record every token (elements, attributes and non-empty UTF-16 text only).

A template record keeps its XML as our :class:`~evtdiag.logs.template_fields.TemplateXml`
(smaller than text); a template-less one keeps the Rust text put into our
:func:`~evtdiag.logs.events.to_xml` form (:func:`our_xml`).
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from datetime import datetime
from functools import lru_cache
from typing import Literal

from evtdiag.logs.binxml import (
    FIXED_SIZES,
    FLAG_MORE,
    TOKEN_ATTRIBUTE,
    TOKEN_CLOSE_EMPTY_ELEMENT,
    TOKEN_CLOSE_START_ELEMENT,
    TOKEN_END_ELEMENT,
    TOKEN_EOF,
    TOKEN_FRAGMENT_HEADER,
    TOKEN_OPEN_START_ELEMENT,
    TOKEN_VALUE,
    TYPE_FILETIME,
    TYPE_HEX_INT32,
    TYPE_HEX_INT64,
    TYPE_NULL,
    TYPE_SID,
    TYPE_SIZE_T,
    TYPE_STRING,
    BinXmlError,
    ChunkDecoder,
    Element,
    Substitution,
)
from evtdiag.logs.events import NOT_XML_CHAR, fields_of, provider_names_from, read_fields
from evtdiag.logs.providers import ProviderMatcher
from evtdiag.logs.template_fields import (
    TemplateFields,
    TemplateValues,
    TemplateXml,
    substitution_indices,
)
from evtdiag.model import EventRecord, Place

try:
    from evtx import PyEvtxParser
except ImportError:  # the optional `fast` extra is not installed
    PyEvtxParser = None

ReaderChoice = Literal["auto", "builtin", "rust"]
READERS: tuple[ReaderChoice, ...] = ("auto", "builtin", "rust")
"""``auto``: the Rust parser for the template-less records of dense chunks, when it is
installed; ``builtin``: never; ``rust``: for every record of a clean candidate chunk.

``auto`` leaves template records to our decoder: it reads them from their values
without a tree, and measured faster than checking their values and reading the Rust
text (about 0.85 s against 1.0 s for 20,000 records); a template-less record costs our
decoder a whole tree, and the Rust path reads it 1.2 to 1.5 times faster."""

DENSITY = 8
"""``auto`` renders a chunk with Rust when at least one record in this many may be
wanted: rendering costs about a microsecond per record of the chunk, and building an
event from it saves tens of microseconds per wanted record."""


def available() -> bool:
    """True when the Rust parser can be imported."""
    return PyEvtxParser is not None


_FILE_HEADER = struct.Struct("<8sQQQIHHHH")
_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def _file_header() -> bytes:
    """A valid one-chunk file header, so that one chunk reads as a whole file."""
    header = bytearray(0x1000)
    _FILE_HEADER.pack_into(header, 0, b"ElfFile\x00", 0, 0, 1, 128, 1, 3, 0x1000, 1)
    struct.pack_into("<I", header, 124, zlib.crc32(header[:120]))
    return bytes(header)


_ONE_CHUNK_HEADER = _file_header()


def render_chunk(chunk: bytes, records: int) -> dict[int, str]:
    """The Rust parser's compact XML of the chunk's records, by record number.

    Records it fails on are left out, and so is every record whose number it returns
    twice. Any failure of the parser itself gives an empty result (our decoder then
    reads the chunk): the input is untrusted.

    :param records: how many record frames the chunk holds (bounds the iteration).
    """
    found: dict[int, str] = {}
    repeated: set[int] = set()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parser = PyEvtxParser(
                io.BytesIO(_ONE_CHUNK_HEADER + chunk), number_of_threads=1, indent=False
            )
            iterator = parser.records()
            for _ in range(records + 1):
                try:
                    record = next(iterator)
                except StopIteration:
                    break
                except RuntimeError:
                    continue  # that record failed; the parser goes on with the next
                number, xml = record.get("event_record_id"), record.get("data")
                if not isinstance(number, int) or not isinstance(xml, str):
                    continue
                if number in found:
                    repeated.add(number)
                found[number] = xml
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # untrusted bytes: any failure, a Rust panic (a BaseException) too
        return {}
    for number in repeated:
        del found[number]
    return found


# -- the event shape trusted here ------------------------------------------------------

_NAME = r"[A-Za-z]+"
_ATTRIBUTES = rf'(?: {_NAME}="[^"]*")*'
_EVENT = re.compile(
    re.escape(_DECLARATION)
    + r'<Event(?: xmlns="[^"]*")?><System>((?:<('
    + _NAME
    + r")"
    + _ATTRIBUTES
    + r">[^<]*</\2>)*)</System>"
    + r'(?:<EventData>((?:<Data(?: Name="[^"]*")?>[^<]*</Data>)*)</EventData>)?</Event>'
)
"""The whole event: ``System`` of leaf elements, then optionally ``EventData`` of ``Data``
leaves. Anything else (UserData, RenderingInfo, nested or prefixed elements) is left to
our decoder."""
_SYSTEM_CHILD = re.compile(rf"<({_NAME})({_ATTRIBUTES})>([^<]*)</\1>")
_ATTRIBUTE_TEXT = re.compile(rf' ({_NAME})="([^"]*)"')
_DATA = re.compile(r'<Data((?: Name="[^"]*")?)>([^<]*)</Data>')
_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))

Leaf = tuple[str, str]
"""A leaf element of the Rust text: its attributes as written, and its text."""


def _unescape(text: str) -> str:
    """Text as it was before the Rust writer escaped ``& < > " '`` (it escapes nothing else)."""
    if "&" not in text:
        return text
    for escaped, plain in _ESCAPES:
        text = text.replace(escaped, plain)
    return text


class _LeafReader:
    """Reads the leaves of the Rust text for :func:`~evtdiag.logs.events.read_fields`."""

    def text(self, element: Leaf) -> str:
        return _unescape(element[1])

    def attribute(self, element: Leaf, name: str) -> str | None:
        for key, value in _ATTRIBUTE_TEXT.findall(element[0]):
            if key == name:
                return _unescape(value)
        return None

    def name(self, element: Leaf) -> str:  # pragma: no cover - only EventData is trusted
        raise AssertionError("UserData is left to our decoder")


_LEAVES = _LeafReader()


def _event(
    xml: str,
    xml_source: str | TemplateXml,
    *,
    place: Place,
    header_time: datetime | None,
    unverified: bool,
) -> tuple[EventRecord, tuple[str, ...]] | None:
    """The record :func:`~evtdiag.logs.events.read_fields` builds from the Rust text,
    and the provider's names, or None when the text is not of the shape trusted here."""
    match = _EVENT.fullmatch(xml)
    if match is None or "\ufffd" in xml:
        return None
    system: dict[str, Leaf] = {}
    for name, attributes, text in _SYSTEM_CHILD.findall(match.group(1)):
        system.setdefault(name, (attributes, text))  # the first of each name, as in a tree
    nodes = fields_of(
        system, data=tuple(_DATA.findall(match.group(3) or "")), named_data=True, message=None
    )
    record = read_fields(
        nodes,
        _LEAVES,
        place=place,
        xml=xml_source,
        header_time=header_time,
        unverified=unverified,
    )
    return record, provider_names_from(nodes.provider, _LEAVES)


_EMPTY_ELEMENT = re.compile(r"(<[^/>][^>]*)></[^>]*>")
"""A start tag directly followed by an end tag: necessarily its own (``<`` and ``>`` in
text and attribute values are escaped), so the element has no content."""


def our_xml(rust_xml: str) -> str:
    """The Rust text of a template-less event (declaration removed) as :func:`to_xml` writes it.

    Our writer closes an element without content as ``<X/>``, keeps ``'`` in attribute
    values and shows characters XML forbids as U+FFFD. The record was checked to hold no
    empty text (:class:`_PlainWalk`), so each ``<X></X>`` of the Rust text is an element
    without content. Done while reading, not when shown: a report shows every event's
    XML, and reading runs in the worker processes.
    """
    text = _EMPTY_ELEMENT.sub(r"\1/>", rust_xml).replace("&apos;", "'")
    return NOT_XML_CHAR.sub("\ufffd", text)


# -- what the record's bytes must be for the Rust text to be ours ---------------------

_NAME_STRING = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*", re.ASCII)
_EXACT_TYPES = frozenset(
    {TYPE_NULL, TYPE_STRING, *range(0x03, 0x0B), TYPE_SIZE_T, TYPE_FILETIME}
    | {TYPE_HEX_INT32, TYPE_HEX_INT64}
)
"""Value types the Rust parser renders exactly as :func:`~evtdiag.logs.binxml.render_value`
(integers, hex integers, FILETIME; it refuses out-of-range FILETIMEs). Not bool (it
shows the number), GUID (no braces), floats, arrays (expanded into elements)."""
_SCALAR_TYPES = frozenset(range(0x00, 0x16))
"""Types that render as one text, whatever the text: allowed where no field is read."""


def _string_trusted(chunk: bytes, offset: int, size: int, *, empty_ok: bool) -> bool:
    """True when the UTF-16 string has no NUL before its end (the Rust parser cuts it
    there) and decodes cleanly; an empty one only when ``empty_ok``."""
    text = chunk[offset : offset + size].decode("utf-16-le", "replace").rstrip("\x00")
    return (empty_ok or bool(text)) and "\x00" not in text and "\ufffd" not in text


_READ_ATTRIBUTES = frozenset({"Name", "EventSourceName", "Qualifiers", "SystemTime"})
"""The attributes :func:`~evtdiag.logs.events.read_fields` reads (others, such as the
provider's GUID, may be rendered differently: they only reach the XML, which is ours)."""


class _TemplateChecks:
    """What one template needs of a record's values for the Rust text to give our fields."""

    def __init__(self, fields: TemplateFields) -> None:
        parts = [
            *fields.text_parts.values(),
            *(
                parts
                for (_, name), every in fields.attribute_parts.items()
                if name in _READ_ATTRIBUTES
                for parts in every
            ),
        ]
        self.read = frozenset(
            p.index for group in parts for p in group if isinstance(p, Substitution)
        )
        """Substitutions the fields are read from."""
        self.literals_clean = all(
            "\x00" not in p and "\ufffd" not in p
            for group in parts
            for p in group
            if isinstance(p, str)
        )
        self.names_clean = _names_clean(fields.template)
        self.largest = max(substitution_indices(fields.template), default=-1)

    def trusted(self, chunk: bytes, spans: list[tuple[int, int, int]]) -> bool:
        if not (self.literals_clean and self.names_clean) or self.largest >= len(spans):
            return False
        for index, (offset, size, vtype) in enumerate(spans):
            if vtype not in _SCALAR_TYPES or not _size_fits(chunk, offset, size, vtype):
                return False
            if index in self.read:
                if vtype not in _EXACT_TYPES:
                    return False
                if vtype == TYPE_STRING and not _string_trusted(chunk, offset, size, empty_ok=True):
                    return False
        return True


@lru_cache(maxsize=4096)
def _plain_name(name: str) -> bool:
    """A name the Rust parser cannot write differently from us (it cuts one at a NUL)."""
    return _NAME_STRING.fullmatch(name) is not None


def _size_fits(chunk: bytes, offset: int, size: int, vtype: int) -> bool:
    """True when a value's descriptor size is the one its type implies: the Rust parser
    reads fixed-size types by their type, so a shorter size would shift every later
    value (our decoder reads by the size)."""
    fixed = FIXED_SIZES.get(vtype)
    if fixed is not None:
        return size == fixed
    if vtype == TYPE_NULL:
        return size == 0
    if vtype == TYPE_STRING:
        return size % 2 == 0
    if vtype == TYPE_SIZE_T:
        return size in (4, 8)
    if vtype == TYPE_SID:
        return size >= 8 and size == 8 + 4 * chunk[offset + 1]
    return True  # ANSI text and binary: read by their size


def _names_clean(element: Element) -> bool:
    """True when every element and attribute name is a plain ASCII name, which the Rust
    parser cannot write differently (it would cut one at a NUL)."""
    names = [element.name, *(name for name, _ in element.attributes)]
    return all(map(_plain_name, names)) and all(
        _names_clean(child) for child in element.children if isinstance(child, Element)
    )


_U16 = struct.Struct("<H").unpack_from
_U32 = struct.Struct("<I").unpack_from
_MAX_DEPTH = 64
_OPEN, _OPEN_WITH_ATTRIBUTES = TOKEN_OPEN_START_ELEMENT, TOKEN_OPEN_START_ELEMENT | FLAG_MORE
_VALUES = (TOKEN_VALUE, TOKEN_VALUE | FLAG_MORE)
_ATTRIBUTES_TOKENS = (TOKEN_ATTRIBUTE, TOKEN_ATTRIBUTE | FLAG_MORE)


class _PlainWalk:
    """Checks a template-less record token by token without building anything.

    Accepted: elements (with consistent sizes), attributes holding one non-empty string
    value, element content made of elements and non-empty strings, then the end of
    the fragment. Names must be plain ASCII names.
    """

    def __init__(self, decoder: ChunkDecoder) -> None:
        self._decoder = decoder
        self._chunk = decoder.chunk

    def _name(self, pos: int) -> int:
        """Skip a name reference at ``pos`` (and the name, when it is defined inline)."""
        name, after = self._decoder.name_at(pos)
        if not _plain_name(name):
            raise BinXmlError("name not trusted", pos)
        return after

    def _string(self, pos: int) -> int:
        """Skip a non-empty UTF-16 value token at ``pos``."""
        if self._chunk[pos + 1] != TYPE_STRING:
            raise BinXmlError("value not a UTF-16 string", pos)
        size = 2 * _U16(self._chunk, pos + 2)[0]
        if not _string_trusted(self._chunk, pos + 4, size, empty_ok=False):
            raise BinXmlError("string not trusted", pos)
        return pos + 4 + size

    def trusted(self, start: int, end: int) -> bool:
        try:
            return self._walk(start, end)
        except (BinXmlError, IndexError, struct.error):
            return False

    def _walk(self, start: int, end: int) -> bool:
        chunk = self._chunk
        pos = start + 4 if chunk[start] == TOKEN_FRAGMENT_HEADER else start
        if chunk[pos] not in (_OPEN, _OPEN_WITH_ATTRIBUTES):
            return False
        open_ends: list[int] = []  # where each open element's data size says it ends
        while pos < end:
            token = chunk[pos]
            if token in (_OPEN, _OPEN_WITH_ATTRIBUTES):
                if len(open_ends) >= _MAX_DEPTH:
                    return False
                element_end = pos + 5 + _U32(chunk, pos + 1)[0]
                pos = self._name(pos + 5)
                if token == _OPEN_WITH_ATTRIBUTES:
                    pos = self._attributes(pos)
                if chunk[pos] == TOKEN_CLOSE_EMPTY_ELEMENT:
                    pos += 1
                    if pos != element_end:
                        return False
                elif chunk[pos] == TOKEN_CLOSE_START_ELEMENT:
                    open_ends.append(element_end)
                    pos += 1
                else:
                    return False
            elif token in _VALUES and open_ends:
                pos = self._string(pos)
            elif token == TOKEN_END_ELEMENT and open_ends:
                pos += 1
                if pos != open_ends.pop():
                    return False
            else:
                return False
            if not open_ends:
                return pos < end and chunk[pos] == TOKEN_EOF  # the end of the fragment
        return False

    def _attributes(self, pos: int) -> int:
        list_end = pos + 4 + _U32(self._chunk, pos)[0]
        pos += 4
        while self._chunk[pos] in _ATTRIBUTES_TOKENS:
            pos = self._name(pos + 1)
            if self._chunk[pos] not in _VALUES:
                raise BinXmlError("attribute without one value", pos)
            pos = self._string(pos)
        if pos != list_end:
            raise BinXmlError("attribute list size does not match", pos)
        return pos


# -- one chunk -------------------------------------------------------------------------


class RustChunk:
    """The Rust rendering of one clean chunk, rendered on first use, and the events it
    can vouch for. ``used`` counts the records built from it."""

    def __init__(
        self, chunk: bytes, decoder: ChunkDecoder, frames: int, *, templates: bool
    ) -> None:
        self._chunk = chunk
        self._templates = templates
        self._decoder = decoder
        self._frames = frames
        self._xml: dict[int, str] | None = None
        self._walk = _PlainWalk(decoder)
        self.used = 0

    @classmethod
    def for_chunk(
        cls,
        chunk: bytes,
        decoder: ChunkDecoder,
        frames: int,
        wanted: ProviderMatcher,
        reader: ReaderChoice,
    ) -> RustChunk | None:
        """The Rust reader for a clean candidate chunk, if ``reader`` asks for it here."""
        if reader == "builtin" or not available() or not frames:
            return None
        if reader == "auto" and wanted.occurrences(chunk) * DENSITY < frames:
            return None
        return cls(chunk, decoder, frames, templates=reader == "rust")

    def _rendered(self, number: int) -> str | None:
        if self._xml is None:
            self._xml = render_chunk(self._chunk, self._frames)
        return self._xml.get(number)

    def _built(
        self, built: tuple[EventRecord, tuple[str, ...]] | None
    ) -> tuple[EventRecord, tuple[str, ...]] | None:
        if built is not None:
            self.used += 1
        return built

    def template_event(
        self,
        number: int,
        fields: TemplateFields,
        values: TemplateValues,
        raw: bytes,
        *,
        place: Place,
        header_time: datetime | None,
        unverified: bool,
    ) -> EventRecord | None:
        """A template record's event from the Rust text, or None when not certain (or
        not asked for)."""
        if not self._templates:
            return None
        checks: _TemplateChecks = self._decoder.cached(
            ("rust", id(fields)), lambda: _TemplateChecks(fields)
        )
        if not checks.trusted(self._chunk, values.spans):
            return None
        xml = self._rendered(number)
        if xml is None:
            return None
        built = self._built(
            _event(
                xml,
                TemplateXml(fields.template, raw),
                place=place,
                header_time=header_time,
                unverified=unverified,
            )
        )
        return built[0] if built else None

    def plain_event(
        self,
        number: int,
        start: int,
        end: int,
        *,
        place: Place,
        header_time: datetime | None,
        unverified: bool,
    ) -> tuple[EventRecord, tuple[str, ...]] | None:
        """A template-less record's event and provider names from the Rust text, or None
        when not certain."""
        if not self._walk.trusted(start, end):
            return None
        xml = self._rendered(number)
        if xml is None:
            return None
        return self._built(
            _event(
                xml,
                our_xml(xml[len(_DECLARATION) :]),
                place=place,
                header_time=header_time,
                unverified=unverified,
            )
        )
