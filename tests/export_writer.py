"""Render :class:`tests.evtx_writer.WriterEvent` values the way Windows exports them.

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
from collections.abc import Sequence
from datetime import timezone
from xml.sax.saxutils import escape, quoteattr

from tests.evtx_writer import EVENT_NAMESPACE, WriterEvent

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
) -> bytes:
    """An Event Viewer CSV (or, with a tab delimiter, TXT) export of ``events``.

    Times are written in UTC (the exporting computer's zone is UTC in these tests).
    :param fold_lines: render ``%r`` as a space (some tools fold the message to one line).
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["Level", "Date and Time", "Source", "Event ID", "Task Category"])
    for event in events:
        text = message(event)
        text = text.replace("\r", " ") if fold_lines else text.replace("\r", "\r\n")
        when = event.time_created.astimezone(timezone.utc).strftime(date_format)
        level = LEVEL_NAMES.get(event.level, "")
        writer.writerow([level, when, event.provider, event.event_id & 0xFFFF, "None", text])
    return out.getvalue().encode(encoding)
