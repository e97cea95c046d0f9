"""Stage 2: the PSync event catalogue, and extraction of :class:`PsyncEvent` values.

The catalogue is data (one :class:`EventKind` per documented id, from
``psync-facts.md`` section 1), not a chain of ifs, so that adding an id is one line.
User and host are taken from the event's data items by position: the message
templates contain ``%r`` (a hard carriage return), so the rendered text is not a
reliable source. Only exports without event data (CSV) fall back to the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from evtdiag.model import EventRecord, Outcome, PsyncEvent

_LEARN = "https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-server-2008-r2-and-2008/"
_TECHNET = "https://technet.microsoft.com/en-us/library/"


@dataclass(frozen=True)
class EventKind:
    """What one PSync event id means."""

    event_id: int | None
    """None for the success message, whose id Microsoft does not document."""
    kind: str
    outcome: Outcome
    inserts: tuple[str, ...]
    """What each data item holds, in order: ``user`` or ``host``."""
    summary: str
    doc_url: str | None
    side: str
    """``unix`` when the UNIX host refused, ``windows`` when the DC decided alone."""


CATALOGUE: tuple[EventKind, ...] = (
    EventKind(
        12294,
        "user-denied",
        Outcome.FAILURE,
        ("user", "host"),
        "Password propagation denied for the remote user",
        _LEARN + "dd316210(v=ws.10)",
        "unix",
    ),
    EventKind(
        12289,
        "deny-group",
        Outcome.FAILURE,
        ("user",),
        "Password propagation denied: user is in PasswordPropDeny",
        _LEARN + "dd364560(v=ws.10)",
        "windows",
    ),
    EventKind(
        12290,
        "not-in-allow-group",
        Outcome.FAILURE,
        ("user",),
        "Password propagation denied: user is not in PasswordPropAllow",
        _LEARN + "cc727634(v=ws.10)",
        "windows",
    ),
    EventKind(
        8203,
        "key-mismatch",
        Outcome.FAILURE,
        ("user", "host"),
        "Encryption key mismatch or packet error",
        _LEARN + "cc727639(v=ws.10)",
        "unix",
    ),
    EventKind(
        8204,
        "account-disabled",
        Outcome.FAILURE,
        ("user", "host"),
        "Logon account disabled for the user on the UNIX host",
        _LEARN + "cc727623(v=ws.10)",
        "unix",
    ),
    EventKind(
        8200,
        "unknown-host",
        Outcome.FAILURE,
        ("host",),
        "Unknown host: the name does not resolve",
        _LEARN + "cc727527(v=ws.10)",
        "windows",
    ),
    EventKind(
        8217,
        "protocol-error",
        Outcome.FAILURE,
        ("host",),
        "Protocol error (encryption key length differs)",
        _TECHNET + "cc727591(v=ws.10)",
        "unix",
    ),
    EventKind(
        8226,
        "untrusted-host",
        Outcome.FAILURE,
        ("host",),
        "Password change request from untrusted host rejected",
        _LEARN + "dd364331(v=ws.10)",
        "windows",
    ),
    EventKind(
        8230,
        "unrecognized-password",
        Outcome.FAILURE,
        ("user",),
        "Unrecognized password for user",
        _LEARN + "cc727543(v=ws.10)",
        "windows",
    ),
    EventKind(
        12296,
        "weak-key-policy",
        Outcome.FAILURE,
        (),
        "The encryption key does not meet the policy for secure keys",
        _TECHNET + "dd364337(v=ws.10)",
        "windows",
    ),
)

SUCCESS = EventKind(
    None,
    "success",
    Outcome.SUCCESS,
    ("user", "host"),
    "Successfully changed password",
    _LEARN + "dd316212(v=ws.10)",
    "unix",
)
OTHER = EventKind(
    None, "other", Outcome.INFO, (), "PSync event not in the catalogue", None, "windows"
)

_BY_ID = {kind.event_id: kind for kind in CATALOGUE}
_SUCCESS_TEXT = re.compile(r"successfully\s+changed\s+password", re.IGNORECASE)
# "%ruser = %1": Windows renders %r as a carriage return, so the text reads
# "<CR>user = alice"; a renderer that ignored %r leaves "ruser = alice".
# The value runs to the end of its line (account names may hold spaces) or, in exports
# that fold the message onto one line, to the next "user ="/"host =".
_MESSAGE_INSERT = re.compile(
    r"(?:^|[\s.:;])r?(user|host)[ \t]*=[ \t]*"
    r"((?:(?![ \t]+r?(?:user|host)[ \t]*=)[^\r\n])*)",
    re.IGNORECASE,
)
# 8200 puts its only insert first: "%1: unknown host. Make sure that host name is valid..."
_UNKNOWN_HOST = re.compile(r"^\s*(\S+?):\s+unknown host\b", re.IGNORECASE)


class Catalogue:
    """The documented kinds plus the success ids the user declared (``--success-id``)."""

    def __init__(self, success_ids: Iterable[int] = ()) -> None:
        self.success_ids = frozenset(success_ids)
        clash = self.success_ids & _BY_ID.keys()
        if clash:
            raise ValueError(f"event id {min(clash)} is a documented failure, not a success")

    def kind_of(self, record: EventRecord) -> EventKind:
        if record.event_id in self.success_ids:
            return SUCCESS
        kind = _BY_ID.get(record.event_id)
        if kind is not None:
            return kind
        if record.message and _SUCCESS_TEXT.search(record.message):
            return SUCCESS
        return OTHER


def extract(records: Iterable[EventRecord], catalogue: Catalogue) -> list[PsyncEvent]:
    """Give every PSync record its meaning; none is dropped (unknown ids become ``other``)."""
    events = [to_psync_event(record, catalogue) for record in records]
    events.sort(key=lambda e: (e.time is None, e.time, e.dc.lower(), e.record.record_id))
    return events


def to_psync_event(record: EventRecord, catalogue: Catalogue) -> PsyncEvent:
    kind = catalogue.kind_of(record)
    inserts = dict(zip(kind.inserts, record.data, strict=False))
    message_derived = False
    if not record.data and record.message:
        found = {
            key.lower(): value.strip()
            for key, value in _MESSAGE_INSERT.findall(record.message)
            if value.strip()
        }
        unknown_host = _UNKNOWN_HOST.match(record.message)
        if unknown_host and "host" not in found:
            found["host"] = unknown_host.group(1)
        inserts = {"user": found.get("user"), "host": found.get("host")}
        message_derived = any(inserts.values())
    return PsyncEvent(
        event_id=record.event_id,
        kind=kind.kind,
        outcome=kind.outcome,
        user=_clean(inserts.get("user")),
        host=_clean(inserts.get("host")),
        dc=record.computer,
        time=record.time_created,
        record=record,
        message_derived=message_derived,
    )


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def kind_named(name: str) -> EventKind | None:
    """The catalogue entry called ``name`` (for documentation links)."""
    return next((k for k in (*CATALOGUE, SUCCESS, OTHER) if k.kind == name), None)


def within(
    events: Iterable[PsyncEvent], since: datetime | None, until: datetime | None
) -> list[PsyncEvent]:
    """The events of the period ``[since, until)``; events without a time are kept
    (they cannot be placed, and dropping them silently would hide them)."""
    return [
        e
        for e in events
        if e.time is None
        or ((since is None or e.time >= since) and (until is None or e.time < until))
    ]
