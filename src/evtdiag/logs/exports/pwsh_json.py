"""Read ``Get-WinEvent ... | ConvertTo-Json`` and ``Get-EventLog ... | ConvertTo-Json``.

The objects' properties keep their .NET names (mapped as table columns are:
:mod:`evtdiag.logs.exports.columns`); one event is a JSON object, several an array.
``Get-WinEvent``'s ``Properties`` is ``[{"Value": "alice"}, ...]`` and ``Get-EventLog``'s
``ReplacementStrings`` a list of strings: the event data, in order. Times are absolute:
PowerShell 5.1 writes ``"\\/Date(1725277744000)\\/"``, PowerShell 7 an ISO 8601 string
with the offset; enums are numbers (``EntryType`` 1, 2, 4). PowerShell 5.1's
``> file`` writes UTF-16 LE with a BOM, ``Out-File -Encoding utf8`` UTF-8 with one.
``ConvertTo-Json -InputObject $events`` in 5.1 may wrap the array as ``{"value": [...],
"Count": n}`` (the array's extended Count property).
"""

from __future__ import annotations

import json
import re

from evtdiag.errors import InputFormatError
from evtdiag.logs.exports.rows import read_objects, text_format
from evtdiag.logs.sources import ReadContext, Result
from evtdiag.text_decoding import decode_text

NAME = "json"
_EVENT_KEY = re.compile(
    r'"(?:ProviderName|TimeCreated|TimeGenerated|InstanceId|EventID|RecordId)"\s*:'
)


def looks_like_event_json(head: bytes) -> bool:
    """True when the text opens a JSON object or array holding an event property."""
    text = decode_text(head, "cp1252")[0].lstrip("\ufeff \t\r\n")
    return text[:1] in ("[", "{") and _EVENT_KEY.search(text) is not None


def read_event_json(data: bytes, label: str, context: ReadContext) -> Result:
    """Read every event object; keep the PSync events.

    :raises InputFormatError: the text is not JSON, holds no object, or its objects lack
        a property evtdiag needs.
    """
    try:
        document = json.loads(decode_text(data, "cp1252")[0].lstrip("\ufeff"))
    except (ValueError, RecursionError) as error:
        raise InputFormatError(
            f"{label}: not JSON ({error}); save ConvertTo-Json's output whole "
            "(| Out-File psync.json -Encoding utf8)"
        ) from None
    if (
        isinstance(document, dict)
        and isinstance(document.get("value"), list)
        and "Count" in document
    ):
        document = document["value"]  # PowerShell 5.1's array with its Count: {"value": [...]}
    objects = document if isinstance(document, list) else [document]
    events = [item for item in objects if isinstance(item, dict)]
    if not events:
        raise InputFormatError(f"{label}: JSON without an event object")
    return read_objects(events, NAME, label, data, context)


FORMAT = text_format(NAME, looks_like_event_json, read_event_json)
