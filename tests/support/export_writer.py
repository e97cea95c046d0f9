"""Render :class:`tests.support.evtx_writer.WriterEvent` values the way Windows exports them.

* :func:`events_xml`: Event Viewer "Save All Events As... > XML" (an ``<Events>``
  document) or ``wevtutil qe LOG /f:xml`` (a bare sequence of ``<Event>`` elements, no
  declaration), with or without ``RenderingInfo``; single-quoted attributes, nine
  fractional digits in ``SystemTime`` and ``<Security/>`` as Windows writes them.
* :func:`events_csv`: Event Viewer "Save All Events As... > CSV" / "Text (Tab
  delimited)": a five-name header and six fields per row, the message last.

Messages are rendered from the documented templates (the fact base,
../shared/reference/psync-facts.md, section 1.2), with ``%r`` as a carriage return, as
FormatMessage does.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from xml.sax.saxutils import escape, quoteattr

from evtdiag.model import EventRecord
from tests.support.evtx_writer import EVENT_NAMESPACE, WriterEvent

TEMPLATES = {
    12294: "Password propagation denied for the remote user. %ruser = %1 %rhost = %2",
    12289: "Password propagation denied for user. User is in PasswordPropDeny group. %ruser = %1",
    12290: (
        "Password propagation denied for user. User is not in PasswordPropAllow group. %ruser = %1"
    ),
    8204: (
        "Password propagation failed. Logon account disabled for user on the specified "
        "host. %ruser = %1 %rhost = %2"
    ),
    8203: (
        "Password propagation failed. Encryption key mismatch or packet error for the "
        "user on the specified host. %ruser = %1 %rhost = %2"
    ),
    8200: (
        "%1: unknown host. Make sure that host name is valid and it resolves to a valid IP address."
    ),
    12296: (
        "The encryption key length does not meet the policy for secure encryption keys. "
        "Use Identity Management for UNIX Administration user interface to generate a "
        "secure encryption key."
    ),
    8217: "Protocol error. Host = %1",
    8226: "Password change request from untrusted host rejected. %rhost = %1",
    8230: "Error: unrecognized password for user. %ruser = %1",
    12291: "Successfully changed password. %ruser = %1 %rhost = %2",
}
LEVEL_NAMES = {1: "Critical", 2: "Error", 3: "Warning", 4: "Information", 5: "Verbose"}


def message(event: WriterEvent) -> str:
    """The rendered message: inserts filled in, ``%r`` as CR (no template: the data)."""
    template = TEMPLATES.get(event.event_id)
    values = [value for _, value in event.named_data()]
    if template is None:
        return " ".join(values)
    text = template.replace("%r", "\r")
    for index in range(len(values), 0, -1):
        text = text.replace(f"%{index}", values[index - 1])
    return text


def _system_time(event: WriterEvent) -> str:
    moment = event.time_created.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"


def event_xml(event: WriterEvent, *, rendering: bool = True) -> str:
    """One ``<Event>`` as wevtutil renders it."""
    qualifiers = f" Qualifiers='{event.qualifiers}'" if event.qualifiers is not None else ""
    data = "".join(
        f"<Data Name={quoteattr(name)}>{escape(value)}</Data>"
        if name is not None
        else f"<Data>{escape(value)}</Data>"
        for name, value in event.named_data()
    )
    text = escape(message(event)).replace("\r", "&#13;")
    info = (
        f"<RenderingInfo Culture='en-US'><Message>{text}</Message>"
        f"<Level>{LEVEL_NAMES.get(event.level, '')}</Level><Task></Task><Opcode></Opcode>"
        "<Channel></Channel><Provider></Provider><Keywords><Keyword>Classic</Keyword>"
        "</Keywords></RenderingInfo>"
        if rendering
        else ""
    )
    return (
        f"<Event xmlns='{EVENT_NAMESPACE}'><System>"
        f"<Provider Name={quoteattr(event.provider)}/>"
        f"<EventID{qualifiers}>{event.event_id & 0xFFFF}</EventID>"
        f"<Level>{event.level}</Level><Task>{event.task}</Task>"
        f"<Keywords>0x{event.keywords:x}</Keywords>"
        f"<TimeCreated SystemTime='{_system_time(event)}'/>"
        f"<EventRecordID>{event.record_id}</EventRecordID>"
        f"<Channel>{escape(event.channel)}</Channel>"
        f"<Computer>{escape(event.computer)}</Computer><Security/></System>"
        f"<EventData>{data}</EventData>{info}</Event>"
    )


def events_xml(
    events: Sequence[WriterEvent],
    *,
    wrapper: bool = True,
    rendering: bool = True,
    encoding: str = "utf-8",
) -> bytes:
    """An XML export: ``<Events>`` document (Event Viewer) or bare sequence (wevtutil).

    :param encoding: ``utf-8`` or ``utf-16`` (with a BOM, as PowerShell redirection writes).
    """
    body = "\r\n".join(event_xml(e, rendering=rendering) for e in events)
    if wrapper:
        declaration = f'<?xml version="1.0" encoding="{encoding.upper()}"?>\r\n'
        text = f"{declaration}<Events>\r\n{body}\r\n</Events>\r\n"
    else:
        text = body + "\r\n"
    return text.encode(encoding)


def events_csv(
    events: Sequence[WriterEvent],
    *,
    date_format: str = "%m/%d/%Y %I:%M:%S %p",
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    fold_lines: bool = False,
    zone: tzinfo = timezone.utc,
) -> bytes:
    """An Event Viewer CSV (or, with a tab delimiter, TXT) export of ``events``.

    Times are written in the exporting computer's ``zone`` (UTC unless given).
    :param fold_lines: render ``%r`` as a space (some tools fold the message to one line).
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["Level", "Date and Time", "Source", "Event ID", "Task Category"])
    for event in events:
        text = message(event)
        text = text.replace("\r", " ") if fold_lines else text.replace("\r", "\r\n")
        when = event.time_created.astimezone(zone).strftime(date_format)
        level = LEVEL_NAMES.get(event.level, "")
        writer.writerow([level, when, event.provider, event.event_id & 0xFFFF, "None", text])
    return out.getvalue().encode(encoding)


