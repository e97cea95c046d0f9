"""The report document (schema ``evtdiag/2``) as read back by ``render``, ``compare`` and
every renderer: the one reader of it.

A saved report is untrusted: hand-edited, written by an older evtdiag, or crafted. It is
checked here once, field by field against :data:`REPORT` (the fields of
docs/contract.md), so that everything after the load can rely on every field's type and
on the codes it acts on: a bad document is refused with the JSON path of its first bad
field (``problems[0].severity: expected one of error, warning, info, got null``), never
half rendered. The fields the contract marks ``contract`` are required; every later
field gets its default here, and only here, so that a report written before it (or with
the contract's fields alone) renders like a new one. An ``evtdiag/1`` report, which
listed every event, is checked against its own schema and then brought to ``evtdiag/2``
(:func:`upgraded`): its events summarised as a new report summarises them, its
problems' events cut to their samples; so every reader knows one shape.

What a reader asks of a problem or a report beyond its fields is answered here too, once:
whether a problem is open and counts for the verdict, the order problems are listed in,
the verdict's counts, a host spelling's identity and a time as a moment. ``compare`` and
the renderers read the document through these, so that they agree.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from evtdiag.errors import UsageError
from evtdiag.event_summary import EVENT_SAMPLE, EventSummary, sample
from evtdiag.json_shape import (
    FLAG,
    INTEGER,
    KEEP_ABSENT,
    TEXT,
    Default,
    Invalid,
    ListOf,
    MapOf,
    Nullable,
    OneOf,
    Record,
    Shape,
    Time,
    copied,
    empty,
)
from evtdiag.names import host_key

SCHEMA = "evtdiag/2"
LISTING_SCHEMA = "evtdiag/1"
"""The schema of reports that listed every event; still read (:func:`upgraded`)."""
VERDICTS = ("operational", "warning", "failing", "no-psync-events")
SCOPES = ("host", "account", "dc", "pair")
SEVERITIES = ("error", "warning", "info")
STATUSES = ("open", "resolved")
OUTCOMES = ("failure", "success", "info")
EVIDENCE_KINDS = ("config", "event", "absence")

_NAME = Nullable(TEXT)
_COUNT = Nullable(INTEGER)
_TIME = Nullable(Time())
_TEXTS = ListOf(TEXT)
_SEVERITY = OneOf(*SEVERITIES)


def _event_evidence(item: dict[str, Any]) -> None:
    """Event evidence carries its record id and XML (older reports: none)."""
    if item["kind"] == "event":
        item.setdefault("record_id", None)
        item.setdefault("xml", "")


EVIDENCE = Record(
    {"kind": OneOf(*EVIDENCE_KINDS), "file": _NAME, "line": _COUNT, "text": TEXT},
    {
        # Kept absent in older reports: redaction refuses evidence without a subject.
        "subject": (_NAME, KEEP_ABSENT),
        "record_id": (_COUNT, KEEP_ABSENT),
        "xml": (Nullable(TEXT), KEEP_ABSENT),
    },
    complete=_event_evidence,
)
_EVIDENCE_LIST = ListOf(EVIDENCE)

SKIPPED = Record(
    {"reason": TEXT},
    {
        "file": (_NAME, empty(None)),
        "chunk": (_COUNT, empty(None)),
        "offset": (_COUNT, empty(None)),
        "record_id": (_COUNT, empty(None)),
        "line": (_COUNT, empty(None)),
        "lost": (FLAG, empty(True)),
    },
)

INPUT = Record(
    {
        "path": TEXT,
        "sha256": TEXT,
        "format": TEXT,
        "records": INTEGER,
        "psync_events": INTEGER,
        "skipped": ListOf(SKIPPED),
        "dirty": Nullable(FLAG),
        "first_time": _TIME,
        "last_time": _TIME,
        "computers": _TEXTS,
    },
    {
        "size": (INTEGER, empty(0)),
        "duplicates": (INTEGER, empty(0)),
        "note": (_NAME, empty(None)),
        "origins": (MapOf(INTEGER), empty({})),
    },
)

EVENT = Record(
    {
        "time": _TIME,
        "dc": _NAME,
        "event_id": INTEGER,
        "kind": TEXT,
        "outcome": OneOf(*OUTCOMES),
        "user": _NAME,
        "host": _NAME,
    },
    {
        "qualifiers": (_COUNT, empty(None)),
        "source": (TEXT, empty("")),
        "record_id": (_COUNT, empty(None)),
        "provider": (TEXT, empty("")),
        "channel": (TEXT, empty("")),
        "level": (_COUNT, empty(None)),
        "data": (_TEXTS, empty([])),
        "unverified": (FLAG, empty(False)),
        "message_derived": (FLAG, empty(False)),
        "provenance": (Nullable(OneOf("data", "message", "fallback-message")), empty(None)),
    },
)

LISTED_EVENTS = Record(
    {},
    {
        "items": (ListOf(EVENT), empty([])),
        "total": (INTEGER, lambda events: len(events["items"])),
        "by_id": (MapOf(INTEGER), empty({})),
    },
)
"""``events`` of an ``evtdiag/1`` report: every event."""

EVENTS = Record(
    {"total": INTEGER},
    {
        "by_id": (MapOf(INTEGER), empty({})),
        "outcomes": (MapOf(INTEGER), empty({})),
        "first_time": (_TIME, empty(None)),
        "last_time": (_TIME, empty(None)),
        "dcs": (_TEXTS, empty([])),
        "latest_attempts": (ListOf(Time()), empty([])),
        "by_day": (MapOf(INTEGER), empty({})),
    },
)
"""``events`` of an ``evtdiag/2`` report: what :class:`EventSummary` counts."""


def _square(matrix: dict[str, Any]) -> None:
    """Every row holds a cell of two counts per account: the page reads them by column."""
    for index, row in enumerate(matrix["rows"]):
        cells = row["cells"]
        if len(cells) != len(matrix["accounts"]) or any(len(cell) != 2 for cell in cells):
            error = Invalid(
                f"expected one [failures, successes] per account ({len(matrix['accounts'])}), "
                f"got {len(cells)} cells"
            )
            error.steps += ["cells", index, "rows"]
            raise error


MATRIX = Record(
    {},
    {
        "accounts": (
            ListOf(Record({"name": TEXT}, {"spellings": (_TEXTS, empty([]))})),
            empty([]),
        ),
        "rows": (
            ListOf(
                Record(
                    {"host": TEXT, "failures": INTEGER, "cells": ListOf(ListOf(INTEGER))},
                    {"spellings": (_TEXTS, empty([]))},
                )
            ),
            empty([]),
        ),
        "hidden_accounts": (INTEGER, empty(0)),
        "hidden_hosts": (INTEGER, empty(0)),
    },
    complete=_square,
)

HOST_LANES = Record(
    {},
    {
        "lanes": (
            ListOf(
                Record(
                    {"host": TEXT, "failures": INTEGER, "successes": INTEGER},
                    {
                        "failure_times": (ListOf(Time()), empty([])),
                        "success_times": (ListOf(Time()), empty([])),
                    },
                )
            ),
            empty([]),
        ),
        "hidden": (INTEGER, empty(0)),
    },
)

_LAST_ATTEMPT = Nullable(Record({"time": Time(), "user": TEXT, "host": TEXT, "dc": TEXT}))
ATTEMPTS = Record(
    {},
    {
        "complete": (FLAG, empty(True)),
        "rows": (
            ListOf(
                Record(
                    {
                        "scope": OneOf("pair", "host", "host-dc", "dc", "account"),
                        "account": TEXT,
                        "host": TEXT,
                        "dc": TEXT,
                        "failures": INTEGER,
                        "successes": INTEGER,
                    },
                    {
                        "first_failure": (_TIME, empty(None)),
                        "recent_failures": (ListOf(Time()), empty([])),
                        "last_failure": (_LAST_ATTEMPT, empty(None)),
                        "first_success": (_LAST_ATTEMPT, empty(None)),
                        "last_success": (_LAST_ATTEMPT, empty(None)),
                    },
                )
            ),
            empty([]),
        ),
        "scopes": (INTEGER, lambda attempts: len(attempts["rows"])),
    },
)

EVENT_REF = Record(
    {"time": _TIME},
    {
        "source": (TEXT, empty("")),
        "record_id": (_COUNT, empty(None)),
        "dc": (_NAME, empty(None)),
        "event_id": (_COUNT, empty(None)),
        "account": (_NAME, empty(None)),
        "host": (_NAME, empty(None)),
    },
)

CAUSE = Record(
    {"cause": TEXT},
    {
        "title": (TEXT, empty("")),
        "basis": (TEXT, empty("")),
        "severity": (Nullable(_SEVERITY), empty(None)),
        "explanation": (TEXT, empty("")),
        "detail": (TEXT, empty("")),
        "remediation": (TEXT, empty("")),
        "doc_url": (_NAME, empty(None)),
        "evidence": (_EVIDENCE_LIST, empty([])),
    },
)

SUBJECT = Record({"scope": TEXT, "account": TEXT, "host": TEXT, "dc": TEXT})

COMMAND = Record(
    {"shell": OneOf("sh", "powershell", "cmd"), "text": TEXT}, {"note": (TEXT, empty(""))}
)
_COMMANDS = ListOf(COMMAND)
LINE_EDIT = Record(
    {
        "file": TEXT,
        "path": TEXT,
        "line": INTEGER,
        "before": Nullable(TEXT),
        "after": TEXT,
        "diff": Nullable(TEXT),
        "command": TEXT,
    }
)
FIX = Record(
    {
        "summary": TEXT,
        "steps": ListOf(
            Record(
                {"owner": TEXT, "action": TEXT},
                {
                    "edits": (ListOf(LINE_EDIT), empty([])),
                    "commands": (_COMMANDS, empty([])),
                    "then": (_COMMANDS, empty([])),
                },
            )
        ),
        "verify": Record(
            {"account": _NAME, "host": _NAME, "dc": _NAME},
            {
                "success_ids": (ListOf(INTEGER), empty([])),
                "failure_ids": (ListOf(INTEGER), empty([])),
            },
        ),
    },
    {"alternative": (TEXT, empty(""))},
)

FIRST_CAUSE_FIELDS = {"title": "title", "basis": "basis", "severity": "cause_severity",
                      "explanation": "explanation", "detail": "detail",
                      "remediation": "remediation", "doc_url": "doc_url",
                      "evidence": "evidence"}  # fmt: skip
"""A cause's fields and the problem's fields that hold them for its first cause."""


def _first_cause(problem: dict[str, Any]) -> None:
    """An ``evtdiag/2`` report names a problem's first cause by its code alone (its fields
    are the problem's own): completed from them, so every reader sees the whole cause."""
    causes = problem["causes"]
    if causes and causes[0]["cause"] == problem["cause"]:
        own = {key: problem[field] for key, field in FIRST_CAUSE_FIELDS.items()}
        causes[0] = {"cause": problem["cause"], **own}


