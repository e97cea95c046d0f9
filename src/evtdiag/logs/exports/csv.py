"""Read tabular event exports (CSV and TSV), mapping each column by its name.

One reader for every table of events a ticket holds:

* Event Viewer "Save All Events As... > CSV" and "Text (Tab delimited)": a header of
  five names (``Level,Date and Time,Source,Event ID,Task Category``, translated on
  localised systems), then one row per event with a sixth, unnamed cell: the message;
* ``Get-WinEvent ... | Export-Csv`` and ``Get-EventLog ... | Export-Csv``: the
  object's properties as columns (all of them, or any ``Select-Object`` subset in any
  order, computed columns included), with a ``#TYPE ...`` first line unless
  ``-NoTypeInformation`` (PowerShell 5.1's default), every cell quoted, and ``;`` with
  ``-UseCulture`` on a culture whose list separator it is.

The names are those of :mod:`evtdiag.logs.exports.columns`; the delimiter (``,``
``;`` or a tab) is the one that splits the header into the most known names; the text
is UTF-8 with or without a BOM, UTF-16 LE/BE with a BOM, else Windows-1252. A table
without a time, an event id, or a provider or message column is refused with its
columns and the export command that would work. What a form lacks (event data,
Computer, record ids, the zone of its times) is said in the coverage
(:mod:`evtdiag.logs.exports.rows`).
"""

from __future__ import annotations

import csv
import io
import re

from evtdiag.errors import InputFormatError
from evtdiag.logs.exports import columns as col
from evtdiag.logs.exports.rows import Form, Row, read_rows, text_format
from evtdiag.logs.sources import ReadContext, Result
from evtdiag.model import Place, Skipped
from evtdiag.text_decoding import decode_text

NAME = "csv"
DELIMITERS = (",", ";", "\t")
TYPE_LINE = "#TYPE"
"""PowerShell 5.1's ``Export-Csv`` first line (``#TYPE System.Diagnostics...``)."""

_EVENT_ID = re.compile(r"[0-9]{1,10}")
"""An Event ID cell: ASCII digits (``str.isdigit()`` also takes ``²``, which ``int()``
refuses, and ``int()`` refuses more than 4,300 digits; found by fuzzing)."""
EVENT_VIEWER_COLUMNS = (col.LEVEL, col.TIME, col.PROVIDER, col.EVENT_ID)
"""The first four columns of Event Viewer's CSV/TXT, in their order (the fifth is the
task category, then the unnamed message)."""


def _decode(data: bytes) -> str:
    return decode_text(data, "cp1252")[0]


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _is_type_line(cells: list[str]) -> bool:
    """True for PowerShell's ``#TYPE`` line (to skip)."""
    return len(cells) >= 1 and cells[0].lstrip("\ufeff").startswith(TYPE_LINE)


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _delimiter(header: str) -> str:
    """The delimiter that splits the header into the most known names (then cells)."""

    def score(delimiter: str) -> tuple[int, int]:
        cells = _split(header, delimiter)
        return sum(1 for cell in cells if col.is_known(cell)), len(cells)

    return max(DELIMITERS, key=score)


def _header_line(text: str) -> str:
    lines = [line for line in _lines(text)[:3] if line.strip()]
    if lines and lines[0].lstrip("\ufeff").startswith(TYPE_LINE):
        lines.pop(0)
    return lines[0] if lines else ""


def looks_like_event_table(head: bytes) -> bool:
    """True when the first bytes are a table of events: a header naming at least two of
    the fields evtdiag reads, or Event Viewer's shape in a language it does not know."""
    text = _decode(head)
    header = _header_line(text)
    delimiter = _delimiter(header)
    names = _split(header, delimiter)
    if len({col.field_of(name) for name in names} - {None}) >= 2:
        return True
    return _has_event_viewer_shape(text, delimiter)


def _has_event_viewer_shape(text: str, delimiter: str) -> bool:
    """A header of at least five cells whose fourth is not a number, then a row whose
    fourth cell is an event id: Event Viewer's layout whatever its language."""
    try:
        parsed = list(csv.reader(io.StringIO("\n".join(_lines(text)[:40])), delimiter=delimiter))
    except csv.Error:
        return False
    if not parsed or len(parsed[0]) < 5 or _is_event_id(parsed[0][3]):
        return False
    body = [row for row in parsed[1:] if len(row) >= 5]
    return bool(body) and _is_event_id(body[0][3])


def _is_event_id(cell: str) -> bool:
    return _EVENT_ID.fullmatch(cell.strip()) is not None


def event_viewer_by_position(names: list[str]) -> col.Layout:
    """Event Viewer's layout read by position: for a header in a language evtdiag does
    not know, when the table has Event Viewer's shape (and only then)."""
    fields = dict(zip(EVENT_VIEWER_COLUMNS, range(4), strict=True))
    return col.Layout(tuple(names), fields)


def read_event_table(data: bytes, label: str, context: ReadContext) -> Result:
    """Read a CSV/TSV export; keep the rows of PSync events.

    :raises InputFormatError: the table lacks a column evtdiag needs, or its local
        times are in no known layout or ambiguous.
    """
    text = _decode(data)
    delimiter = _delimiter(_header_line(text))
    rows, skipped = _parse(text, delimiter, label)
    if rows and _is_type_line(rows[0][1]):
        rows.pop(0)
    if not rows:
        raise InputFormatError(f"{label}: a table without rows")
    (_, names), body = rows[0], rows[1:]
    names = [name.lstrip("\ufeff") for name in names]
    layout = col.Layout.of(names)
    width = len(names)
    tail = any(len(cells) > width for _, cells in body)
    if len(layout.fields) < 2 and _has_event_viewer_shape(text, delimiter):
        layout = event_viewer_by_position(names)
    lacks = layout.missing(message_elsewhere=tail)
    if lacks:
        raise InputFormatError(col.refusal(label, names, lacks))
    table = [
        Row(
            line,
            layout.pick(cells),
            delimiter.join(cells[width:]) if len(cells) > width else None,
        )
        for line, cells in body
        if any(cell.strip() for cell in cells)
    ]
    return read_rows(table, Form(NAME, label, data, layout), context, skipped)


def _parse(
    text: str, delimiter: str, label: str
) -> tuple[list[tuple[int, list[str]]], list[Skipped]]:
    """Every row with the line it starts on; a place where the CSV stops being readable
    is skipped with the rest of the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    skipped: list[Skipped] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        skipped.append(
            Skipped(Place(label, line=start), f"CSV not readable here ({error}): rest not read")
        )
    return rows, skipped


FORMAT = text_format(NAME, looks_like_event_table, read_event_table)