# --- inputs v2: PowerShell, wevtutil text, undescribed events -------------------------
# What PowerShell writes was taken from its documentation and its source
# (github.com/PowerShell/PowerShell, Export-Csv and ConvertTo-Json): every Export-Csv
# cell quoted with "" doubling, CRLF lines, a "#TYPE <type>" first line without
# -NoTypeInformation (5.1), a collection written as its .NET type name; ConvertTo-Json
# of 5.1 writes "\/Date(ms)\/" and ":  " after each name, 7 an ISO time with offset.

WINEVENT_PROPERTIES = (
    "Id", "Version", "Qualifiers", "Level", "Task", "Opcode", "Keywords", "RecordId",
    "ProviderName", "ProviderId", "LogName", "ProcessId", "ThreadId", "MachineName",
    "UserId", "TimeCreated", "ActivityId", "RelatedActivityId", "ContainerLog",
    "MatchedQueryIds", "Bookmark", "LevelDisplayName", "OpcodeDisplayName",
    "TaskDisplayName", "KeywordsDisplayNames", "Properties", "Message",
)  # fmt: skip
"""The 27 properties of EventLogRecord, in Get-WinEvent's order."""
EVENTLOG_PROPERTIES = (
    "EventID", "MachineName", "Data", "Index", "Category", "CategoryNumber", "EntryType",
    "Message", "Source", "ReplacementStrings", "InstanceId", "TimeGenerated",
    "TimeWritten", "UserName", "Site", "Container",
)  # fmt: skip
"""The properties of EventLogEntry, in Get-EventLog's order."""
ENTRY_TYPES = {1: ("Error", 1), 2: ("Error", 1), 3: ("Warning", 2), 4: ("Information", 4)}
READ_ONLY_STRINGS = "System.Collections.ObjectModel.ReadOnlyCollection`1[System.String]"
PROPERTY_LIST = (
    "System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"
)

