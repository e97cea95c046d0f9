"""Compare two JSON reports of one site: which problems were fixed, are still failing, are
new, or cannot be told yet (Microsoft's "retry password synchronization to verify").

A stage of its own, beside the diagnosis: it decides something neither report says (a
category for every problem of the two), and :mod:`evtdiag.render.compare_report` only
shows the result, as the report renderers only show a diagnosis.

Problems are matched by id (scope, subject and cause), else by subject alone: supplying
configurations between the two runs can change a cause ("unexplained" becomes
"encryption-key-mismatch") but not the scope nor whom it names. Hosts are compared by
the identity AFTER gives their spelling (its ``host_identities``), else BEFORE's, else the
folded short name: the identities of one host differ between a run with ``--hosts`` and
one without only where a configuration's alias ties spellings together.

A BEFORE problem that AFTER does not list is judged by AFTER's events in its scope since
its last failure, the scope of :func:`evtdiag.diagnose.status.success_keys`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evtdiag.diagnose.attempts import attempt_keys
from evtdiag.diagnose.status import RESOLVED, success_keys
from evtdiag.document import (
    Times,
    counts,
    host_identities,
    host_identity,
    moment,
    resolution_text,
)
from evtdiag.names import account_key

FIXED = "fixed"
UNVERIFIED = "not-yet-verified"
STILL_FAILING = "still-failing"
NEW = "new"
CATEGORIES = (STILL_FAILING, NEW, UNVERIFIED, FIXED)
"""Every category, in the order the outputs list them: what needs work first."""
UNSETTLED = frozenset({STILL_FAILING, NEW})
"""The categories that make ``evtdiag compare`` exit 1."""

PROBLEM_FIELDS = ("id", "scope", "account", "host", "dc", "cause", "title", "severity",
                  "status", "event_count", "first_seen", "last_seen", "last_failure",
                  "resolved_at", "verified_by", "remediation")  # fmt: skip
"""What a comparison keeps of a problem: enough to act on and to find it in its report
by id; the evidence and the events stay there."""

Subject = tuple[str, str, str, str]
"""Scope, account, host and DC identities, ``""`` where not part of the scope."""


@dataclass(frozen=True)
class ReportInfo:
    """Which report a side of the comparison is, and what it concluded."""

    path: str
    generated_at: str | None
    verdict: str
    first_event: str | None
    last_event: str | None


@dataclass(frozen=True)
class Entry:
    """One problem of either report, or one of each when they match, and its category."""

    category: str
    before: dict[str, Any] | None
    """The BEFORE problem's :data:`PROBLEM_FIELDS` and its ``subject``; None when new."""
    after: dict[str, Any] | None
    """The AFTER problem likewise; None when AFTER does not list it."""
    reason: str
    """One line: what in AFTER put the problem in its category."""
    matched_by: str | None = None
    """``id`` or ``subject`` when the problem is in both reports."""

    @property
    def unsettled(self) -> bool:
        """Still failing or new, and counted as the verdict counts it (a new refusal that
        protects a superuser, administrator or service account is not)."""
        return self.category in UNSETTLED and (self.after is None or counts(self.after))


@dataclass(frozen=True)
class Comparison:
    before: ReportInfo
    after: ReportInfo
    entries: tuple[Entry, ...]
    """In the order of :data:`CATEGORIES`, each in the reports' order."""

    def summary(self) -> dict[str, int]:
        """Entries per category, every category named."""
        counts = Counter(entry.category for entry in self.entries)
        return {category: counts[category] for category in CATEGORIES}

    @property
    def settled(self) -> bool:
        """Nothing still failing and nothing new, intended refusals aside: the fixes hold
        (exit code 0)."""
        return not any(entry.unsettled for entry in self.entries)


@dataclass(frozen=True)
class _Problem:
    view: dict[str, Any]
    subject: Subject
    keys: tuple[Hashable, ...]
    """The attempts table keys of its scope (:func:`success_keys`)."""
    last_failure: datetime | None


@dataclass(frozen=True)
class _Attempt:
    """A failure or a success of AFTER's events, as logged."""

    succeeded: bool
    moment: datetime | None
    time: str | None
    user: str
    host: str
    dc: str


def compare_reports(
    before: dict[str, Any],
    after: dict[str, Any],
    times: Times,
    *,
    paths: tuple[str, str] = ("BEFORE", "AFTER"),
) -> Comparison:
    """Every problem of the documents ``before`` and ``after`` (as
    :func:`evtdiag.document.load` returns them: checked and completed) in its category;
    the reasons show times as ``times`` does.

    A BEFORE problem AFTER does not list is still failing when its scope has failures
    but no success in AFTER since its last failure: AFTER explains those failures by
    another problem (another scope), yet what BEFORE found is not fixed.
    """
    hosts = host_identities(before, after)  # AFTER's, else BEFORE's, else the short name
    old = [_problem(raw, hosts) for raw in before["problems"]]
    current = [_problem(raw, hosts) for raw in after["problems"]]
    matches = _matches(old, current)
    wanted = {key for n, problem in enumerate(old) if n not in matches for key in problem.keys}
    attempts = _attempts(after["events"]["items"], hosts, wanted)
    entries = [
        _matched(problem, current[matches[n][0]], matches[n][1], times)
        if n in matches
        else _absent(problem, attempts, times)
        for n, problem in enumerate(old)
    ]
    taken = {index for index, _ in matches.values()}
    entries += [_only_after(p, times) for n, p in enumerate(current) if n not in taken]
    entries.sort(key=lambda entry: CATEGORIES.index(entry.category))
    return Comparison(_info(before, paths[0]), _info(after, paths[1]), tuple(entries))


