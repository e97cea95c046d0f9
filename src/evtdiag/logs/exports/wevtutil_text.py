"""Read ``wevtutil qe LOG /f:text`` output saved to a file.

wevtutil writes one block per event::

    Event[0]:
      Log Name: Application
      Source: Microsoft-Windows-IDMU-PSync
      Date: 2026-09-14T08:00:00.000
      Event ID: 12294
      Task: N/A
      Level: Error
      ...
      Computer: DC01.corp.example.com
      Description:
    Password propagation denied for the remote user.
    ...

the labels indented, then ``Description:`` and the message on the lines after it, up to
the next ``Event[N]:``. The labels are mapped by name as table columns are
(:mod:`evtdiag.logs.exports.columns`). ``Date`` is the exporting computer's local time
without a zone (``2020-12-14T17:09:08.940``, read with ``--export-tz``) from older
wevtutil versions, UTC with a ``Z`` (``2025-11-11T11:44:42.9510000Z``) from recent ones;
some write ``Event[N]`` without the colon (both seen in public transcripts). Saved from
cmd (``> file``) the text is in the console's OEM code page or UTF-8; from PowerShell
5.1 (``> file``, ``Out-File``) it is UTF-16 LE with a BOM. There is no event data (user
and host come from the message) and no record id (the line of ``Event[N]:`` stands
for it).
"""

from __future__ import annotations

import re

from evtdiag.errors import InputFormatError
from evtdiag.logs.exports import columns as col
from evtdiag.logs.exports.rows import Form, Row, read_rows, text_format
from evtdiag.logs.sources import ReadContext, Result
from evtdiag.text_decoding import bom_encoding

NAME = "wevtutil-text"
_BLOCK = re.compile(r"^\s*Event\[\d{1,10}\]:?\s*$")
_LABEL = re.compile(r"^\s*([^:\r\n]{1,40}?):[ \t]?(.*)$")
_OEM_LETTERS = bytes(range(0x80, 0xB0))
"""Where the OEM code pages (437, 850) keep their accented letters; Windows-1252 keeps
them from 0xC0 up."""


def decode(data: bytes) -> str:
    """The BOM's encoding, else UTF-8, else the OEM code page 850 when every high byte
    is one of its letters, else Windows-1252 (cmd writes the console's code page)."""
    encoding = bom_encoding(data)
    if encoding:
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        high = {byte for byte in data if byte >= 0x80}
        oem = high <= set(_OEM_LETTERS)
        return data.decode("cp850" if oem else "cp1252", errors="replace")


def looks_like_wevtutil_text(head: bytes) -> bool:
    """True when the first line that is not blank is ``Event[N]:``."""
    text = decode(head).lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    return _BLOCK.match(first) is not None


def read_wevtutil_text(data: bytes, label: str, context: ReadContext) -> Result:
    """Read every ``Event[N]:`` block; keep the PSync events.

    :raises InputFormatError: the blocks lack a label evtdiag needs (a time or an id).
    """
    blocks: list[tuple[int, dict[str, str], list[str]]] = []
    text = decode(data).lstrip("\ufeff").replace("\0", "")  # stray NULs of a bad re-encoding
    for number, line in enumerate(text.splitlines(), start=1):
        if _BLOCK.match(line):
            blocks.append((number, {}, []))
            continue
        if not blocks:
            continue
        _, labels, message = blocks[-1]
        found = _LABEL.match(line) if not message and col.MESSAGE not in labels else None
        if found:
            labels[found.group(1).strip()] = found.group(2).strip()
            if col.field_of(found.group(1)) == col.MESSAGE:
                labels[col.MESSAGE] = found.group(2).strip()
        elif col.MESSAGE in labels:
            message.append(line)
    names = list(dict.fromkeys(name for _, labels, _ in blocks for name in labels))
    names = [name for name in names if name != col.MESSAGE]
    layout = col.Layout.of(names)
    lacks = layout.missing()
    if lacks:
        raise InputFormatError(col.refusal(label, names, lacks))
    rows = [
        Row(number, layout.pick([labels.get(name) for name in names]), _message(labels, lines))
        for number, labels, lines in blocks
    ]
    return read_rows(rows, Form(NAME, label, data, layout), context, [])


def _message(labels: dict[str, str], lines: list[str]) -> str | None:
    """The description: the text on its label's line and the lines after it."""
    text = "\n".join([labels.get(col.MESSAGE, ""), *lines]).strip("\n")
    return text.strip() or None


FORMAT = text_format(NAME, looks_like_wevtutil_text, read_wevtutil_text)