UNDESCRIBED = {
    ("event-viewer", "en"): (
        "The description for Event ID {id} from source {source} cannot be found. Either the "
        "component that raises this event is not installed on your local computer or the "
        "installation is corrupted. You can install or repair the component on the local "
        "computer.\r\n\r\nIf the event originated on another computer, the display "
        "information had to be saved with the event.\r\n\r\nThe following information was "
        "included with the event: \r\n\r\n{lines}\r\n\r\nThe message resource is present but "
        "the message was not found in the message table\r\n"
    ),
    ("event-viewer", "de"): (
        'Die Beschreibung für die Ereignis-ID "{id}" aus der Quelle "{source}" wurde nicht '
        "gefunden. Entweder ist die Komponente, die dieses Ereignis auslöst, nicht auf dem "
        "lokalen Computer installiert, oder die Installation ist beschädigt. Sie können die "
        "Komponente auf dem lokalen Computer installieren oder reparieren.\r\n\r\nFalls "
        "das Ereignis auf einem anderen Computer aufgetreten ist, mussten die "
        "Anzeigeinformationen mit dem Ereignis gespeichert werden.\r\n\r\nDie folgenden "
        "Informationen wurden mit dem Ereignis gespeichert: \r\n\r\n{lines}\r\n"
    ),
    ("event-viewer", "de-docs"): (
        "Die Beschreibung für Ereignis-ID {id} aus der Quelle {source} konnte nicht gefunden "
        "werden. Entweder ist die Komponente, die dieses Ereignis auslöst, auf Ihrem lokalen "
        "Computer nicht installiert, oder die Installation ist beschädigt.\r\nWürde das "
        "Ereignis von einem anderen Computer stammen, hätten die Anzeigeinformationen "
        "zusammen mit dem Ereignis gespeichert werden müssen.\r\nDas Ereignis beinhaltet "
        "die folgenden Informationen: \r\n{lines}\r\n"
    ),
    ("get-eventlog", "en"): (
        "The description for Event ID '{instance}' in Source '{source}' cannot be found.  The "
        "local computer may not have the necessary registry information or message DLL files to "
        "display the message, or you may not have permission to access them.  The following "
        "information is part of the event:{quoted}"
    ),
    ("get-eventlog", "de"): (
        "Die Beschreibung für die Ereignis-ID '{id}' in der Quelle '{source}' wurde nicht "
        "gefunden. Der lokale Computer verfügt möglicherweise nicht über die erforderlichen "
        "Registrierungsinformationen oder Meldungs-DLL-Dateien zum Anzeigen der Meldung. "
        "Die folgenden Informationen sind Teil des Ereignisses:{quoted}"
    ),
}
"""The texts Windows writes for an event whose message file is not installed (see
evtdiag.logs.exports.messages for where each wording comes from; .NET writes the
InstanceId, negative when its high bit is set)."""


def _signed_instance_id(event: WriterEvent) -> int:
    """The InstanceId as .NET's fallback text prints it: a signed 32-bit number."""
    instance = (event.qualifiers or 0) << 16 | event.event_id & 0xFFFF
    return instance - (1 << 32) if instance & 0x80000000 else instance


def shown_message(event: WriterEvent, undescribed: tuple[str, str] | None = None) -> str:
    """The message, or (``undescribed``: (style, language)) the fallback text."""
    if undescribed is None:
        return message(event)
    values = [value for _, value in event.named_data()]
    return UNDESCRIBED[undescribed].format(
        id=event.event_id & 0xFFFF,
        instance=_signed_instance_id(event),
        source=event.provider,
        lines="\r\n".join(values),
        quoted=", ".join(f"'{value}'" for value in values),
    )


def local(event: WriterEvent, zone: tzinfo) -> datetime:
    """The event's time on a computer in ``zone``, without the zone (as exports write it)."""
    return event.time_created.astimezone(zone).replace(tzinfo=None)


def _quoted_csv(rows: list[list[object]], delimiter: str, encoding: str, type_line: str | None):
    out = io.StringIO()
    if type_line:
        out.write(f"#TYPE {type_line}\r\n")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerows(rows)
    bom = "\ufeff" if encoding == "utf-16-be" else ""  # the BOM Python writes for utf-16 only
    return (bom + out.getvalue()).encode(encoding)