def _info(document: dict[str, Any], path: str) -> ReportInfo:
    moments = [e["time"] for e in document["events"]["items"] if e["time"]]
    return ReportInfo(path, document["generated_at"], document["verdict"],
                      min(moments, default=None), max(moments, default=None))  # fmt: skip


def _problem(raw: dict[str, Any], hosts: Mapping[str, str]) -> _Problem:
    """A problem as the comparison sees it. A report older than ``subject`` gets it
    derived as the diagnosis derives it (the loader, :mod:`evtdiag.document`, gave an
    older one its open ``status`` and its ``last_seen`` as ``last_failure``)."""
    view = {name: raw[name] for name in PROBLEM_FIELDS}
    account, host, dc = raw["account"], raw["host"], raw["dc"]
    stored = raw.get("subject") or {}
    subject = (
        view["scope"],
        stored.get("account", account_key(account) if account else ""),
        host_identity(host, hosts),
        stored.get("dc", dc.casefold() if dc else ""),
    )
    view["subject"] = dict(zip(("scope", "account", "host", "dc"), subject, strict=True))
    spread = [host_identity(spelling, hosts) for spelling in raw["hosts"]]
    keys = success_keys(subject[0], subject[1], subject[2], subject[3], spread)
    return _Problem(view, subject, tuple(keys), moment(view["last_failure"]))


def _matches(old: list[_Problem], current: list[_Problem]) -> dict[int, tuple[int, str]]:
    """BEFORE index -> (AFTER index, ``id`` or ``subject``).

    Ids first, for every problem; then subjects, an AFTER problem nobody matched yet
    preferred. Several BEFORE problems may match one AFTER problem: two causes of one
    subject in BEFORE, one left in AFTER, are both judged by that one.
    """
    by_id = {problem.view["id"]: n for n, problem in enumerate(current)}
    by_subject: dict[Subject, list[int]] = defaultdict(list)
    for n, problem in enumerate(current):
        by_subject[problem.subject].append(n)
    matches = {n: (by_id[p.view["id"]], "id") for n, p in enumerate(old) if p.view["id"] in by_id}
    taken = {index for index, _ in matches.values()}
    for n, problem in enumerate(old):
        candidates = by_subject.get(problem.subject)
        if n in matches or not candidates:
            continue
        chosen = next((index for index in candidates if index not in taken), candidates[0])
        matches[n] = (chosen, "subject")
        taken.add(chosen)
    return matches


def _attempts(
    events: Iterable[dict[str, Any]], hosts: Mapping[str, str], wanted: set[Hashable]
) -> dict[Hashable, list[_Attempt]]:
    """AFTER's failures and successes under the keys of :func:`success_keys` (only the
    ``wanted`` ones: a year of events holds far more than the problems ask about)."""
    found: dict[Hashable, list[_Attempt]] = defaultdict(list)
    for event in events:
        user, host, dc = event["user"], event["host"], event["dc"] or ""
        if not user or not host or event["outcome"] not in ("failure", "success"):
            continue
        account, identity, folded = account_key(user), host_identity(host, hosts), dc.casefold()
        attempt = _Attempt(event["outcome"] == "success", moment(event["time"]), event["time"],
                           user, host, dc)  # fmt: skip
        for key in attempt_keys(account, identity, folded):
            if key in wanted:
                found[key].append(attempt)
    return found


def _matched(before: _Problem, after: _Problem, how: str, times: Times) -> Entry:
    if after.view["status"] == RESOLVED:
        reason = f"resolved in AFTER: {resolution_text(after.view, times)}"
        return Entry(FIXED, before.view, after.view, reason, how)
    reason = f"still open in AFTER: last failure {times.moment(after.view['last_failure'])}"
    return Entry(STILL_FAILING, before.view, after.view, reason, how)


def _absent(problem: _Problem, attempts: dict[Hashable, list[_Attempt]], times: Times) -> Entry:
    since = problem.last_failure
    seen = [
        attempt
        for key in problem.keys
        for attempt in attempts.get(key, ())
        if since is None or attempt.moment is None or attempt.moment > since
    ]
    last = f"last failure {times.moment(problem.view['last_failure'])}, " if since else ""
    successes = [attempt for attempt in seen if attempt.succeeded]
    if successes:  # one report's times share one format: as text they sort as moments
        first = min(successes, key=lambda attempt: (attempt.time is None, attempt.time or ""))
        reason = (
            f"not in AFTER; {last}verified {times.moment(first.time)} by a success of "
            f"{first.user} on {first.host} through {first.dc or '?'}"
        )
        return Entry(FIXED, problem.view, None, reason)
    if seen:
        reason = f"not in AFTER as such; {last}then {len(seen)} failure(s) in its scope, no success"
        return Entry(STILL_FAILING, problem.view, None, reason)
    reason = f"not in AFTER; {last}no attempt in its scope{' since' if since else ''}"
    return Entry(UNVERIFIED, problem.view, None, reason)


def _only_after(problem: _Problem, times: Times) -> Entry:
    if problem.view["status"] == RESOLVED:
        reason = f"not in BEFORE; resolved in AFTER: {resolution_text(problem.view, times)}"
        return Entry(FIXED, None, problem.view, reason)
    span = times.span(problem.view["first_seen"], problem.view["last_seen"])
    reason = f"open in AFTER, not in BEFORE: {problem.view['event_count']} failure(s), {span}"
    return Entry(NEW, None, problem.view, reason)