PROBLEM = Record(
    {
        "id": TEXT,
        "scope": OneOf(*SCOPES),
        "account": _NAME,
        "host": _NAME,
        "dc": _NAME,
        "cause": TEXT,
        "severity": _SEVERITY,
        "basis": TEXT,
        "event_count": INTEGER,
        "first_seen": _TIME,
        "last_seen": _TIME,
        "evidence": _EVIDENCE_LIST,
        "remediation": TEXT,
    },
    {
        "status": (OneOf(*STATUSES), empty("open")),
        "last_failure": (_TIME, copied("last_seen")),
        "resolved_at": (_TIME, empty(None)),
        "verified_by": (Nullable(EVIDENCE), empty(None)),
        # Kept absent in older reports: compare and the timeline derive it by identity.
        "subject": (SUBJECT, KEEP_ABSENT),
        "cause_severity": (_SEVERITY, copied("severity")),
        "title": (TEXT, empty("")),
        "explanation": (TEXT, empty("")),
        "detail": (TEXT, empty("")),
        "doc_url": (_NAME, empty(None)),
        "scope_reason": (TEXT, empty("")),
        "accounts": (_TEXTS, empty([])),
        "hosts": (_TEXTS, empty([])),
        "fix": (Nullable(FIX), empty(None)),
        "causes": (ListOf(CAUSE), empty([])),
        "events": (ListOf(EVENT_REF), empty([])),
    },
    complete=lambda problem: _first_cause(problem),
)