def winevent_values(event: WriterEvent, *, time: str, properties: object) -> dict[str, object]:
    """An EventLogRecord's properties as Export-Csv writes them (``time``: TimeCreated)."""
    return {
        "Id": event.event_id & 0xFFFF,
        "Version": 0,
        "Qualifiers": "" if event.qualifiers is None else event.qualifiers,
        "Level": event.level,
        "Task": event.task,
        "Opcode": 0,
        "Keywords": event.keywords,
        "RecordId": event.record_id,
        "ProviderName": event.provider,
        "ProviderId": "",
        "LogName": event.channel,
        "ProcessId": "",
        "ThreadId": "",
        "MachineName": event.computer,
        "UserId": "",
        "TimeCreated": time,
        "ActivityId": "",
        "RelatedActivityId": "",
        "ContainerLog": event.channel,
        "MatchedQueryIds": "System.Int32[]",
        "Bookmark": "System.Diagnostics.Eventing.Reader.EventBookmark",
        "LevelDisplayName": LEVEL_NAMES.get(event.level, ""),
        "OpcodeDisplayName": "Info",
        "TaskDisplayName": "",
        "KeywordsDisplayNames": READ_ONLY_STRINGS,
        "Properties": properties,
        "Message": message(event),
    }


def events_winevent_csv(
    events: Sequence[WriterEvent],
    *,
    columns: Sequence[str] = WINEVENT_PROPERTIES,
    delimiter: str = ",",
    encoding: str = "utf-8",
    type_line: bool = False,
    date_format: str = "%m/%d/%Y %I:%M:%S %p",
    zone: tzinfo = timezone.utc,
    joined_properties: bool = False,
    computed: Sequence[tuple[str, str]] = (),
) -> bytes:
    """``Get-WinEvent | [Select-Object columns] | Export-Csv``.

    :param joined_properties: Properties as a computed column of the values joined by
        line breaks (``@{n='Properties'; e={$_.Properties.Value -join "`n"}}``) instead
        of the type name Export-Csv writes for the collection.
    :param computed: extra computed columns (name, constant value) appended.
    """
    rows: list[list[object]] = [[*columns, *(name for name, _ in computed)]]
    for event in events:
        values = [value for _, value in event.named_data()]
        time = local(event, zone).strftime(date_format)
        props = "\n".join(values) if joined_properties else PROPERTY_LIST
        row = winevent_values(event, time=time, properties=props)
        rows.append([*(row[name] for name in columns), *(value for _, value in computed)])
    return _quoted_csv(
        rows,
        delimiter,
        encoding,
        "System.Diagnostics.Eventing.Reader.EventLogRecord" if type_line else None,
    )


def eventlog_values(
    event: WriterEvent, *, time: object, undescribed: tuple[str, str] | None, json_form: bool
) -> dict[str, object]:
    """An EventLogEntry's properties (``json_form``: as ConvertTo-Json writes them)."""
    entry_name, entry_number = ENTRY_TYPES.get(event.level, ("Information", 4))
    values = [value for _, value in event.named_data()]
    qualifiers = event.qualifiers or 0
    return {
        "EventID": event.event_id & 0xFFFF,
        "MachineName": event.computer,
        "Data": [] if json_form else "System.Byte[]",
        "Index": event.record_id,
        "Category": "(0)",
        "CategoryNumber": 0,
        "EntryType": entry_number if json_form else entry_name,
        "Message": shown_message(event, undescribed),
        "Source": event.provider,
        "ReplacementStrings": values if json_form else "System.String[]",
        "InstanceId": (qualifiers << 16) | (event.event_id & 0xFFFF),
        "TimeGenerated": time,
        "TimeWritten": time,
        "UserName": None if json_form else "",
        "Site": None if json_form else "",
        "Container": None if json_form else "",
    }


def events_eventlog_csv(
    events: Sequence[WriterEvent],
    *,
    delimiter: str = ",",
    encoding: str = "cp1252",
    type_line: bool = True,
    date_format: str = "%m/%d/%Y %I:%M:%S %p",
    zone: tzinfo = timezone.utc,
    undescribed: tuple[str, str] | None = None,
) -> bytes:
    """``Get-EventLog -LogName Application | Export-Csv`` (PowerShell 5.1: ``#TYPE``)."""
    rows: list[list[object]] = [list(EVENTLOG_PROPERTIES)]
    for event in events:
        time = local(event, zone).strftime(date_format)
        row = eventlog_values(event, time=time, undescribed=undescribed, json_form=False)
        rows.append([row[name] for name in EVENTLOG_PROPERTIES])
    return _quoted_csv(
        rows, delimiter, encoding, "System.Diagnostics.EventLogEntry" if type_line else None
    )


