"""Read Event Viewer "Save All Events As... > CSV" and "Text (Tab delimited)" exports.

Layout Windows writes (checked against Event Viewer output): a header row naming five
columns ``Level,Date and Time,Source,Event ID,Task Category`` (translated on localised
systems) and then one row per event with *six* fields, the sixth, unnamed, being the
rendered message, quoted and usually spanning several lines. The TXT variant is the
same with tabs. The file is UTF-8 with a BOM, or UTF-16 with a BOM; without a BOM
UTF-8 is tried, then Windows-1252.

What such an export lacks, and what evtdiag does about it:

* no event data: user and host come from the message text (rendered from
  ``... %ruser = %1 %rhost = %2``; :mod:`evtdiag.psync` marks them ``message_derived``);
* no EventRecordID: the line the row starts on is used instead (stable for a given file);
* no Computer: the DC is unknown;
* dates are in the exporting computer's locale and local time zone, without the zone:
  the format is recognised when only one known layout reads every row, and an
  ambiguous file (``01/09/2026``: January or September?) is refused with a message
  asking for ``--csv-date-format``; the time is taken as UTC unless the format has ``%z``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import datetime, timezone
from pathlib import Path

from evtdiag.errors import InputFormatError
from evtdiag.logs.events import Element, event_record
from evtdiag.logs.providers import ProviderMatcher
from evtdiag.logs.sources import Format, ReadContext, Result, Source
from evtdiag.model import EventRecord, InputCoverage, Place, Skipped
from evtdiag.text_decoding import decode_text

_EVENT_ID = re.compile(r"[0-9]{1,10}")
"""An Event ID column: ASCII digits (``str.isdigit()`` also takes ``²``, which ``int()``
refuses, and ``int()`` refuses more than 4,300 digits; found by fuzzing)."""


def _is_event_id(cell: str) -> bool:
    return _EVENT_ID.fullmatch(cell.strip()) is not None


NAME = "csv"
MAX_SIZE = 512 * 1024 * 1024
"""Larger text files are refused rather than read into memory."""

DATE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",  # en-US
    "%d/%m/%Y %I:%M:%S %p",  # en-AU, en-IN
    "%d/%m/%Y %H:%M:%S",  # en-GB, fr-FR, es-ES, it-IT, pt-BR
    "%m/%d/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",  # de-DE, ru-RU, pl-PL
    "%d-%m-%Y %H:%M:%S",  # nl-NL
    "%Y-%m-%d %H:%M:%S",  # sv-SE, ISO
    "%Y/%m/%d %H:%M:%S",  # ja-JP, zh-CN
    "%Y-%m-%dT%H:%M:%S",
)
"""The layouts tried, in order, when ``--csv-date-format`` is not given."""

LEVELS = {
    "critical": 1,
    "error": 2,
    "warning": 3,
    "information": 4,
    "verbose": 5,
    "kritisch": 1,
    "fehler": 2,
    "warnung": 3,
    "informationen": 4,
    "erreur": 2,
    "avertissement": 3,
}
_INVISIBLE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _decode(data: bytes) -> str:
    return decode_text(data, "cp1252")[0]


def _delimiter(first_line: str) -> str:
    return "\t" if "\t" in first_line else ","


def looks_like_event_csv(head: bytes) -> bool:
    """True when the first bytes are an Event Viewer CSV or tab-delimited export.

    Recognised by shape, not by the (translated) names: a header of at least five
    columns whose fourth is not a number, then a row whose fourth field is an event id.
    """
    text = _decode(head)
    rows = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(rows) < 2:
        return False
    delimiter = _delimiter(rows[0])
    try:
        parsed = list(csv.reader(io.StringIO("\n".join(rows[:40])), delimiter=delimiter))
    except csv.Error:
        return False
    if not parsed or len(parsed[0]) < 5 or _is_event_id(parsed[0][3]):
        return False
    body = [row for row in parsed[1:] if len(row) >= 5]
    return bool(body) and _is_event_id(body[0][3])


def _clean_date(text: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def _parse(text: str, fmt: str) -> datetime | None:
    try:
        moment = datetime.strptime(text, fmt)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def choose_date_format(dates: list[tuple[int, str]], name: str) -> str:
    """The one known layout that reads every date; refuse when none or several differ.

    :param dates: ``(line, cleaned date text)`` of every row.
    :raises InputFormatError: no layout fits, or the dates are ambiguous.
    """
    fitting = [fmt for fmt in DATE_FORMATS if all(_parse(d, fmt) for _, d in dates)]
    if not fitting:
        line, sample = next(
            ((n, d) for n, d in dates if not any(_parse(d, fmt) for fmt in DATE_FORMATS)),
            dates[0],
        )
        raise InputFormatError(
            f"{name}:{line}: date {sample!r} is in no known layout; give its layout with "
            "--csv-date-format (a strptime format, e.g. '%d/%m/%Y %H:%M:%S')"
        )
    readings = {tuple(_parse(d, fmt) for _, d in dates) for fmt in fitting}
    if len(readings) > 1:
        line, sample = next(
            (line, d) for line, d in dates if len({_parse(d, fmt) for fmt in fitting}) > 1
        )
        options = " or ".join(f"'{fmt}'" for fmt in fitting[:3])
        raise InputFormatError(
            f"{name}:{line}: date {sample!r} is ambiguous (day-first or month-first; "
            f"no date in the file settles it); rerun with --csv-date-format {options}"
        )
    return fitting[0]


def _tree(
    *, provider: str, event_id: int, level: int | None, when: datetime | None, line: int, message
) -> Element:
    def leaf(tag: str, text: str, attributes: list[tuple[str, str]] | None = None) -> Element:
        return Element(tag, attributes or [], [text] if text else [])

    system = Element(
        "System",
        [],
        [
            leaf("Provider", "", [("Name", provider)]),
            leaf("EventID", str(event_id)),
            leaf("Level", "" if level is None else str(level)),
            leaf(
                "TimeCreated",
                "",
                [("SystemTime", when.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"))] if when else [],
            ),
            leaf("EventRecordID", str(line)),
            leaf("Channel", ""),
            leaf("Computer", ""),
        ],
    )
    rendering = Element("RenderingInfo", [], [leaf("Message", message)])
    return Element("Event", [], [system, rendering])


def read_event_csv(
    path: Path,
    matcher: ProviderMatcher,
    *,
    name: str | None = None,
    date_format: str | None = None,
) -> tuple[InputCoverage, list[EventRecord]]:
    """Read an Event Viewer CSV/TXT export; keep the rows of wanted providers.

    :param date_format: a strptime format for the "Date and Time" column; without it
        the layout is recognised, and an ambiguous file is refused.
    :raises InputFormatError: the file is too large, or its dates cannot be read.
    """
    name = name or str(path)
    size = path.stat().st_size
    if size > MAX_SIZE:
        raise InputFormatError(
            f"{name}: {size:,} bytes is too large for a CSV export (limit {MAX_SIZE:,}); "
            "export the PSync events only (Filter Current Log) or use .evtx"
        )
    data = path.read_bytes()
    text = _decode(data)
    delimiter = _delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    skipped: list[Skipped] = []
    start = 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as error:
        skipped.append(
            Skipped(Place(name, line=start), f"CSV not readable here ({error}): rest not read")
        )
    body = []
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 5 or not _is_event_id(row[3]):
            skipped.append(
                Skipped(Place(name, line=line), "row is not an event (no numeric Event ID)")
            )
            continue
        body.append((line, row))
    dates = [(line, _clean_date(row[1])) for line, row in body]
    if date_format is None and dates:
        date_format = choose_date_format(dates, name)
    events: list[EventRecord] = []
    times = []
    for (line, row), (_, date_text) in zip(body, dates, strict=True):
        when = _parse(date_text, date_format) if date_format else None
        if when is None:
            skipped.append(
                Skipped(
                    Place(name, line=line),
                    f"date {date_text!r} does not match {date_format!r}: row not read",
                )
            )
            continue
        times.append(when)
        provider = row[2].strip()
        if not matcher.matches([provider]):
            continue
        tree = _tree(
            provider=provider,
            event_id=int(row[3].strip()) & 0xFFFF,
            level=LEVELS.get(row[0].strip().casefold()),
            when=when,
            line=line,
            message=delimiter.join(row[5:]),
        )
        events.append(event_record(tree, place=Place(name, line=line)))
    if body:
        skipped.append(
            Skipped(
                Place(name),
                "CSV export: times are the exporting computer's local time read as UTC"
                + ("" if date_format and "%z" in date_format else " (no zone in the file)")
                + "; no Computer column (DC unknown); record ids are line numbers",
                lost=False,
            )
        )
    return InputCoverage(
        path=name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=NAME,
        size=size,
        records=len(times),
        psync_events=len(events),
        skipped=tuple(skipped),
        dirty=None,
        first_time=min(times, default=None),
        last_time=max(times, default=None),
    ), events


def _read(source: Source, context: ReadContext) -> list[Result]:
    date_format = context.options.csv_date_format
    return [
        read_event_csv(
            Path(source.path), context.matcher, name=source.label, date_format=date_format
        )
    ]


FORMAT = Format(NAME, looks_like_event_csv, _read)
