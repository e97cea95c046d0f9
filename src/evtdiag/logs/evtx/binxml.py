"""A BinXML decoder for one EVTX chunk: templates, template-less records, nested BinXml.

Why our own: python-evtx reads a 2-byte *dependency id* after every element token,
but only element tokens inside a template definition carry one. Records of filtered
or forwarded exports (no template: the elements follow the fragment header directly)
and nested BinXml values that start with an element (CAPI2) therefore fail there.
Here the decoder is told which kind of fragment it reads. Text that does not decode
(ANSI values, lone UTF-16 surrogates) becomes U+FFFD instead of aborting the record.

All offsets are relative to the chunk: names, templates and values never point
outside their own 64 KiB chunk, so a :class:`ChunkDecoder` needs nothing else.
A template definition is decoded once per chunk into a tree with
:class:`Substitution` placeholders; a record is then only its substitution array.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import IntEnum
from itertools import accumulate
from typing import Any

from evtdiag.logs.event_tree import Attribute, Element, Part, Substitution
from evtdiag.logs.evtx.layout import (
    GUID,
    NAME_HEADER,
    SYSTEMTIME,
    TEMPLATE_HEADER,
    TEMPLATE_INSTANCE_HEADER,
    VALUE_DESCRIPTOR,
)


class Token(IntEnum):
    """BinXML tokens: the low 5 bits of a token byte (:data:`TOKEN_MASK`); bit 0x40
    (:data:`FLAG_MORE`) means "more data follows" or "has attributes"."""

    EOF = 0x00
    OPEN_START_ELEMENT = 0x01
    CLOSE_START_ELEMENT = 0x02
    CLOSE_EMPTY_ELEMENT = 0x03
    END_ELEMENT = 0x04
    VALUE = 0x05
    ATTRIBUTE = 0x06
    CDATA = 0x07
    CHAR_REF = 0x08
    ENTITY_REF = 0x09
    PI_TARGET = 0x0A
    PI_DATA = 0x0B
    TEMPLATE_INSTANCE = 0x0C
    NORMAL_SUBSTITUTION = 0x0D
    OPTIONAL_SUBSTITUTION = 0x0E
    FRAGMENT_HEADER = 0x0F


TOKEN_MASK = 0x1F
FLAG_MORE = 0x40


class ValueType(IntEnum):
    """The type byte of a substitution value (integers and floats: :data:`FIXED_SIZES`);
    :data:`ARRAY_FLAG` added to a type makes an array of it."""

    NULL = 0x00
    STRING = 0x01
    ANSI_STRING = 0x02
    BOOL = 0x0D
    BINARY = 0x0E
    GUID = 0x0F
    SIZE_T = 0x10
    FILETIME = 0x11
    SYSTEMTIME = 0x12
    SID = 0x13
    HEX_INT32 = 0x14
    HEX_INT64 = 0x15
    BINXML = 0x21


ARRAY_FLAG = 0x80

# Plain-int copies for the decoding loops below: on Python 3.11 looking up an IntEnum
# member costs ~50 ns against ~8 ns for a module global, which made template-less
# records ~20 % slower to read when the loops compared with the members themselves.
(_EOF, _OPEN_START_ELEMENT, _CLOSE_START_ELEMENT, _CLOSE_EMPTY_ELEMENT, _END_ELEMENT, _VALUE,
 _ATTRIBUTE, _CDATA, _CHAR_REF, _ENTITY_REF, _PI_TARGET, _PI_DATA, _TEMPLATE_INSTANCE,
 _NORMAL_SUBSTITUTION, _OPTIONAL_SUBSTITUTION, _FRAGMENT_HEADER) = map(int, Token)  # fmt: skip
_NULL, _STRING, _ANSI_STRING, _BINXML = map(
    int, (ValueType.NULL, ValueType.STRING, ValueType.ANSI_STRING, ValueType.BINXML)
)

_INTEGER_FORMATS: dict[int, str] = {
    0x03: "<b",
    0x04: "<B",
    0x05: "<h",
    0x06: "<H",
    0x07: "<i",
    0x08: "<I",
    0x09: "<q",
    0x0A: "<Q",
    0x0B: "<f",
    0x0C: "<d",
}
FIXED_SIZES: dict[int, int] = {
    **{vtype: struct.calcsize(fmt) for vtype, fmt in _INTEGER_FORMATS.items()},
    ValueType.BOOL: 4,
    ValueType.GUID: 16,
    ValueType.FILETIME: 8,
    ValueType.SYSTEMTIME: 16,
    ValueType.HEX_INT32: 4,
    ValueType.HEX_INT64: 8,
}

_U8 = struct.Struct("<B")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_NAME_CHARACTERS = NAME_HEADER.field("characters")
_DEFINITION = TEMPLATE_INSTANCE_HEADER.field("definition")
_TEMPLATE_DATA_SIZE = TEMPLATE_HEADER.field("data_size")
_DESCRIPTOR_FIELDS = len(VALUE_DESCRIPTOR.offsets)


_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)
_MAX_DEPTH = 64


class BinXmlError(ValueError):
    """The bytes are not valid BinXML; carries the chunk-relative offset."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at chunk offset {offset:#x}")
        self.offset = offset