AUDIT = Record(
    {
        "id": TEXT,
        "rule": TEXT,
        "host": _NAME,
        "severity": _SEVERITY,
        "evidence": _EVIDENCE_LIST,
        "remediation": TEXT,
    },
    {
        "basis": (TEXT, empty("")),
        "title": (TEXT, empty("")),
        "explanation": (TEXT, empty("")),
    },
)

COUNTS = Record(
    {"accounts": INTEGER, "accounts_failing": INTEGER, "hosts": INTEGER, "hosts_failing": INTEGER},
    # Kept absent in reports older than v2: the renderers take the failing counts.
    {
        name: (INTEGER, KEEP_ABSENT)
        for name in ("accounts_open", "hosts_open", "pairs", "pairs_open")
    },
)

_REQUIRED = {
    "verdict": OneOf(*VERDICTS),
    "inputs": ListOf(INPUT),
    "problems": ListOf(PROBLEM),
    "audit": ListOf(AUDIT),
}
_OPTIONAL: dict[str, tuple[Shape, Default]] = {
    "tool": (
        Record({}, {"name": (TEXT, empty("evtdiag")), "version": (TEXT, empty("?"))}),
        empty({"name": "evtdiag", "version": "?"}),
    ),
    "generated_at": (_TIME, empty(None)),
    "verdict_reasons": (_TEXTS, empty([])),
    # Kept absent in older reports: the renderers count their events by spelling.
    "counts": (COUNTS, KEEP_ABSENT),
    "unmatched_hosts": (_TEXTS, empty([])),
    "unreferenced_hosts": (_TEXTS, empty([])),
    "success_ids": (ListOf(INTEGER), empty([])),
    "success_id_details": (
        ListOf(Record({"id": INTEGER, "basis": TEXT, "events": INTEGER})),
        empty([]),
    ),
    "success_candidates": (ListOf(INTEGER), empty([])),
    "host_identities": (ListOf(Record({"host": TEXT, "identity": TEXT})), empty([])),
    "config_warnings": (
        ListOf(Record({"file": _NAME, "line": _COUNT, "message": TEXT})),
        empty([]),
    ),
    "notes": (_TEXTS, empty([])),
    "run": (
        Record(
            {},
            {
                "command": (_TEXTS, empty([])),
                "time_zone": (Nullable(TEXT), empty(None)),
                "since": (_TIME, empty(None)),
                "until": (_TIME, empty(None)),
                "configurations": (
                    ListOf(Record({"path": TEXT, "taken_as": TEXT, "recognised": FLAG})),
                    empty([]),
                ),
            },
        ),
        empty({}),
    ),
    "host_configs": (
        ListOf(Record({"name": TEXT, "source": TEXT, "aliases": _TEXTS})),
        empty([]),
    ),
    "windows_groups": (
        ListOf(Record({"group": TEXT, "supplied": FLAG, "members": _TEXTS})),
        empty([]),
    ),
    # Kept absent: its presence says the report is redacted.
    "redaction": (
        Record({}),
        KEEP_ABSENT,
    ),
}
REPORT = Record(
    {**_REQUIRED, "events": EVENTS},
    {
        **_OPTIONAL,
        "matrix": (MATRIX, lambda _: MATRIX.check({})),
        "host_lanes": (HOST_LANES, lambda _: HOST_LANES.check({})),
        "attempts": (ATTEMPTS, lambda _: ATTEMPTS.check({"complete": False})),
    },
)
"""The ``evtdiag/2`` document (docs/contract.md, Report JSON): required fields, optional
ones with their defaults. ``schema`` itself is checked first, by :func:`load`."""
LISTING_REPORT = Record({**_REQUIRED, "events": LISTED_EVENTS}, _OPTIONAL)
"""The ``evtdiag/1`` document: ``events.items`` lists every event."""


