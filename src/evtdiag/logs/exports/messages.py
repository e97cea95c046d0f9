"""What an export's message text tells when the export has no event data: whether it is
one of PSync's, and, for an event Windows could not describe, its insertion strings.

A computer without IDMU has no message file for PSync, so Event Viewer and
``Get-EventLog`` write a fallback text instead of the message; it names the event id
and the source and lists the insertion strings, which are the event's data by position
(%1, %2: docs/contract.md, Event kinds). Two shapes, each in the languages below:

* Event Viewer (also its CSV/TXT and ``wevtutil /f:text``): "The description for Event
  ID 12294 from source S cannot be found. ... The following information was included
  with the event: " then the values one per line, then, sometimes, a closing sentence
  ("The message resource is present but the message was not found ...");
* ``Get-EventLog`` (.NET ``EventLogEntry.Message``): "The description for Event ID
  '12294' in Source 'S' cannot be found. ... The following information is part of the
  event:'alice', 'web01'".

Wordings, and where they were checked (public texts found with the code search):

* Event Viewer, English: "The description for Event ID 1001 from source S cannot be
  found. ... The following information was included with the event: " then the values
  and "The message resource is present but the message is not found in the
  string/message table" (many admin posts and Microsoft troubleshooting pages);
* Event Viewer, German, two wordings: 'Die Beschreibung für die Ereignis-ID "1007" aus
  der Quelle "S" wurde nicht gefunden. ... Die folgenden Informationen wurden mit dem
  Ereignis gespeichert:' (an admin wiki's IIS page), and "Die Beschreibung für
  Ereignis-ID 2056 aus der Quelle S konnte nicht gefunden werden. ... Das Ereignis
  beinhaltet die folgenden Informationen:" (Microsoft's de-DE troubleshooting docs);
* ``Get-EventLog``, English: .NET's "The description for Event ID '0' in Source
  'PowerShell' cannot be found.  ... The following information is part of the
  event:'My Warning'" (quoted in PowerShell module tests); the id may be the whole
  InstanceId, negative when its high bit is set;
* ``Get-EventLog``, German: "Die folgenden Informationen sind Teil des Ereignisses:",
  UNVERIFIED (no German .NET text was found); the id/source sentence is matched
  loosely, so a small difference in wording still reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DESCRIPTION = re.compile(
    r"Event\s+ID\s+['\"]?(-?\d{1,10})['\"]?\s+(?:from|in)\s+source\s+['\"]?(.+?)['\"]?\s+"
    r"cannot\s+be\s+found"
    r"|Ereignis-ID\s+['\"„]?(-?\d{1,10})['\"“]?\s+(?:aus|in)\s+(?:der\s+)?Quelle\s+"
    r"['\"„]?(.+?)['\"“]?\s+(?:wurde\s+nicht\s+gefunden|konnte\s+nicht\s+gefunden\s+werden)",
    re.IGNORECASE,
)
"""The first sentence of both fallbacks: the event id and the source (English, German)."""

_LINES_MARKER = re.compile(
    r"The\s+following\s+information\s+was\s+included\s+with\s+the\s+event:"
    r"|(?:Die\s+)?folgenden?\s+Informationen\s+wurden\s+mit\s+dem\s+Ereignis\s+gespeichert:"
    r"|Das\s+Ereignis\s+beinhaltet\s+die\s+folgenden\s+Informationen:",
    re.IGNORECASE,
)
"""Event Viewer: the values follow, one per line."""

_QUOTED_MARKER = re.compile(
    r"The\s+following\s+information\s+is\s+part\s+of\s+the\s+event:"
    r"|Die\s+folgenden\s+Informationen\s+sind\s+Teil\s+des\s+Ereignisses:",
    re.IGNORECASE,
)
"""``Get-EventLog``: the values follow as ``'v1', 'v2'``."""

_CLOSING = re.compile(
    r"^\s*(?:The\s+message\s+resource|Die\s+Nachrichtenressource|Die\s+Meldungsressource)",
    re.IGNORECASE,
)
"""Event Viewer's closing sentence after the values, when it writes one."""

_PSYNC_TEXT = re.compile(
    r"password\s+propagation\s+(?:denied|failed)"
    r"|successfully\s+changed\s+password"
    r"|:\s+unknown\s+host\.\s+Make\s+sure\s+that\s+host\s+name"
    r"|encryption\s+key\s+length\s+does\s+not\s+meet\s+the\s+policy"
    r"|password\s+change\s+request\s+from\s+untrusted\s+host"
    r"|unrecognized\s+password\s+for\s+user"
    r"|Protocol\s+error\.\s+Host\s*=",
    re.IGNORECASE,
)
"""Phrases of PSync's rendered messages (docs/contract.md, Event kinds): what makes a
row PSync in an export without a provider column."""


@dataclass(frozen=True)
class Undescribed:
    """What a "description cannot be found" text holds."""

    event_id: int
    source: str
    values: tuple[str, ...]
    """The insertion strings, in order: the event's data by position."""


def undescribed(message: str) -> Undescribed | None:
    """The id, source and insertion strings of a fallback text; None for any other text."""
    head = _DESCRIPTION.search(message)
    if head is None:
        return None
    event_id = int(head.group(1) or head.group(3)) & 0xFFFF  # an InstanceId's low bits
    source = (head.group(2) or head.group(4)).strip()
    lines = _LINES_MARKER.search(message, head.end())
    if lines is not None:
        return Undescribed(event_id, source, _values_by_line(message[lines.end() :]))
    quoted = _QUOTED_MARKER.search(message, head.end())
    if quoted is not None:
        return Undescribed(event_id, source, _values_quoted(message[quoted.end() :]))
    return Undescribed(event_id, source, ())


def _values_by_line(text: str) -> tuple[str, ...]:
    """The values after Event Viewer's marker: one per line, between the blank line that
    follows the marker and the closing sentence (or the end)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and not lines[0].strip():
        lines.pop(0)  # the rest of the marker's line
    if lines and not lines[0].strip():
        lines.pop(0)  # the blank line before the values
    end = next((i for i, line in enumerate(lines) if _CLOSING.match(line)), len(lines))
    values = lines[:end]
    while values and not values[-1].strip():
        values.pop()
    return tuple(value.strip() for value in values)


def _values_quoted(text: str) -> tuple[str, ...]:
    """The values after ``Get-EventLog``'s marker: ``'v1', 'v2'`` (values are not
    escaped, so the list is split on the ``', '`` between them)."""
    text = text.strip()
    if len(text) < 2 or not (text.startswith("'") and text.endswith("'")):
        return ()
    return tuple(text[1:-1].split("', '"))


def is_psync_text(message: str) -> bool:
    """True when ``message`` is one of PSync's rendered messages."""
    return _PSYNC_TEXT.search(message) is not None