@dataclass(frozen=True)
class Value:
    """One decoded substitution value: its type and its rendering as XML text,
    or the element tree of a nested BinXml value."""

    vtype: int
    text: str
    tree: Element | None = None


class ChunkDecoder:
    """Decodes the BinXML of the records of one chunk, caching names and templates.

    :param chunk: the chunk's 64 KiB (a shorter buffer is treated as truncated).
    """

    def __init__(self, chunk: bytes) -> None:
        self.chunk = chunk
        self._names: dict[int, str] = {}
        self._templates: dict[int, Element] = {}
        self._derived: dict[tuple[Hashable, ...], Any] = {}

    def of_bytes(self, chunk: bytes) -> ChunkDecoder:
        """A decoder of ``chunk``, the same chunk read again, that shares this one's
        caches (names, templates and what is derived from them)."""
        other = ChunkDecoder(chunk)
        other._names, other._templates, other._derived = self._names, self._templates, self._derived
        return other

    def cached(self, key: tuple[Hashable, ...], compute: Callable[[], Any]) -> Any:
        """What ``compute`` derives from this chunk's templates, worked out once per key."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    # -- low-level reads -------------------------------------------------------

    def _need(self, offset: int, size: int) -> None:
        if offset < 0 or offset + size > len(self.chunk):
            raise BinXmlError(f"read of {size} bytes past the end of the chunk", offset)

    def _u8(self, offset: int) -> int:
        self._need(offset, 1)
        return self.chunk[offset]

    def _u16(self, offset: int) -> int:
        self._need(offset, 2)
        value: int = _U16.unpack_from(self.chunk, offset)[0]
        return value

    def _u32(self, offset: int) -> int:
        self._need(offset, 4)
        value: int = _U32.unpack_from(self.chunk, offset)[0]
        return value

    def raw(self, offset: int, size: int) -> bytes:
        self._need(offset, size)
        return bytes(self.chunk[offset : offset + size])

    def _utf16(self, offset: int, characters: int) -> str:
        self._need(offset, characters * 2)
        return decode_utf16(bytes(self.chunk[offset : offset + characters * 2]))

    def name(self, offset: int) -> str:
        """The NameString at ``offset`` (next offset, hash, count, UTF-16 text, NUL)."""
        cached = self._names.get(offset)
        if cached is None:
            self._need(offset, NAME_HEADER.size)
            count = _NAME_CHARACTERS.read(self.chunk, offset)
            cached = self._utf16(offset + NAME_HEADER.size, count)
            self._names[offset] = cached
        return cached

    def name_at(self, pos: int) -> tuple[str, int]:
        """Read a name reference at ``pos``; skip the string when it is stored inline.

        The string is skipped by its stored length, not by the decoded name's (which
        loses trailing NULs, and counts a surrogate pair as one character).
        """
        offset = self._u32(pos)
        pos += 4
        name = self.name(offset)
        if offset == pos:  # defined right here, the first time this chunk uses it
            characters = self._u16(offset + _NAME_CHARACTERS.offset)
            pos += NAME_HEADER.size + 2 * characters + 2
        return name, pos

    # -- records -----------------------------------------------------------------

    def record(self, offset: int, end: int) -> Element:
        """Decode the BinXML of the record whose data starts at ``offset``."""
        element, _ = self._fragment(offset, end, in_template=False, depth=0)
        if element is None:
            raise BinXmlError("record holds no element", offset)
        return element

    def template_instance(self, offset: int) -> tuple[int, int]:
        """Parse a template instance token at ``offset``.

        :returns: (template definition offset, offset of the substitution array)
        """
        definition = _DEFINITION.read(self.chunk, offset + 1)
        pos = offset + 1 + TEMPLATE_INSTANCE_HEADER.size
        if definition == pos:  # the definition follows inline
            self._need(pos, TEMPLATE_HEADER.size)
            pos += TEMPLATE_HEADER.size + _TEMPLATE_DATA_SIZE.read(self.chunk, pos)
        return definition, pos

    def template(self, definition: int) -> Element:
        """The element tree of the template defined at ``definition`` (cached)."""
        cached = self._templates.get(definition)
        if cached is None:
            self._need(definition, TEMPLATE_HEADER.size)
            size = _TEMPLATE_DATA_SIZE.read(self.chunk, definition)
            start = definition + TEMPLATE_HEADER.size
            element, _ = self._fragment(start, start + size, in_template=True, depth=0)
            if element is None:
                raise BinXmlError("template defines no element", definition)
            cached = element
            self._templates[definition] = cached
        return cached

    def substitution_spans(self, pos: int) -> tuple[list[tuple[int, int, int]], int]:
        """Locate the values of the substitution array at ``pos`` without decoding them.

        :returns: ``(offset, size, type)`` per value, and the offset after the array.
        """
        count = self._u32(pos)
        pos += 4
        if count > 0x4000:
            raise BinXmlError(f"implausible substitution count {count}", pos - 4)
        self._need(pos, 4 * count)
        descriptors = VALUE_DESCRIPTOR.repeated(count).unpack_from(self.chunk, pos)
        sizes = descriptors[0::_DESCRIPTOR_FIELDS]
        value_pos = pos + 4 * count
        offsets = list(accumulate(sizes, initial=value_pos))
        self._need(pos, offsets[-1] - pos)
        types = descriptors[1::_DESCRIPTOR_FIELDS]
        return list(zip(offsets[:-1], sizes, types, strict=True)), offsets[-1]

    def value(self, span: tuple[int, int, int], depth: int = 0) -> Value:
        """Decode one substitution value located by :meth:`substitution_spans`."""
        offset, size, vtype = span
        return self._value(offset, size, vtype, depth)

    def substitutions(self, pos: int, depth: int = 0) -> tuple[list[Value], int]:
        """Decode the whole substitution array at ``pos``."""
        spans, end = self.substitution_spans(pos)
        return [self.value(span, depth) for span in spans], end

    # -- fragments and elements ------------------------------------------------------

    def _fragment(
        self, pos: int, end: int, *, in_template: bool, depth: int
    ) -> tuple[Element | None, int]:
        """A fragment: optional header, then a template instance or an element."""
        if depth > _MAX_DEPTH:
            raise BinXmlError("BinXML nested too deeply", pos)
        token = self._u8(pos)
        if token == _FRAGMENT_HEADER:
            pos += 4
            token = self._u8(pos)
        if token == _TEMPLATE_INSTANCE:
            definition, pos = self.template_instance(pos)
            values, pos = self.substitutions(pos, depth + 1)
            return fill_template(self.template(definition), values), pos
        if token & TOKEN_MASK == _OPEN_START_ELEMENT:
            return self._element(pos, end, in_template=in_template, depth=depth + 1)
        if token == _EOF:
            return None, pos + 1
        raise BinXmlError(f"unexpected token {token:#04x} at the start of a fragment", pos)

    def _element(self, pos: int, end: int, *, in_template: bool, depth: int) -> tuple[Element, int]:
        if depth > _MAX_DEPTH:
            raise BinXmlError("BinXML nested too deeply", pos)
        chunk = self.chunk  # indexed directly: past its end is an IndexError, a damaged record
        token = chunk[pos]
        pos += 1
        if in_template:
            pos += 2  # dependency id: only element tokens inside templates carry it
        pos += 4  # data size
        name, pos = self.name_at(pos)
        element = Element(name)
        if token & FLAG_MORE:
            pos += 4  # attribute list size
            while chunk[pos] & TOKEN_MASK == _ATTRIBUTE:
                pos += 1
                attribute_name, pos = self.name_at(pos)
                parts, pos = self._content(pos, end, in_template, depth, attribute=True)
                # Inside a template the parts may hold Substitution placeholders that
                # fill_template() resolves; elsewhere they are plain text already. (An
                # attribute's content holds no element: the filters only tell mypy so.)
                value: str | list[Part] = (
                    [part for part in parts if not isinstance(part, Element)]
                    if in_template
                    else "".join(part for part in parts if isinstance(part, str))
                )
                element.attributes.append((attribute_name, value))
        token = chunk[pos]
        if token == _CLOSE_EMPTY_ELEMENT:
            return element, pos + 1
        if token != _CLOSE_START_ELEMENT:
            raise BinXmlError(f"expected the end of a start tag, found {token:#04x}", pos)
        children, pos = self._content(pos + 1, end, in_template, depth, attribute=False)
        element.children = children
        if chunk[pos] != _END_ELEMENT:
            raise BinXmlError("element not closed", pos)
        return element, pos + 1

    def _content(
        self, pos: int, end: int, in_template: bool, depth: int, *, attribute: bool
    ) -> tuple[list[Element | Part], int]:
        """Children of an element, or the parts of an attribute value.

        Stops at the first token that cannot belong to it (end of element, next
        attribute, end of start tag) and leaves ``pos`` on that token.
        """
        parts: list[Element | Part] = []
        chunk = self.chunk
        while pos < end:
            token = chunk[pos]
            base = token & TOKEN_MASK
            if base == _OPEN_START_ELEMENT and not attribute:
                child, pos = self._element(pos, end, in_template=in_template, depth=depth + 1)
                parts.append(child)
            elif base == _VALUE:
                vtype = chunk[pos + 1]
                text, pos = self._inline_value(pos + 2, vtype)
                parts.append(text)
            elif base in (_NORMAL_SUBSTITUTION, _OPTIONAL_SUBSTITUTION):
                if not in_template:
                    raise BinXmlError("substitution outside a template", pos)
                parts.append(Substitution(self._u16(pos + 1), base == _OPTIONAL_SUBSTITUTION))
                pos += 4
            elif base == _CHAR_REF:
                parts.append(chr(self._u16(pos + 1)))
                pos += 3
            elif base == _ENTITY_REF:
                entity, pos = self.name_at(pos + 1)
                parts.append(_ENTITIES.get(entity, f"&{entity};"))
            elif base == _CDATA:
                count = self._u16(pos + 1)
                parts.append(self._utf16(pos + 3, count))
                pos += 3 + 2 * count
            elif base == _PI_TARGET:
                _, pos = self.name_at(pos + 1)  # processing instructions carry no event data
            elif base == _PI_DATA:
                pos += 3 + 2 * self._u16(pos + 1)
            else:
                return parts, pos
        raise BinXmlError("BinXML runs past the end of its record", pos)

    # -- values -------------------------------------------------------------------------

    def _inline_value(self, pos: int, vtype: int) -> tuple[str, int]:
        """A value token's data: strings are length-prefixed, other types fixed-size."""
        if vtype == _STRING:
            count = self._u16(pos)
            return self._utf16(pos + 2, count), pos + 2 + 2 * count
        if vtype == _ANSI_STRING:
            count = self._u16(pos)
            self._need(pos + 2, count)
            return decode_ansi(bytes(self.chunk[pos + 2 : pos + 2 + count])), pos + 2 + count
        size = FIXED_SIZES.get(vtype)
        if size is None:
            raise BinXmlError(f"value token of unsupported type {vtype:#04x}", pos)
        self._need(pos, size)
        return self._value(pos, size, vtype, 0).text, pos + size

    def _value(self, pos: int, size: int, vtype: int, depth: int) -> Value:
        data = bytes(self.chunk[pos : pos + size])
        if vtype == _BINXML:
            tree, _ = self._fragment(pos, pos + size, in_template=False, depth=depth + 1)
            return Value(vtype, tree.text() if tree else "", tree)
        return Value(vtype, render_value(vtype, data))