def read(path: Path) -> dict[str, Any]:
    """The report saved at ``path``, checked and completed (:func:`load`).

    :raises UsageError: when it cannot be read or is not a valid ``evtdiag/2`` (or
        ``evtdiag/1``) report.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"{path} cannot be read as a JSON report: {error.strerror}") from error
    return load(data, str(path))


def load(data: bytes, name: str) -> dict[str, Any]:
    """A saved JSON report (UTF-8, with or without a byte order mark), checked against
    :data:`REPORT` and completed with the defaults of the fields it lacks.

    :raises UsageError: when the bytes are not a valid ``evtdiag/2`` (or ``evtdiag/1``)
        report; the
        message names the first bad field by its JSON path.
    """
    try:
        text = data.decode("utf-8-sig")
        document = json.loads(text, parse_constant=_no_constant)
    except RecursionError:  # the C decoder stops at the interpreter's recursion limit
        raise UsageError(f"{name} is not a JSON report: nested too deep") from None
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError too
        raise UsageError(f"{name} is not a JSON report: {error}") from error
    found = document.get("schema") if isinstance(document, dict) else None
    shapes = {SCHEMA: REPORT, LISTING_SCHEMA: LISTING_REPORT}
    shape = shapes.get(found) if isinstance(found, str) else None
    if shape is None:
        raise UsageError(
            f"{name} is not an evtdiag report (schema {found!r}, expected {SCHEMA!r} or "
            f"{LISTING_SCHEMA!r}); write one with 'evtdiag report ... --format json'"
        )
    try:
        checked = shape.check(document)
    except Invalid as error:
        raise UsageError(f"{name} is not a valid {found} report: {error}") from None
    return upgraded(checked) if found == LISTING_SCHEMA else checked


def upgraded(document: dict[str, Any]) -> dict[str, Any]:
    """A checked ``evtdiag/1`` report as ``evtdiag/2``: its events summarised as a new
    report summarises them (:class:`EventSummary`, hosts folded by the report's own
    identities), each problem's events cut to its sample; a report older than ``counts``
    gets them counted by spelling from its events, as it was shown before."""
    events = document["events"]["items"]
    summary = EventSummary(functools.partial(host_identity, identities=host_identities(document)))
    for event in events:
        summary.add(moment(event["time"]), event["outcome"], event["event_id"], event["user"],
                    event["host"], event["dc"])  # fmt: skip
    if "counts" not in document:
        failures = [e for e in events if e["outcome"] == "failure"]
        document["counts"] = {
            "accounts": len({e["user"] for e in events if e["user"]}),
            "accounts_failing": len({e["user"] for e in failures if e["user"]}),
            "hosts": len({e["host"] for e in events if e["host"]}),
            "hosts_failing": len({e["host"] for e in failures if e["host"]}),
        }
    document.update(summary.sections())
    for problem in document["problems"]:
        problem["events"] = sample(problem["events"], EVENT_SAMPLE)
    document["schema"] = SCHEMA
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def moment(text: str | None) -> datetime | None:
    """A time of a checked document (ISO 8601 with a zone) as a moment in UTC; None for
    an unknown time."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


