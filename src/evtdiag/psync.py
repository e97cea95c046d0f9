"""Stage 2: the PSync event catalogue, and extraction of :class:`PsyncEvent` values.

The catalogue is data (one :class:`EventKind` per documented id, listed in
docs/contract.md, Event kinds), not a chain of ifs, so that adding an id is one line.
User and host are taken from the event's data items by position: the message
templates contain ``%r`` (a hard carriage return), so the rendered text is not a
reliable source. Only exports without event data (CSV) fall back to the message.

The success message has no documented id: :func:`identify_successes` takes it from
``--success-id``, or infers it from the logs themselves, before extraction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from evtdiag.model import (
    EventRecord,
    Outcome,
    PsyncEvent,
    SuccessIdentification,
    SuccessSource,
    origin,
)

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


INFORMATION_LEVEL = 4
CLASSIC_INFORMATION = 0x4000
"""The qualifiers of a classic (pre-Vista) informational event, whose Level may be unset."""


def check_success_ids(success_ids: Iterable[int]) -> None:
    """Refuse a documented failure id as a success id (a typo would hide real failures).

    :raises ValueError: naming the smallest such id.
    """
    clash = set(success_ids) & _BY_ID.keys()
    if clash:
        raise ValueError(f"event id {min(clash)} is a documented failure, not a success")


class Catalogue:
    """The documented kinds plus the success ids given (``--success-id``) or inferred."""

    def __init__(self, success_ids: Iterable[int] = ()) -> None:
        self.success_ids = frozenset(success_ids)
        check_success_ids(self.success_ids)

    @classmethod
    def identified(cls, successes: SuccessIdentification) -> Catalogue:
        """The catalogue that classifies the given and inferred ids as successes.

        Ids recognised by their text are left out: the text is checked record by record
        (:meth:`kind_of`), as it always was, so a record of such an id that does not say
        "Successfully changed password" is not called a success.
        """
        return cls(s.event_id for s in successes.sources if s.basis in _SUCCESS_BY_ID)

    def kind_of(self, record: EventRecord) -> EventKind:
        if record.event_id in self.success_ids:
            return SUCCESS
        kind = _BY_ID.get(record.event_id)
        if kind is not None:
            return kind
        if record.message and _SUCCESS_TEXT.search(record.message):
            return SUCCESS
        return OTHER


_SUCCESS_BY_ID = frozenset({"given", "inferred"})
"""The :attr:`SuccessSource.basis` values whose id makes every record of it a success."""
_SHAPE = "Information level, user and host data"
_SUCCESS_NAME = "'Successfully changed password'"


@dataclass(slots=True)
class _IdTally:
    """What one pass over the records learned about one undocumented id."""

    events: int = 0
    informational: bool = True
    """Every record is at Information level."""
    user_and_host: bool = True
    """Every record names a user and a host."""
    text_matches: int = 0
    """Records whose rendered message reads "Successfully changed password"."""
    text_differs: int = 0
    """Records whose rendered message reads something else."""

    def add(self, record: EventRecord) -> None:
        self.events += 1
        self.informational = self.informational and _is_information(record)
        self.user_and_host = self.user_and_host and _names_user_and_host(record)
        if record.message:
            if _SUCCESS_TEXT.search(record.message):
                self.text_matches += 1
            else:
                self.text_differs += 1

    @property
    def shaped_like_success(self) -> bool:
        return self.informational and self.user_and_host


def _is_information(record: EventRecord) -> bool:
    """Information level; classic events may leave Level unset and say it in qualifiers."""
    if record.level:
        return record.level == INFORMATION_LEVEL
    return record.qualifiers == CLASSIC_INFORMATION


def _names_user_and_host(record: EventRecord) -> bool:
    """Two data items (user, host), or a data-less message that names both."""
    if record.data or not record.message:
        return len(record.data) >= 2
    return all(_message_inserts(record.message).values())


def identify_successes(
    records: Iterable[EventRecord], given_ids: Iterable[int] = (), infer: bool = True
) -> SuccessIdentification:
    """Which ids are "Successfully changed password", and on what grounds.

    Microsoft documents the message but not its id, so without ``--success-id`` the
    id is inferred: an undocumented id that is only ever logged at Information level
    with a user and a host is what a success looks like, and the failures are all
    documented. The guess is taken only when one id fits and the rendered messages, when
    an export has them, do not contradict it; every guess and doubt becomes a sentence
    for the report. Records whose rendered message reads the success text are successes
    whatever their id (basis ``message``), with or without ``given_ids``.

    One pass over ``records``, which may hold hundreds of thousands of events.
    """
    tallies = _tally(records)
    given = sorted(set(given_ids))
    by_text = tuple(
        SuccessSource(event_id, "message", tally.text_matches)
        for event_id, tally in sorted(tallies.items())
        if tally.text_matches and event_id not in given
    )
    if given:
        sources = (SuccessSource(i, "given", _events(tallies, i)) for i in given)
        return SuccessIdentification(sources=(*sources, *by_text))
    if not infer:
        return SuccessIdentification(sources=by_text)
    return _inferred(tallies, by_text)


def _tally(records: Iterable[EventRecord]) -> dict[int, _IdTally]:
    """One :class:`_IdTally` per undocumented id (a documented id is never a success)."""
    tallies: dict[int, _IdTally] = {}
    for record in records:
        if record.event_id not in _BY_ID:
            tally = tallies.get(record.event_id)
            if tally is None:
                tally = tallies[record.event_id] = _IdTally()
            tally.add(record)
    return tallies


def _events(tallies: dict[int, _IdTally], event_id: int) -> int:
    tally = tallies.get(event_id)
    return 0 if tally is None else tally.events


def _inferred(
    tallies: dict[int, _IdTally], by_text: tuple[SuccessSource, ...]
) -> SuccessIdentification:
    """The identification without ``--success-id``: the text's ids, plus the one id shaped
    like a success when no rendered message contradicts it."""
    text_ids = [s.event_id for s in by_text]
    warnings: list[str] = []
    agreeing: list[int] = []
    for event_id, tally in sorted(tallies.items()):
        if tally.shaped_like_success:
            doubt = _contradiction(event_id, tally, text_ids)
            if doubt:
                warnings.append(doubt)
            else:
                agreeing.append(event_id)
    if len(agreeing) > 1:
        note = (
            f"PSync ids {_id_list(agreeing)} could each be {_SUCCESS_NAME} ({_SHAPE}); "
            "nothing was inferred: pass --success-id with the right one."
        )
        return SuccessIdentification(
            sources=by_text, candidates=tuple(agreeing), notes=(note,), warnings=tuple(warnings)
        )
    if not agreeing or tallies[agreeing[0]].text_matches == tallies[agreeing[0]].events:
        return SuccessIdentification(sources=by_text, warnings=tuple(warnings))
    return _taken(agreeing[0], tallies[agreeing[0]], by_text, warnings)


def _contradiction(event_id: int, tally: _IdTally, text_ids: list[int]) -> str | None:
    """Why the rendered messages forbid inferring ``event_id``, or None when they do not."""
    if tally.text_differs:
        return (
            f"id {event_id} looks like {_SUCCESS_NAME} ({_SHAPE}), but {tally.text_differs} "
            "of its rendered messages read otherwise (as they do in an export in another "
            f"language); it was not inferred: pass --success-id {event_id} if it is the "
            "success event."
        )
    if text_ids and event_id not in text_ids:
        return (
            f"id {event_id} looks like {_SUCCESS_NAME} ({_SHAPE}), but the rendered "
            f"messages give that text to id {_id_list(text_ids)}; it was not inferred."
        )
    return None


def _taken(
    event_id: int, tally: _IdTally, by_text: tuple[SuccessSource, ...], warnings: list[str]
) -> SuccessIdentification:
    """The identification with ``event_id`` inferred, replacing its text-only source."""
    others = [s for s in by_text if s.event_id != event_id]
    if others:
        warnings.append(
            f"the rendered messages of id {_id_list([s.event_id for s in others])} also read "
            f"{_SUCCESS_NAME}, and id {event_id} was inferred: pass --success-id with the "
            "right one."
        )
    note = (
        f"id {event_id} taken as {_SUCCESS_NAME}: {_SHAPE}, not a documented failure id; "
        f"pass --success-id {event_id} to confirm or --no-success-inference to turn this off."
    )
    taken = SuccessSource(event_id, "inferred", tally.events)
    return SuccessIdentification(sources=(taken, *others), notes=(note,), warnings=tuple(warnings))


def _id_list(ids: list[int]) -> str:
    """``12291``, ``12291 and 12293``, ``12291, 12292 and 12293``."""
    words = [str(i) for i in ids]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def extract(records: Iterable[EventRecord], catalogue: Catalogue) -> list[PsyncEvent]:
    """Give every PSync record its meaning; none is dropped (unknown ids become ``other``).

    The events refer to ``records`` (a :class:`evtdiag.logs.store.RecordStore` keeps them
    as columns) rather than keep a record each."""
    kept = records if isinstance(records, Sequence) else tuple(records)
    keyed = []
    for index, record in enumerate(kept):
        event = _event(record, catalogue, kept, index)
        keyed.append(((event.time is None, event.time, event.dc.lower(), record.record_id), event))
    keyed.sort(key=lambda item: item[0])
    return [event for _, event in keyed]


def to_psync_event(record: EventRecord, catalogue: Catalogue) -> PsyncEvent:
    return _event(record, catalogue, (record,), 0)


def _event(
    record: EventRecord, catalogue: Catalogue, records: Sequence[EventRecord], index: int
) -> PsyncEvent:
    """The meaning of ``record``, which is ``records[index]``.

    Each field of the record is read once: a record of a store is a view whose fields
    are read from its columns when asked for."""
    kind = catalogue.kind_of(record)
    data, message = record.data, record.message
    inserts: dict[str, str | None] = dict(zip(kind.inserts, data, strict=False))
    message_derived = False
    if not data and message:
        inserts = _message_inserts(message)
        message_derived = any(inserts.values())
    user, host = _clean(inserts.get("user")), _clean(inserts.get("host"))
    return PsyncEvent(
        event_id=record.event_id,
        kind=kind.kind,
        outcome=kind.outcome,
        user=user,
        host=host,
        dc=record.computer,
        time=record.time_created,
        records=records,
        index=index,
        message_derived=message_derived,
        provenance=origin(data, message, record.data_origin) if user or host else None,
    )


def _message_inserts(message: str) -> dict[str, str | None]:
    """User and host as a rendered message names them (exports without event data)."""
    found = {
        key.lower(): value.strip()
        for key, value in _MESSAGE_INSERT.findall(message)
        if value.strip()
    }
    unknown_host = _UNKNOWN_HOST.match(message)
    if unknown_host and "host" not in found:
        found["host"] = unknown_host.group(1)
    return {"user": found.get("user"), "host": found.get("host")}


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