_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def fill_template(template: Element, values: list[Value]) -> Element:
    """A copy of ``template`` with every substitution replaced by its value.

    An attribute whose whole value is an empty optional substitution is dropped, as
    Windows does when it renders the event.
    """

    return _fill_element(template, values)


def _fill_parts(parts: Sequence[Element | Part], values: list[Value]) -> list[Element | Part]:
    filled: list[Element | Part] = []
    for part in parts:
        if part.__class__ is str:
            filled.append(part)
        elif part.__class__ is Substitution:
            value = values[part.index] if part.index < len(values) else None
            if value is None or (part.optional and value.vtype == _NULL):
                continue
            filled.append(value.tree if value.tree is not None else value.text)
        elif part.__class__ is Element:
            filled.append(_fill_element(part, values))
    return filled


def _fill_element(element: Element, values: list[Value]) -> Element:
    attributes: list[Attribute] = []
    for name, parts in element.attributes:
        filled = _fill_parts(parts, values) if not isinstance(parts, str) else [parts]
        if filled:
            attributes.append((name, "".join(_as_text(p) for p in filled)))
    return Element(element.name, attributes, _fill_parts(element.children, values))


def _as_text(part: Element | Part) -> str:
    """A filled part's text (a substitution, which filling has replaced, has none)."""
    return part if isinstance(part, str) else part.text() if isinstance(part, Element) else ""


