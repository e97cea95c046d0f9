"""Read ``Get-WinEvent ... | Export-Clixml`` and ``Get-EventLog ... | Export-Clixml``.

PowerShell's CLIXML is an ``<Objs>`` document of ``<Obj>`` elements, one per event,
whose properties are typed elements named by their ``N`` attribute inside ``<Props>``
(or ``<MS>`` for the note properties of ``Select-Object``): ``<S N="ProviderName">``,
``<I32 N="Id">``, ``<DT N="TimeCreated">`` (ISO 8601 with the offset: an absolute time),
``<Nil N="Qualifiers"/>``. A collection is an ``<Obj>`` holding ``<LST>``:
``ReplacementStrings`` lists its strings, ``Properties`` lists ``EventProperty`` objects
whose ``Value`` is the data item (or, beyond the serialisation depth, only their type
name: no data, then user and host come from the message). Control characters are
written ``_x000D_``. Export-Clixml writes UTF-16 LE with a BOM by default.

The document is untrusted XML: parsed without DTD, entities or network
(:data:`evtdiag.logs.event_tree.SAFE_PARSER_OPTIONS`); a DTD is refused.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from evtdiag.errors import InputFormatError
from evtdiag.logs.event_tree import SAFE_PARSER_OPTIONS
from evtdiag.logs.exports.rows import read_objects, text_format
from evtdiag.logs.sources import ReadContext, Result
from evtdiag.text_decoding import decode_text

NAME = "clixml"
NAMESPACE = "http://schemas.microsoft.com/powershell/2004/04"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_COLLECTIONS = ("LST", "IE", "STK", "QUE")
"""The elements that hold a collection's items."""


def looks_like_clixml(head: bytes) -> bool:
    """True when the text opens PowerShell's ``<Objs>`` document."""
    text = decode_text(head, "cp1252")[0]
    return "<Objs" in text[:512] and NAMESPACE in text[:1024]


def _unescape(text: str) -> str:
    """CLIXML's ``_xHHHH_`` escapes (control characters, and ``_x`` itself) decoded."""
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def _local(element: etree._Element) -> str:
    name: str = etree.QName(element).localname
    return name


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in element if isinstance(c.tag, str) and _local(c) == name), None)


def properties(obj: etree._Element) -> dict[str, Any]:
    """An object's properties by name (``Props`` and ``MS``), each as text, a list of
    items, or None."""
    found: dict[str, Any] = {}
    for bag in obj:
        if isinstance(bag.tag, str) and _local(bag) in ("Props", "MS"):
            for item in bag:
                name = item.get("N") if isinstance(item.tag, str) else None
                if name:
                    found.setdefault(_unescape(name), _value(item))
    return found


def _value(element: etree._Element) -> Any:
    tag = _local(element)
    if tag in ("Nil", "Ref"):
        return None
    if tag != "Obj":
        return _unescape(element.text or "")
    items = next((c for c in element if isinstance(c.tag, str) and _local(c) in _COLLECTIONS), None)
    if items is not None:
        return [_item(item) for item in items if isinstance(item.tag, str)]
    shown = _child(element, "ToString")
    return _unescape(shown.text or "") if shown is not None else None


def _item(element: etree._Element) -> Any:
    """A collection's item: an ``EventProperty`` as its ``Value``, else its value."""
    if _local(element) == "Obj":
        value = properties(element).get("Value")
        if value is not None:
            return value
    return _value(element)


def read_clixml(data: bytes, label: str, context: ReadContext) -> Result:
    """Read every event object of an Export-Clixml file; keep the PSync events.

    :raises InputFormatError: the XML is not well-formed, declares a DTD, holds no
        object, or its objects lack a property evtdiag needs.
    """
    text = decode_text(data, "cp1252")[0].lstrip("\ufeff")
    if re.search(r"<!(DOCTYPE|ENTITY)", text[:65536], re.IGNORECASE):
        raise InputFormatError(f"{label}: CLIXML with a document type declaration refused")
    parser = etree.XMLParser(**SAFE_PARSER_OPTIONS)
    try:
        root = etree.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text).encode(), parser)
    except etree.XMLSyntaxError as error:
        raise InputFormatError(
            f"{label}: not well-formed CLIXML at line {error.lineno}: {error.msg}"
        ) from None
    objects = [properties(obj) for obj in root if isinstance(obj.tag, str) and _local(obj) == "Obj"]
    if not objects:
        raise InputFormatError(f"{label}: CLIXML without an object")
    return read_objects(objects, NAME, label, data, context)


FORMAT = text_format(NAME, looks_like_clixml, read_clixml)