class Times(Protocol):
    """How a reader shows the document's times to people
    (:class:`evtdiag.render.timefmt.TimeFormatter` is one): ``?`` for an unknown time."""

    def moment(self, iso: str | None) -> str: ...

    def span(self, first: str | None, last: str | None) -> str: ...


def is_open(problem: dict[str, Any]) -> bool:
    """Whether the problem still needs work: reports from before problem status have only
    open problems (:func:`load` gives them ``status: open``)."""
    return bool(problem["status"] == "open")


def counts(problem: dict[str, Any]) -> bool:
    """Whether the verdict and the exit code count the problem: open, and not intended
    (info), as :func:`evtdiag.diagnose.verdict.counted` picks them from a diagnosis."""
    return is_open(problem) and problem["severity"] != "info"


def counted_in(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The problems of ``document`` that :func:`counts`."""
    return [p for p in document["problems"] if counts(p)]


def problem_order(problems: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open problems by scope (host, account, DC, pair: :data:`SCOPES`), then the resolved
    ones: the order every output lists them in, whatever order a hand-edited report has."""
    rank = {scope: index for index, scope in enumerate(SCOPES)}
    return sorted(problems, key=lambda p: (not is_open(p), rank.get(p["scope"], len(rank))))


def failing_pairs(problem: dict[str, Any]) -> int:
    """How many (account, host) pairs a problem holds failing, at least one: its impact
    (a host spelt two ways counts twice: the document names spellings)."""
    return (len(problem["accounts"]) or 1) * (len(problem["hosts"]) or 1)


def impact_order(problems: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The problems a ticket reader should look at first: open ones that count, the most
    failing pairs then the most events first; then the intended refusals (info); then
    the resolved ones. The triage tables and the "What to do" list read in this order."""

    def rank(problem: dict[str, Any]) -> tuple[int, int, int]:
        group = 0 if counts(problem) else 1 if is_open(problem) else 2
        return (group, -failing_pairs(problem), -problem["event_count"])

    return sorted(problems, key=rank)


def triage_rows(problems: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One triage row per subject, by impact (:func:`impact_order`): problems of one
    status, scope and subject (a host with two causes) share a row that names every
    cause, adds their events and spans their times; it links to the first one's card.
    Each row is the first problem's fields with those merged, and ``grouped``, the ids."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for problem in impact_order(problems):
        key = tuple(problem[name] for name in ("status", "scope", "account", "host", "dc"))
        groups.setdefault(key, []).append(problem)
    return [_merged(group) for group in groups.values()]


def _merged(group: list[dict[str, Any]]) -> dict[str, Any]:
    first = group[0]
    if len(group) == 1:
        return {**first, "grouped": [first["id"]]}
    first_seen, last_failure = failure_span(group)
    return {
        **first,
        "severity": min((p["severity"] for p in group), key=SEVERITIES.index),
        "cause": ", ".join(p["cause"] for p in group),
        "title": "; ".join(p["title"] for p in group if p["title"]),
        "event_count": sum(p["event_count"] for p in group),
        "first_seen": first_seen,
        "last_failure": last_failure,
        "grouped": [p["id"] for p in group],
    }


def failure_span(problems: Iterable[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The first ``first_seen`` and the last ``last_failure`` of ``problems`` (None where
    none is known): the span of a triage row or a group of problems."""
    listed = list(problems)
    firsts = [p["first_seen"] for p in listed if p["first_seen"]]
    lasts = [p["last_failure"] for p in listed if p["last_failure"]]
    return (
        min(firsts, key=_instant) if firsts else None,
        max(lasts, key=_instant) if lasts else None,
    )


def _instant(text: str) -> datetime:
    when = moment(text)
    return when if when is not None else datetime.min.replace(tzinfo=timezone.utc)


def verdict_counts(document: dict[str, Any]) -> dict[str, Any]:
    """Accounts, hosts and DCs for the verdict: the diagnosis's counts by identity. A
    report from before the open counts takes them from the failing ones; ``pairs`` stays
    None there (nothing in such a report says which pairs were tried)."""
    found = document.get("counts") or {
        "accounts": 0, "accounts_failing": 0, "hosts": 0, "hosts_failing": 0
    }  # fmt: skip
    result = {**found, "dcs": list(document["events"]["dcs"])}
    result.setdefault("accounts_open", result["accounts_failing"])
    result.setdefault("hosts_open", result["hosts_failing"])
    result.setdefault("pairs", None)
    result.setdefault("pairs_open", None)
    return result


def resolution_text(problem: dict[str, Any], times: Times) -> str:
    """What showed the fix: the first success in the problem's scope after its last
    failure."""
    text = (
        f"last failure {times.moment(problem['last_failure'])}, verified "
        f"{times.moment(problem['resolved_at'])}"
    )
    verified = problem["verified_by"]
    if verified:
        text += f" by {verified['text']}"
    return text


def host_identities(*documents: dict[str, Any]) -> dict[str, str]:
    """Host spelling -> identity, as the documents name their hosts (``host_identities``);
    a spelling two documents name takes the later one's identity."""
    return {
        item["host"]: item["identity"]
        for document in documents
        for item in document["host_identities"]
    }


def host_identity(spelling: str | None, identities: Mapping[str, str]) -> str:
    """The one way a reader folds a host name: its identity in ``identities``
    (:func:`host_identities`), else the folded short name
    (:func:`evtdiag.names.host_key`, as the diagnosis names a host no configuration
    ties: ``WEB01.corp.example.com`` = ``web01``); ``""`` for no host."""
    if not spelling:
        return ""
    return identities.get(spelling) or host_key(spelling)