# -- value rendering ---------------------------------------------------------------


def decode_utf16(raw: bytes) -> str:
    """UTF-16LE text without its terminating NULs; undecodable units become U+FFFD."""
    return raw.decode("utf-16-le", errors="replace").rstrip("\x00")


def decode_ansi(raw: bytes) -> str:
    """ANSI (code page) text: read as cp1252, undecodable bytes become U+FFFD."""
    return raw.decode("cp1252", errors="replace").rstrip("\x00")


def filetime_to_datetime(ticks: int) -> datetime:
    """A FILETIME (100 ns ticks since 1601) as an aware UTC datetime.

    Out-of-range values are clamped rather than turned into ``datetime.min`` silently:
    callers see an implausible date, not a missing one.
    """
    try:
        return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
    except OverflowError:
        return datetime.max.replace(tzinfo=timezone.utc)


def format_time(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and ``Z``, as Windows renders SystemTime."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _render_sid(data: bytes) -> str:
    if len(data) < 8:
        return data.hex().upper()
    revision, count = data[0], data[1]
    authority = int.from_bytes(data[2:8], "big")
    subs = [
        str(_U32.unpack_from(data, 8 + 4 * i)[0]) for i in range(min(count, (len(data) - 8) // 4))
    ]
    return "-".join(["S", str(revision), str(authority), *subs])


def _render_guid(data: bytes) -> str:
    guid = GUID.read(data[: GUID.size])
    tail = guid.data4.hex().upper()
    return f"{{{guid.data1:08X}-{guid.data2:04X}-{guid.data3:04X}-{tail[:4]}-{tail[4:]}}}"


def _render_systemtime(data: bytes) -> str:
    t = SYSTEMTIME.read(data[: SYSTEMTIME.size])
    return (f"{t.year:04}-{t.month:02}-{t.day:02}T{t.hour:02}:{t.minute:02}:{t.second:02}"
            f".{t.milliseconds:03}Z")  # fmt: skip


def _render_integer(fmt: str) -> Callable[[bytes], str]:
    layout = struct.Struct(fmt)

    def render(data: bytes) -> str:
        if len(data) < layout.size:
            return data.hex().upper()
        return str(layout.unpack_from(data)[0])

    return render


def _render_hex(data: bytes) -> str:
    return f"0x{int.from_bytes(data, 'little'):x}"  # as Windows shows it: 0x4


def _render_filetime(data: bytes) -> str:
    if len(data) < 8:
        return data.hex().upper()
    return format_time(filetime_to_datetime(_U64.unpack_from(data)[0]))


_RENDERERS: dict[int, Callable[[bytes], str]] = {
    ValueType.NULL: lambda data: "",
    ValueType.STRING: decode_utf16,
    ValueType.ANSI_STRING: decode_ansi,
    **{vtype: _render_integer(fmt) for vtype, fmt in _INTEGER_FORMATS.items()},
    ValueType.BOOL: lambda data: "true" if int.from_bytes(data[:4], "little") else "false",
    ValueType.GUID: lambda data: _render_guid(data) if len(data) >= 16 else data.hex().upper(),
    ValueType.SIZE_T: _render_hex,
    ValueType.HEX_INT32: _render_hex,
    ValueType.HEX_INT64: _render_hex,
    ValueType.FILETIME: _render_filetime,
    ValueType.SYSTEMTIME: lambda data: (
        _render_systemtime(data) if len(data) >= 16 else data.hex().upper()
    ),
    ValueType.SID: _render_sid,
}


def render_value(vtype: int, data: bytes) -> str:
    """The XML text Windows shows for a value of type ``vtype``.

    Binary values and types unknown to us are shown in hexadecimal, never dropped.
    """
    render = _RENDERERS.get(vtype)
    if render is not None:
        return render(data)
    if vtype & ARRAY_FLAG:
        return _render_array(vtype & ~ARRAY_FLAG, data)
    return data.hex().upper()


def _render_array(vtype: int, data: bytes) -> str:
    if vtype == _STRING:
        return ", ".join(part for part in decode_utf16(data).split("\x00") if part)
    size = FIXED_SIZES.get(vtype)
    if size is None:
        return data.hex().upper()
    return ", ".join(
        render_value(vtype, data[i : i + size]) for i in range(0, len(data) - size + 1, size)
    )
