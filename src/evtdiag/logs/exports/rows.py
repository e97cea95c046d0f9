"""From the fields of an exported event, by name, to records and the input's coverage.

The CSV/TSV, ``wevtutil /f:text`` and JSON readers each find an event's fields their
own way and hand them here as a :class:`Row` (field name of
:mod:`evtdiag.logs.exports.columns` → the value as the export wrote it: text, or a
JSON number, list or object); everything after that is shared: reading the values,
the times (one layout for a file's local times, and ``--export-tz``), deciding which
rows are PSync's, reading the insertion strings of undescribed events, and saying in
the coverage what the form lacks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from evtdiag.errors import InputFormatError
from evtdiag.logs.event_tree import Attribute, Element, Part, event_record
from evtdiag.logs.exports import columns as col
from evtdiag.logs.exports import dates
from evtdiag.logs.exports.messages import is_psync_text, undescribed
from evtdiag.logs.providers import DEFAULT_PROVIDERS
from evtdiag.logs.sources import Format, ReadContext, Result, Source
from evtdiag.model import EventRecord, InputCoverage, Place, Skipped

LEVELS = {
    # Event Viewer and Get-WinEvent's LevelDisplayName (English), Get-EventLog's EntryType.
    "critical": 1, "error": 2, "warning": 3, "information": 4, "verbose": 5,
    # German (Event Viewer help; "Informationen" and "Fehler" in public German
    # exports), then French, Spanish, Italian, Portuguese, Japanese (unverified but
    # for "情報", as their headers: evtdiag.logs.exports.columns).
    "kritisch": 1, "fehler": 2, "warnung": 3, "informationen": 4, "ausführlich": 5,
    "critique": 1, "erreur": 2, "avertissement": 3,
    "crítico": 1, "advertencia": 3, "información": 4,
    "critico": 1, "errore": 2, "avviso": 3, "informazioni": 4,
    "erro": 2, "aviso": 3, "informações": 4,
    "重大": 1, "エラー": 2, "警告": 3, "情報": 4,  # 情報: public repositories' CSV
}  # fmt: skip
"""Level names as exports write them → the ``System/Level`` number."""

ENTRY_TYPES = {1: 2, 2: 3, 4: 4}
"""``Get-EventLog``'s ``EntryType`` as ``ConvertTo-Json`` writes it (the enum's number:
Error 1, Warning 2, Information 4) → the Level number; audits have none."""

TYPE_NAME = re.compile(r"(?:System|Microsoft)\.[\w.`+]+(?:\[.*\])?", re.DOTALL)
"""A cell that is only a .NET type name (``System.String[]``, ``System.Collections.
Generic.List`1[...EventProperty]``) is how ``Export-Csv`` writes a collection: nothing."""
DATA_SEPARATORS = ("\n", "|", ";")
"""How a computed column (``@{n='Properties'; e={$_.Properties.Value -join "`n"}}``)
may join the values; the first one the cell holds splits it."""


_SYSTEM_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"
MAX_SIZE = 512 * 1024 * 1024
"""Text exports are read whole: larger ones are refused rather than read into memory."""


TextReader = Callable[[bytes, str, ReadContext], Result]
"""Reads a text export given whole: its bytes, its label, the context."""


def text_format(name: str, recognises: Callable[[bytes], bool], read: TextReader) -> Format:
    """The format of a text export read whole (under :data:`MAX_SIZE`)."""

    def read_source(source: Source, context: ReadContext) -> list[Result]:
        return [read(read_whole(source), source.label, context)]

    return Format(name, recognises, read_source)


def read_whole(source: Source) -> bytes:
    """The bytes of a text export, under :data:`MAX_SIZE`.

    :raises InputFormatError: the file is larger.
    """
    size = Path(source.path).stat().st_size
    if size > MAX_SIZE:
        raise InputFormatError(
            f"{source.label}: {size:,} bytes is too large for a text export (limit "
            f"{MAX_SIZE:,}); export the PSync events only (Filter Current Log) or use .evtx"
        )
    return Path(source.path).read_bytes()


@dataclass(frozen=True)
class Row:
    """One exported event: where it starts, and its fields by name."""

    line: int
    values: Mapping[str, Any]
    message_tail: str | None = None
    """Event Viewer's unnamed message cells (after the named columns), joined."""


@dataclass(frozen=True)
class Form:
    """What a reader knows of its whole input."""

    name: str
    """The format's name in the coverage."""
    label: str
    data: bytes
    layout: col.Layout


def _text(value: Any) -> str | None:
    """A JSON value or a cell as text; an object ``{"value": ...}`` (a PowerShell 5.1
    ``DateTime`` with its ``DisplayHint``) as its value."""
    if isinstance(value, dict):
        value = value.get("value", value.get("Value"))
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    text = _text(value)
    if text is None or not text.lstrip("-").isascii() or not text.lstrip("-").isdigit():
        return None
    return int(text) if len(text) <= 20 else None


def _level(value: Any, entry_type: bool) -> int | None:
    number = _int(value)
    if number is not None:
        return ENTRY_TYPES.get(number) if entry_type else number
    text = _text(value)
    return LEVELS.get(text.casefold()) if text else None


def _data(value: Any) -> tuple[str, ...] | None:
    """The data items of a Properties/ReplacementStrings value, or None when it carries
    none (a .NET type name, nothing)."""
    if isinstance(value, list):
        items = [_text(item) if isinstance(item, dict) else item for item in value]
        if items and all(item is None or _is_type_name(str(item)) for item in items):
            return None  # each item written as its type name: no values
        return tuple("" if item is None else str(item) for item in items)
    text = _text(value)
    if text is None or _is_type_name(text):
        return None
    for separator in DATA_SEPARATORS:
        if separator in text:
            return tuple(item.strip() for item in text.replace("\r\n", "\n").split(separator))
    return (text,)


def _is_type_name(text: str) -> bool:
    return TYPE_NAME.fullmatch(text) is not None


@dataclass
class _Fields:
    """One row's values, read."""

    provider: str | None
    event_id: int | None
    qualifiers: int | None
    level: int | None
    time: datetime | None
    record_id: int | None
    computer: str
    channel: str
    data: tuple[str, ...] | None
    message: str | None


def _read(row: Row, layout: col.Layout) -> tuple[_Fields, str | None]:
    """The row's fields; and its time text when the time is local (read later, with
    the file's one layout)."""
    values = row.values
    event_id = _int(values.get(col.EVENT_ID))
    qualifiers = _int(values.get(col.QUALIFIERS))
    instance = _int(values.get(col.INSTANCE_ID))
    if instance is not None and qualifiers is None:
        # Get-EventLog's InstanceId: the event's code in the low 16 bits (its EventID
        # column, when there is one), the qualifiers in the high ones.
        qualifiers = (instance >> 16) & 0xFFFF
    event_id = None if event_id is None else event_id & 0xFFFF
    time_value = values.get(col.TIME)
    time_text = _text(time_value)
    absolute = dates.parse_absolute(time_text) if time_text else None
    entry_type = _is_entry_type(layout)
    message = _text(values.get(col.MESSAGE)) or row.message_tail
    fields = _Fields(
        provider=_text(values.get(col.PROVIDER)),
        event_id=event_id,
        qualifiers=qualifiers,
        level=_level(values.get(col.LEVEL), entry_type),
        time=absolute,
        record_id=_int(values.get(col.RECORD_ID)),
        computer=_text(values.get(col.COMPUTER)) or "",
        channel=_text(values.get(col.CHANNEL)) or "",
        data=_data(values.get(col.DATA)),
        message=message,
    )
    return fields, (time_text if absolute is None else None)


def _is_entry_type(layout: col.Layout) -> bool:
    index = layout.fields.get(col.LEVEL)
    return index is not None and col.fold(layout.columns[index]) == "entrytype"


def read_objects(
    objects: Sequence[Mapping[str, Any]], name: str, label: str, data: bytes, context: ReadContext
) -> tuple[InputCoverage, list[EventRecord]]:
    """The records and coverage of serialised PowerShell objects (JSON, CLIXML): their
    property names are the columns, the object's number stands for its line.

    :raises InputFormatError: the objects lack a property evtdiag needs.
    """
    names = list(dict.fromkeys(str(key) for item in objects for key in item))
    layout = col.Layout.of(names)
    lacks = layout.missing()
    if lacks:
        raise InputFormatError(col.refusal(label, names, lacks))
    rows = [
        Row(number, layout.pick([item.get(name) for name in names]))
        for number, item in enumerate(objects, start=1)
    ]
    return read_rows(rows, Form(name, label, data, layout), context, [])


def read_rows(
    rows: Sequence[Row], form: Form, context: ReadContext, skipped: list[Skipped]
) -> tuple[InputCoverage, list[EventRecord]]:
    """The records of the PSync rows and the input's coverage.

    :param skipped: the places the reader already could not read; rows without a
        readable time or id are added.
    :raises InputFormatError: the local times are in no known layout, or ambiguous.
    """
    options = context.options
    zone = options.export_tz
    read = [(row, *_read(row, form.layout)) for row in rows]
    local = [(row.line, text) for row, _, text in read if text]
    layout = dates.choose_layout(local, form.label, options.csv_date_format) if local else None
    events: list[EventRecord] = []
    times: list[datetime] = []
    computers: set[str] = set()
    for row, fields, text in read:
        if text is not None and layout is not None:
            fields.time = dates.read_time(text, layout, zone)
        why = _unreadable(fields, text, layout)
        if why:
            skipped.append(Skipped(Place(form.label, line=row.line), why))
            continue
        assert fields.time is not None
        times.append(fields.time)
        record = _psync_record(fields, row.line, form.label, context)
        if record is not None:
            events.append(record)
            if record.computer:
                computers.add(record.computer)
    if times:
        skipped.extend(_losses(form, bool(local), zone, events))
    return InputCoverage(
        path=form.label,
        sha256=hashlib.sha256(form.data).hexdigest(),
        format=form.name,
        size=len(form.data),
        records=len(times),
        psync_events=len(events),
        skipped=tuple(skipped),
        dirty=None,
        first_time=min(times, default=None),
        last_time=max(times, default=None),
        computers=tuple(sorted(computers, key=str.lower)),
    ), events


def _unreadable(fields: _Fields, text: str | None, layout: str | None) -> str | None:
    if fields.event_id is None:
        return "row is not an event (no numeric Event ID): not read"
    if fields.time is None:
        shown = f"{text!r} does not match {layout!r}" if text else "is missing"
        return f"the time {shown}: row not read"
    return None


def _psync_record(
    fields: _Fields, line: int, label: str, context: ReadContext
) -> EventRecord | None:
    """The row's record when it is PSync's: its provider is one, or (no provider) its
    message is a PSync text or an undescribed event of a PSync source."""
    matcher = context.matcher
    fallback = undescribed(fields.message) if fields.message else None
    provider = fields.provider or (fallback.source if fallback else None)
    if provider is None and fields.message and is_psync_text(fields.message):
        provider = DEFAULT_PROVIDERS[0]
    if provider is None or not matcher.matches([provider]):
        return None
    origin = "data"
    if not fields.data and fallback is not None and fallback.values:
        fields.data, origin = fallback.values, "fallback-message"
    assert fields.event_id is not None and fields.time is not None
    tree = _tree(fields, provider, line)
    record = event_record(tree, place=Place(label, line=line))
    if fallback is None:
        return record
    # A fallback text is not the event's message: it must not read as one (success
    # inference compares rendered messages); the evidence's XML keeps it.
    return replace(record, data_origin=origin, message=None)


def _losses(
    form: Form, local: bool, zone: tzinfo | None, events: list[EventRecord]
) -> list[Skipped]:
    """What the form lacks, said once for the input (``lost=False``: nothing skipped)."""
    fields = form.layout.fields
    notes = []
    if local:
        notes.append(
            f"times are the exporting computer's local time, read in {zone} (--export-tz)"
            if zone
            else "times are the exporting computer's local time read as UTC (no zone in "
            "the file; give it with --export-tz)"
        )
    if col.COMPUTER not in fields:
        notes.append("no Computer column (DC unknown)")
    if col.RECORD_ID not in fields:
        notes.append("record ids are line numbers")
    from_message = sum(1 for e in events if not e.data and e.message)
    if from_message:
        notes.append(f"{from_message} PSync event(s) without event data: user and host read "
                     "from the message")  # fmt: skip
    fallback = sum(1 for e in events if e.data_origin == "fallback-message")
    if fallback:
        notes.append(
            f"{fallback} PSync event(s) without a message file on the exporting computer: "
            "user and host read from the 'description cannot be found' text"
        )
    if not notes:
        return []
    return [Skipped(Place(form.label), f"{form.name} export: " + "; ".join(notes), lost=False)]


def _tree(fields: _Fields, provider: str, line: int) -> Element:
    """The event as the XML tree evidence shows (what the export had, nothing invented)."""

    def leaf(tag: str, text: str, attributes: list[Attribute] | None = None) -> Element:
        return Element(tag, attributes or [], [text] if text else [])

    assert fields.time is not None
    event_id: list[Attribute] = (
        [("Qualifiers", str(fields.qualifiers))] if fields.qualifiers is not None else []
    )
    system = Element(
        "System",
        [],
        [
            leaf("Provider", "", [("Name", provider)]),
            leaf("EventID", str(fields.event_id), event_id),
            leaf("Level", "" if fields.level is None else str(fields.level)),
            leaf("TimeCreated", "", [("SystemTime", fields.time.strftime(_SYSTEM_TIME))]),
            leaf("EventRecordID", str(fields.record_id if fields.record_id is not None else line)),
            leaf("Channel", fields.channel),
            leaf("Computer", fields.computer),
        ],
    )
    children: list[Element | Part] = [system]
    if fields.data:
        children.append(Element("EventData", [], [leaf("Data", value) for value in fields.data]))
    if fields.message:
        children.append(Element("RenderingInfo", [], [leaf("Message", fields.message)]))
    return Element("Event", [], children)