def events_viewer_csv(
    events: Sequence[WriterEvent],
    *,
    header: Sequence[str] = ("Level", "Date and Time", "Source", "Event ID", "Task Category"),
    date_format: str = "%m/%d/%Y %I:%M:%S %p",
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    undescribed: tuple[str, str] | None = None,
    zone: tzinfo = timezone.utc,
) -> bytes:
    """Event Viewer's CSV/TXT in a given header language, optionally undescribed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for event in events:
        text = shown_message(event, undescribed).replace("\r\n", "\n").replace("\r", "\n")
        when = local(event, zone).strftime(date_format)
        level = LEVEL_NAMES.get(event.level, "")
        writer.writerow([level, when, event.provider, event.event_id & 0xFFFF, "None",
                         text.replace("\n", "\r\n")])  # fmt: skip
    return out.getvalue().encode(encoding)


def events_wevtutil_text(
    events: Sequence[WriterEvent],
    *,
    encoding: str = "utf-16",
    zone: tzinfo = timezone.utc,
    recent: bool = False,
) -> bytes:
    """``wevtutil qe Application /f:text`` saved to a file (``utf-16``: PowerShell 5.1's
    ``>``, with a BOM; ``cp850``/``cp437``: cmd's ``>``).

    :param recent: as recent wevtutil versions write: ``Date`` in UTC with seven
        fractional digits and a ``Z`` (``zone`` then plays no part), ``Event[N]``
        without its colon (both seen in public transcripts)."""
    blocks = []
    for number, event in enumerate(events):
        when = local(event, timezone.utc if recent else zone)
        date = (
            when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}0Z"
            if recent
            else when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}"
        )
        lines = [
            f"Event[{number}]" + ("" if recent else ":"),
            f"  Log Name: {event.channel}",
            f"  Source: {event.provider}",
            f"  Date: {date}",
            f"  Event ID: {event.event_id & 0xFFFF}",
            "  Task: N/A",
            f"  Level: {LEVEL_NAMES.get(event.level, '')}",
            "  Opcode: N/A",
            "  Keyword: Classic",
            "  User: N/A",
            "  User Name: N/A",
            f"  Computer: {event.computer}",
            "  Description: ",
            message(event).replace("\r", "\r\n"),
        ]
        blocks.append("\r\n".join(lines) + "\r\n")
    return "\r\n".join(blocks).encode(encoding)


def _json_time(moment: datetime, version: int, zone: tzinfo) -> str:
    if version == 5:
        epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
        return f"/Date({(moment - epoch) // timedelta(milliseconds=1)})/"
    text = moment.astimezone(zone).isoformat()
    return text.replace(".000000", "")


def events_json(
    events: Sequence[WriterEvent],
    *,
    shape: str = "winevent",
    version: int = 5,
    zone: tzinfo = timezone.utc,
    undescribed: tuple[str, str] | None = None,
    encoding: str = "utf-16",
) -> bytes:
    """``Get-WinEvent | ConvertTo-Json`` (``shape="winevent"``) or ``Get-EventLog |
    ConvertTo-Json`` (``"eventlog"``), PowerShell 5.1 or 7; one event is one object."""
    objects = []
    for event in events:
        time = _json_time(event.time_created, version, zone)
        if shape == "winevent":
            values = [value for _, value in event.named_data()]
            item = winevent_values(event, time=time, properties=[{"Value": v} for v in values])
            item.update(Qualifiers=event.qualifiers, MatchedQueryIds=[], Bookmark={})
            item.update(KeywordsDisplayNames=["Classic"], ProcessId=None, ThreadId=None)
        else:
            item = eventlog_values(event, time=time, undescribed=undescribed, json_form=True)
        objects.append(item)
    document: object = objects[0] if len(objects) == 1 else objects
    separators = (",", ":  ") if version == 5 else (",", ": ")
    text = json.dumps(document, indent=4 if version == 5 else 2, separators=separators,
                      ensure_ascii=version == 5)  # fmt: skip
    if version == 5:
        text = text.replace('"/Date(', '"\\/Date(').replace(')/"', ')\\/"')
    return text.encode(encoding)


def _clixml_text(text: str) -> str:
    """A string as CLIXML writes it: XML-escaped, control characters as ``_xHHHH_``."""
    text = text.replace("_x", "_x005F_x")
    return escape("".join(f"_x{ord(c):04X}_" if ord(c) < 32 else c for c in text))


def _clixml_value(name: str, value: object, refs: list[int]) -> str:
    refs[0] += 1
    if value is None or value == "":
        return f'<Nil N="{name}" />' if value is None else f'<S N="{name}" />'
    if isinstance(value, datetime):
        return f'<DT N="{name}">{value.isoformat()}</DT>'
    if isinstance(value, int):
        return f'<I64 N="{name}">{value}</I64>'
    if isinstance(value, list):
        items = "".join(
            f'<Obj RefId="{refs[0] + n + 1}"><TN RefId="9"><T>System.Diagnostics.Eventing.'
            f"Reader.EventProperty</T><T>System.Object</T></TN><ToString>System.Diagnostics."
            f'Eventing.Reader.EventProperty</ToString><Props><S N="Value">{_clixml_text(v)}'
            "</S></Props></Obj>"
            if name == "Properties"
            else f"<S>{_clixml_text(v)}</S>"
            for n, v in enumerate(value)
        )
        refs[0] += len(value) + 1
        return (
            f'<Obj N="{name}" RefId="{refs[0]}"><TN RefId="{refs[0]}"><T>System.Object[]</T>'
            f"</TN><LST>{items}</LST></Obj>"
        )
    return f'<S N="{name}">{_clixml_text(str(value))}</S>'


def events_clixml(
    events: Sequence[WriterEvent],
    *,
    shape: str = "winevent",
    zone: tzinfo = timezone.utc,
    encoding: str = "utf-16",
) -> bytes:
    """``Get-WinEvent | Export-Clixml`` or ``Get-EventLog | Export-Clixml`` (UTF-16 LE
    with a BOM, as Export-Clixml writes by default)."""
    refs = [0]
    objects = []
    for event in events:
        time = event.time_created.astimezone(zone)
        values = [value for _, value in event.named_data()]
        if shape == "winevent":
            item = winevent_values(event, time=time, properties=values)  # type: ignore[arg-type]
            item["Qualifiers"] = event.qualifiers
            type_name = "System.Diagnostics.Eventing.Reader.EventLogRecord"
        else:
            item = eventlog_values(event, time=time, undescribed=None, json_form=True)
            item["Data"] = None
            type_name = "System.Diagnostics.EventLogEntry"
        props = "".join(_clixml_value(name, value, refs) for name, value in item.items())
        refs[0] += 1
        objects.append(
            f'  <Obj RefId="{refs[0]}">\r\n    <TN RefId="{refs[0]}"><T>{type_name}</T>'
            f"<T>System.Object</T></TN>\r\n    <ToString>{type_name}</ToString>\r\n"
            f"    <Props>{props}</Props>\r\n  </Obj>\r\n"
        )
    text = (
        '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">\r\n'
        + "".join(objects)
        + "</Objs>"
    )
    return text.encode(encoding)


GERMAN_VIEWER = ("Ebene", "Datum und Uhrzeit", "Quelle", "Ereignis-ID", "Aufgabenkategorie")
JAPANESE_VIEWER = ("レベル", "日付と時刻", "ソース", "イベント ID", "タスクのカテゴリ")
CULTURE_SUBSET = ("TimeCreated", "Id", "LevelDisplayName", "ProviderName", "MachineName", "Message")
SHUFFLED_SUBSET = (
    "Message",
    "MachineName",
    "RecordId",
    "ProviderName",
    "Properties",
    "Id",
    "TimeCreated",
)


@dataclass(frozen=True)
class ExportForm:
    """One way an admin exports the events: a writer, its options, and whether the form
    has each event's Computer (the DC)."""

    write: Callable[..., bytes]
    options: dict[str, object]
    names_dc: bool

    def __call__(self, events: Sequence[WriterEvent], zone: tzinfo = timezone.utc) -> bytes:
        """The events as a computer in ``zone`` exports them in this form."""
        zoned = {} if self.write is events_xml else {"zone": zone}  # XML times are UTC
        return self.write(events, **self.options, **zoned)


GERMAN_DATES = "%d.%m.%Y %H:%M:%S"
FORMS = {
    "xml": ExportForm(events_xml, {}, True),
    "xml-bare-utf16": ExportForm(events_xml, dict(wrapper=False, encoding="utf-16"), True),
    "viewer-csv": ExportForm(events_csv, {}, False),
    "viewer-txt-utf16": ExportForm(events_csv, dict(delimiter="\t", encoding="utf-16"), False),
    "viewer-csv-de": ExportForm(
        events_viewer_csv, dict(header=GERMAN_VIEWER, date_format=GERMAN_DATES), False
    ),
    "viewer-txt-ja": ExportForm(
        events_viewer_csv,
        dict(header=JAPANESE_VIEWER, date_format="%Y/%m/%d %H:%M:%S", delimiter="\t"),
        False,
    ),
    "viewer-csv-undescribed": ExportForm(
        events_viewer_csv, dict(undescribed=("event-viewer", "en")), False
    ),
    "viewer-csv-undescribed-de-docs": ExportForm(
        events_viewer_csv, dict(undescribed=("event-viewer", "de-docs")), False
    ),
    "viewer-txt-undescribed-de": ExportForm(
        events_viewer_csv,
        dict(
            header=GERMAN_VIEWER,
            date_format=GERMAN_DATES,
            delimiter="\t",
            undescribed=("event-viewer", "de"),
        ),
        False,
    ),
    "winevent-csv-all": ExportForm(
        events_winevent_csv, dict(type_line=True, encoding="utf-8-sig"), True
    ),
    "winevent-csv-de-culture-utf16": ExportForm(
        events_winevent_csv,
        dict(columns=CULTURE_SUBSET, delimiter=";", encoding="utf-16", date_format=GERMAN_DATES),
        True,
    ),
    "winevent-tsv-computed-utf16be": ExportForm(
        events_winevent_csv,
        dict(
            columns=SHUFFLED_SUBSET,
            delimiter="\t",
            encoding="utf-16-be",
            date_format="%Y-%m-%dT%H:%M:%S.0000000",
            joined_properties=True,
            computed=(("Collected", "2026-10-12"), ("Ticket", "INC0042")),
        ),
        True,
    ),
    "eventlog-csv-cp1252": ExportForm(events_eventlog_csv, {}, True),
    "eventlog-csv-undescribed": ExportForm(
        events_eventlog_csv,
        dict(encoding="utf-8", type_line=False, undescribed=("get-eventlog", "en")),
        True,
    ),
    "wevtutil-text-utf16": ExportForm(events_wevtutil_text, {}, True),
    "wevtutil-text-oem": ExportForm(events_wevtutil_text, dict(encoding="cp850"), True),
    "wevtutil-text-utf8": ExportForm(events_wevtutil_text, dict(encoding="utf-8"), True),
    "wevtutil-text-recent": ExportForm(
        events_wevtutil_text, dict(encoding="utf-8", recent=True), True
    ),
    "winevent-json-ps5": ExportForm(events_json, {}, True),
    "winevent-json-ps7": ExportForm(events_json, dict(version=7, encoding="utf-8"), True),
    "eventlog-json-ps5": ExportForm(events_json, dict(shape="eventlog"), True),
    "winevent-clixml": ExportForm(events_clixml, {}, True),
    "eventlog-clixml-utf8": ExportForm(
        events_clixml, dict(shape="eventlog", encoding="utf-8"), True
    ),
    "eventlog-json-ps7-undescribed-de": ExportForm(
        events_json,
        dict(shape="eventlog", version=7, encoding="utf-8", undescribed=("get-eventlog", "de")),
        True,
    ),
}
"""Every form an admin sends, by name."""


def writer_events(records: Sequence[EventRecord]) -> list[WriterEvent]:
    """Records evtdiag read (from an .evtx) as events to write again in another form."""
    return [
        WriterEvent(
            r.provider,
            r.event_id,
            r.time_created,
            r.record_id,
            r.computer,
            channel=r.channel,
            level=r.level or 0,
            qualifiers=r.qualifiers,
            data=tuple(r.data),
        )
        for r in records
        if r.time_created is not None
    ]


def main(argv: Sequence[str]) -> int:
    """``python -m tests.support.export_writer FORM LOG.evtx... > FILE``: the PSync events of
    the logs, written in one form of :data:`FORMS` (to try a form by hand)."""
    if len(argv) < 2 or argv[0] not in FORMS:
        print("usage: python -m tests.support.export_writer FORM LOG...")
        print(f"forms: {', '.join(FORMS)}")
        return 2
    from evtdiag.logs import ProviderMatcher, discover, read_files

    result = read_files(discover(argv[1:]), ProviderMatcher())
    sys.stdout.buffer.write(FORMS[argv[0]](writer_events(result.events)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
