"""The names exports give an event's fields, and which of them evtdiag reads.

One vocabulary for every text export: the column headers of Event Viewer's CSV/TXT
(in the languages Windows Server ships most), the property names of PowerShell's
``EventLogRecord`` (``Get-WinEvent``) and ``EventLogEntry`` (``Get-EventLog``), which
``Export-Csv``, ``Select-Object`` and ``ConvertTo-Json`` keep, and the labels of
``wevtutil qe /f:text``. A column is mapped by its name, never by its position, so a
``Select-Object`` subset in any order reads; a name evtdiag does not know is listed,
not guessed at.

Sources of the names:

* PowerShell: the public properties of ``System.Diagnostics.Eventing.Reader.
  EventLogRecord`` (27: Id, Version, Qualifiers, Level, Task, Opcode, Keywords,
  RecordId, ProviderName, ProviderId, LogName, ProcessId, ThreadId, MachineName,
  UserId, TimeCreated, ActivityId, RelatedActivityId, ContainerLog, MatchedQueryIds,
  Bookmark, LevelDisplayName, OpcodeDisplayName, TaskDisplayName,
  KeywordsDisplayNames, Properties, Message) and of ``System.Diagnostics.
  EventLogEntry`` (EventID, MachineName, Data, Index, Category, CategoryNumber,
  EntryType, Message, Source, ReplacementStrings, InstanceId, TimeGenerated,
  TimeWritten, UserName, Site, Container), from the .NET API reference; these names
  are not translated.
* Event Viewer, English: ``Level,Date and Time,Source,Event ID,Task Category``, checked
  against Event Viewer output (the reader this one replaces was built on it).
* Event Viewer, German: ``Ebene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie``
  as a German CSV export quoted in a public repository shows it (found with the code
  search); the same names in the de-DE Event Viewer help (forsenergy.com/de-de).
* Event Viewer, Japanese: ``レベル,日付と時刻,ソース,イベント ID,タスクのカテゴリ`` (and
  ``キーワード`` first for the Security log), as several public repositories' tests
  quote Event Viewer's CSV.
* Event Viewer, French, Spanish, Italian, Portuguese (Brazil and Portugal):
  the translations Microsoft's terminology uses for these five columns, UNVERIFIED
  against a localised Event Viewer (no such export was at hand). An export whose header
  is in none of these languages still reads when it has Event Viewer's shape
  (:func:`evtdiag.logs.exports.csv.event_viewer_by_position`).
* ``wevtutil qe /f:text``: English labels checked against wevtutil output; the German
  ones (``Protokollname``, ``Quelle``, ``Datum``, ``Stufe``, ``Beschreibung``) are
  those of Event Viewer's German details pane (Microsoft de-DE docs), UNVERIFIED for
  wevtutil itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

TIME = "time"
TIME_WRITTEN = "time written"
EVENT_ID = "event id"
INSTANCE_ID = "instance id"
PROVIDER = "provider"
COMPUTER = "computer"
RECORD_ID = "record id"
LEVEL = "level"
QUALIFIERS = "qualifiers"
CHANNEL = "channel"
MESSAGE = "message"
DATA = "data"

# fmt: off
_NAMES: dict[str, tuple[str, ...]] = {
    TIME: (
        "TimeCreated", "TimeGenerated", "Date and Time", "Date",  # PowerShell, English
        "Datum und Uhrzeit", "Datum",  # German (a public German CSV export; de-DE docs)
        "Date et heure",  # French (unverified)
        "Fecha y hora",  # Spanish (unverified)
        "Data e ora",  # Italian (unverified)
        "Data e Hora",  # Portuguese (unverified)
        "日付と時刻",  # Japanese (public repositories quoting Event Viewer's CSV)
    ),
    TIME_WRITTEN: ("TimeWritten",),
    EVENT_ID: (
        "Id", "EventID", "Event ID",
        "Ereignis-ID",  # German (Event Viewer help)
        "ID de l'événement", "ID de l\u2019événement",  # French (unverified)
        "Id. del evento", "Id. de evento",  # Spanish (unverified)
        "ID evento",  # Italian (unverified)
        "Identificação do Evento", "ID do Evento",  # Portuguese (unverified)
        "イベント ID",  # Japanese (public repositories quoting Event Viewer's CSV)
    ),
    INSTANCE_ID: ("InstanceId",),
    PROVIDER: (
        "ProviderName", "Source",
        "Quelle",  # German (Event Viewer help)
        "Origen",  # Spanish (unverified)
        "Origine",  # Italian (unverified)
        "Fonte", "Origem",  # Portuguese (unverified)
        "ソース",  # Japanese (public repositories quoting Event Viewer's CSV)
    ),
    COMPUTER: ("MachineName", "Computer", "Computername"),
    RECORD_ID: ("RecordId", "Index", "EventRecordID"),
    LEVEL: (
        "Level", "LevelDisplayName", "EntryType",
        "Ebene",  # German (Event Viewer help; a German CSV export in a public repository)
        "Stufe",  # German, Event Viewer's details (Microsoft de-DE docs)
        "Niveau",  # French (unverified)
        "Nivel",  # Spanish (unverified)
        "Livello",  # Italian (unverified)
        "Nível",  # Portuguese (unverified)
        "レベル",  # Japanese (public repositories quoting Event Viewer's CSV)
    ),
    QUALIFIERS: ("Qualifiers",),
    CHANNEL: ("LogName", "Log Name", "Channel", "Protokollname"),
    MESSAGE: ("Message", "Description", "Beschreibung"),
    DATA: ("Properties", "ReplacementStrings"),
}
# fmt: on

IGNORED: tuple[str, ...] = (
    # EventLogRecord properties evtdiag has no use for.
    "Version", "Task", "Opcode", "Keywords", "ProviderId", "ProcessId", "ThreadId",
    "UserId", "ActivityId", "RelatedActivityId", "ContainerLog", "MatchedQueryIds",
    "Bookmark", "OpcodeDisplayName", "TaskDisplayName", "KeywordsDisplayNames",
    # EventLogEntry properties: Data is the raw binary data, UserName the account
    # that logged the event (SYSTEM), not the user a password was sent for.
    "Data", "Category", "CategoryNumber", "UserName", "Site", "Container",
    # Event Viewer's fifth column and wevtutil's other labels.
    "Task Category", "Aufgabenkategorie", "Catégorie de la tâche", "Categoría de la tarea",
    "Categoria attività", "Categoria da Tarefa", "Categoria de Tarefa", "タスクのカテゴリ",
    "Keyword", "User", "User Name", "Schlüsselwörter", "Benutzer", "キーワード",
)  # fmt: skip
"""Names known to carry nothing evtdiag reads (not listed as unknown in a refusal)."""

_SPACES = re.compile(r"\s+")


def fold(name: str) -> str:
    """A column name compared without case, surrounding quotes or odd spacing."""
    return _SPACES.sub(" ", name.strip().strip('"').strip()).casefold()


_FIELD_OF = {fold(name): field for field, names in _NAMES.items() for name in names}
_IGNORED = frozenset(fold(name) for name in IGNORED)

REQUIRED = (
    (TIME, "a time", ("TimeCreated", "TimeGenerated", "Date and Time")),
    (EVENT_ID, "an event id", ("Id", "EventID", "InstanceId", "Event ID")),
)
"""What every export must name: the field, how a refusal says it, example names."""


@functools.lru_cache(maxsize=4096)
def field_of(name: str) -> str | None:
    """The field a column of this name holds, or None (ignored or unknown); cached, as
    wevtutil text asks it for every label line."""
    return _FIELD_OF.get(fold(name))


def is_known(name: str) -> bool:
    """True when evtdiag knows the name (whether it reads the column or ignores it)."""
    return fold(name) in _FIELD_OF or fold(name) in _IGNORED


@dataclass(frozen=True)
class Layout:
    """Which column (by index) holds each field evtdiag reads."""

    columns: tuple[str, ...]
    """The names as the export wrote them."""
    fields: dict[str, int]

    @classmethod
    def of(cls, names: Sequence[str]) -> Layout:
        """Map each name to its field; the first column of a field wins."""
        fields: dict[str, int] = {}
        for index, name in enumerate(names):
            field = field_of(name)
            if field is not None:
                fields.setdefault(field, index)
        if TIME not in fields and TIME_WRITTEN in fields:
            fields[TIME] = fields[TIME_WRITTEN]
        if EVENT_ID not in fields and INSTANCE_ID in fields:
            fields[EVENT_ID] = fields[INSTANCE_ID]
        return cls(tuple(names), fields)

    def pick(self, cells: Sequence[Any]) -> dict[str, Any]:
        """The value of each field, from the cells of one row (in :attr:`columns` order)."""
        return {field: cells[index] for field, index in self.fields.items() if index < len(cells)}

    def missing(self, message_elsewhere: bool = False) -> list[str]:
        """What evtdiag needs and this layout lacks, as a refusal says it.

        :param message_elsewhere: the message is not in a named column (Event Viewer
            writes it unnamed, after the named ones).
        """
        lacks = [what for field, what, _ in REQUIRED if field not in self.fields]
        if PROVIDER not in self.fields and MESSAGE not in self.fields and not message_elsewhere:
            lacks.append("a provider (ProviderName, Source) or the PSync message (Message)")
        return lacks


EXPORT_HINT = (
    "export the PSync events again with: Get-WinEvent -FilterHashtable "
    "@{LogName='Application'; ProviderName='Microsoft-Windows-IDMU-PSync'} | Select-Object "
    "TimeCreated, Id, ProviderName, MachineName, RecordId, Message, "
    "@{n='Properties'; e={$_.Properties.Value -join \"`n\"}} | Export-Csv psync.csv "
    "-NoTypeInformation -Encoding UTF8 (or, best: wevtutil epl Application psync.evtx "
    "\"/q:*[System[Provider[@Name='Microsoft-Windows-IDMU-PSync']]]\")"
)
"""The export command a refusal proposes."""


def refusal(name: str, columns: Iterable[str], lacks: Sequence[str]) -> str:
    """Why a table of events cannot be read: the columns it has, what it lacks, and the
    command that exports what evtdiag needs."""
    shown = ", ".join(repr(column) for column in columns) or "none"
    return (
        f"{name}: the columns are {shown}; evtdiag needs {' and '.join(lacks)} column and "
        f"found none; {EXPORT_HINT}"
    )
