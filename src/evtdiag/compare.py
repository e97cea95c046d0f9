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

Only AFTER's attempts later than BEFORE's last event verify anything: an AFTER report
often covers BEFORE's period too, and its old failures are what BEFORE already judged. A
problem nothing was tried in since is never "still failing": it waits for its retry
(not yet verified, when AFTER no longer finds its cause) or is unchanged. The scope is
that of :func:`evtdiag.diagnose.status.success_keys`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evtdiag.diagnose.status import RESOLVED, success_keys
from evtdiag.document import (
    Times,
    counts,
    host_identities,
    host_identity,
    moment,
    resolution_text,
)
from evtdiag.event_summary import row_key
from evtdiag.names import account_key

FIXED = "fixed"
NEW = "new"
STILL_FAILING = "still-failing"
UNVERIFIED = "not-yet-verified"
UNCHANGED = "unchanged"
INTENDED = "intended"
CATEGORIES = (FIXED, NEW, STILL_FAILING, UNVERIFIED, UNCHANGED, INTENDED)
"""Every category, in the order a ticket lists them: what the fixes did, what appeared,
what still fails, the retries to make, then what neither changed nor needs work."""
UNSETTLED = frozenset({STILL_FAILING, NEW})
"""The categories that make ``evtdiag compare`` exit 1."""
UNEXPLAINED = "unexplained"
"""The contract's cause code for failures no rule explains: a cause found where BEFORE
had this one is an explanation gained, not a configuration changed."""

PROBLEM_FIELDS = ("id", "scope", "account", "host", "dc", "cause", "title", "severity",
                  "status", "event_count", "first_seen", "last_seen", "last_failure",
                  "resolved_at", "verified_by", "remediation", "accounts", "hosts")  # fmt: skip
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
    retry: str | None = None
    """The password change that would verify a fix (``retry KSmith on mail05``), for a
    problem no attempt since BEFORE's end has settled; None otherwise."""

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
    new_events: int
    """AFTER's failures and successes later than BEFORE's last event: none, and nothing
    can have been verified."""

    def summary(self) -> dict[str, int]:
        """Entries per category, every category named."""
        counts = Counter(entry.category for entry in self.entries)
        return {category: counts[category] for category in CATEGORIES}

    @property
    def settled(self) -> bool:
        """Nothing still failing and nothing new, intended refusals aside: the fixes hold
        (exit code 0)."""
        return not any(entry.unsettled for entry in self.entries)

    @property
    def nothing_new(self) -> bool:
        """AFTER has no attempt after BEFORE's end and finds what BEFORE found (a report
        compared with itself): there is nothing to compare."""
        quiet = {UNCHANGED, INTENDED}
        return not self.new_events and all(entry.category in quiet for entry in self.entries)


@dataclass(frozen=True)
class _Problem:
    view: dict[str, Any]
    subject: Subject
    keys: tuple[Hashable, ...]
    """The attempts table keys of its scope (:func:`success_keys`)."""
    last_failure: datetime | None


@dataclass(frozen=True)
class _Attempt:
    """The last failure or the last success of a scope in AFTER, as logged."""

    moment: datetime
    time: str
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

    Only AFTER's attempts later than BEFORE's last event verify anything: earlier ones
    are what BEFORE already judged (an AFTER report may cover BEFORE's period too). A
    BEFORE problem is still failing with a failure in its scope since then and no success
    after it, fixed with a success after its scope's last failure, and otherwise not yet
    verified (gone from AFTER, or its cause no longer found there) or unchanged (AFTER
    finds it as BEFORE did).
    """
    hosts = host_identities(before, after)  # AFTER's, else BEFORE's, else the short name
    before_info, after_info = _info(before, paths[0]), _info(after, paths[1])
    old = [_problem(raw, hosts) for raw in before["problems"]]
    current = [_problem(raw, hosts) for raw in after["problems"]]
    matches = _matches(old, current)
    later = _Later(after["attempts"], moment(before_info.last_event))
    entries = [
        _judged(problem, *_match(current, matches.get(n)), later, times)
        for n, problem in enumerate(old)
    ]
    taken = {index for index, _ in matches.values()}
    entries += [_only_after(p, times) for n, p in enumerate(current) if n not in taken]
    entries.sort(key=lambda entry: CATEGORIES.index(entry.category))
    return Comparison(before_info, after_info, tuple(entries), _new_events(after, later.end))


def _match(
    current: list[_Problem], match: tuple[int, str] | None
) -> tuple[_Problem | None, str | None]:
    """The AFTER problem a BEFORE problem matched and how, else ``(None, None)``."""
    return (current[match[0]], match[1]) if match else (None, None)


def _info(document: dict[str, Any], path: str) -> ReportInfo:
    events = document["events"]
    return ReportInfo(path, document["generated_at"], document["verdict"],
                      events["first_time"], events["last_time"])  # fmt: skip


def _new_events(after: dict[str, Any], end: datetime | None) -> int:
    """AFTER's failures and successes later than ``end``: exactly when its report's
    latest attempts reach back to ``end``, else counted by UTC day (those of ``end``'s
    day included: the report counts attempts by day beyond its latest ones)."""
    events = after["events"]
    by_day = events["by_day"]
    total = sum(by_day.values())
    exact = _later_count(total, events["latest_attempts"], end)
    if exact is not None:
        return exact
    assert end is not None  # everything counts when BEFORE has no time: exact above
    day = end.date().isoformat()
    return sum(count for when, count in by_day.items() if when >= day)


def _later_count(total: int, latest: list[str], end: datetime | None) -> int | None:
    """How many of ``total`` attempts are later than ``end``, from the times of the latest
    of them (``latest``, in time order); None when every time kept is later but not all
    attempts were kept (the count is unknown)."""
    if end is None:
        return total
    later = sum(1 for text in latest if (when := moment(text)) is not None and when > end)
    return later if later < len(latest) or len(latest) == total else None


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


class _Later:
    """AFTER's last attempts by scope (its ``attempts``), read for what happened later
    than BEFORE's last event (everything when BEFORE has no time)."""

    def __init__(self, attempts: dict[str, Any], end: datetime | None) -> None:
        self.end = end
        self.complete: bool = attempts["complete"]
        self.rows = {row_key(row): row for row in attempts["rows"]}

    def in_scope(self, *problems: _Problem) -> _Since:
        """What happened in the scope of any of ``problems`` later than BEFORE's end."""
        keys = {key for problem in problems for key in problem.keys}
        rows = [self.rows[key] for key in keys if key in self.rows]
        failed = [row for row in rows if self._later(row["last_failure"])]
        failure = max((self._attempt(row["last_failure"]) for row in failed),
                      key=lambda attempt: attempt.moment, default=None)  # fmt: skip
        since = failure.moment if failure else self.end
        firsts = [self._attempt(row["first_success"]) for row in rows
                  if self._later(row["first_success"], since)]  # fmt: skip
        lasts = [self._attempt(row["last_success"]) for row in rows
                 if self._later(row["last_success"], since)]  # fmt: skip
        success = (
            min(firsts, key=lambda attempt: attempt.moment)
            if firsts
            else max(lasts, key=lambda attempt: attempt.moment, default=None)
        )
        counts = [_later_count(row["failures"], row["recent_failures"], self.end)
                  for row in failed]  # fmt: skip
        return _Since(
            failure,
            None if None in counts else sum(c for c in counts if c is not None),
            success,
            self.complete or len(rows) == len(keys),
        )

    def _later(self, item: dict[str, str] | None, than: datetime | None = None) -> bool:
        """Whether the attempt ``item`` is later than ``than`` (BEFORE's end by default)."""
        return item is not None and self._later_time(item["time"], than or self.end)

    @staticmethod
    def _later_time(text: str | None, than: datetime | None) -> bool:
        when = moment(text)
        return when is not None and (than is None or when > than)

    @staticmethod
    def _attempt(item: dict[str, str]) -> _Attempt:
        """An attempt :meth:`_later` took (so it has a time)."""
        when = moment(item["time"])
        assert when is not None
        return _Attempt(when, item["time"], item["user"], item["host"], item["dc"])


@dataclass(frozen=True)
class _Since:
    """AFTER's attempts in a scope later than BEFORE's end."""

    last_failure: _Attempt | None
    failures: int | None
    """How many failures; None when AFTER's report cannot tell (some of its scope's
    failures are earlier than BEFORE's end, and it counts them by scope, not by time)."""
    success: _Attempt | None
    """A success later than the last failure: the first when the report knows it."""
    listed: bool
    """Whether AFTER's report lists every scope asked about."""


def _judged(
    problem: _Problem, after: _Problem | None, how: str | None, later: _Later,
    times: Times,
) -> Entry:  # fmt: skip
    """A BEFORE problem's category: by the attempts in its scope since BEFORE's end when
    there are any, else by what AFTER says of it."""
    since = later.in_scope(problem, *([after] if after else []))
    intended = (after or problem).view["severity"] == "info"
    view = after.view if after else None
    if since.success:
        success = since.success
        reason = (f"verified {times.moment(success.time)} by a success of {success.user} on "
                  f"{success.host} through {success.dc or '?'}")  # fmt: skip
        return Entry(FIXED, problem.view, view, reason, how)
    if since.last_failure:
        last = since.last_failure
        who = " on ".join(name for name in (last.user, last.host) if name)
        count = "" if since.failures is None else f"{since.failures} "
        reason = (f"{count}failure(s) in its scope since BEFORE's end, the last "
                  f"{times.moment(last.time)} ({who} through {last.dc or '?'}), no success "
                  "after it")  # fmt: skip
        if intended:
            return Entry(INTENDED, problem.view, view, f"refused on purpose: {reason}", how)
        return Entry(STILL_FAILING, problem.view, view, reason, how)
    return _untried(problem, after, how, times, intended, since.listed)


def _untried(
    problem: _Problem, after: _Problem | None, how: str | None, times: Times,
    intended: bool, listed: bool,
) -> Entry:  # fmt: skip
    """A BEFORE problem nothing was tried in since BEFORE's end (as far as AFTER's report
    lists its scope: ``listed``): what AFTER says of it decides whether a fix is waiting
    for its retry."""
    cause = problem.view["cause"]
    nothing = (
        "nothing tried in its scope since BEFORE's end"
        if listed
        else "AFTER's report does not list the attempts of its scope (it lists those of "
        "every scope that failed and of the latest others)"
    )
    view = after.view if after else None
    if intended:
        return Entry(INTENDED, problem.view, view, f"refused on purpose ({cause}); {nothing}", how)
    if problem.view["status"] == RESOLVED and (after is None or after.view["status"] == RESOLVED):
        reason = f"resolved in BEFORE already: {resolution_text(problem.view, times)}"
        return Entry(UNCHANGED, problem.view, view, reason, how)
    if after is None:
        reason = f"not in AFTER; {nothing}"
        return Entry(UNVERIFIED, problem.view, None, reason, how, _retry(problem.view))
    if after.view["status"] == RESOLVED:
        reason = f"resolved in AFTER: {resolution_text(after.view, times)}"
        return Entry(FIXED, problem.view, view, reason, how)
    found = after.view["cause"]
    if found == cause:
        reason = f"{cause} still found in AFTER; {nothing}"
        return Entry(UNCHANGED, problem.view, view, reason, how, _retry(problem.view))
    if cause == UNEXPLAINED:
        reason = f"now explained in AFTER: {found}; {nothing}"
        return Entry(UNCHANGED, problem.view, view, reason, how, _retry(problem.view))
    now = "" if found == UNEXPLAINED else f" (AFTER finds {found})"
    reason = f"configuration changed: cause {cause} no longer found{now} — retry to verify"
    return Entry(UNVERIFIED, problem.view, view, reason, how, _retry(problem.view))


def _retry(view: dict[str, Any]) -> str:
    """The password change whose success would verify a fix of the problem ``view``: its
    account (for a host or DC problem, the first account it names), towards its hosts,
    through its DC for a DC problem."""
    accounts = list(view["accounts"] or ())
    hosts = [view["host"]] if view["host"] else list(dict.fromkeys(view["hosts"] or ()))
    account = view["account"] or (accounts[0] if accounts else None)
    text = f"retry {account or 'any account'}"
    if account and view["scope"] in ("host", "dc"):
        text += " (or any account sent there)"
    text += f" on {', '.join(hosts)}" if hosts else " (any host)"
    if view["scope"] == "dc" and view["dc"]:
        text += f" through {view['dc']} (change the password on that DC)"
    return text


def _only_after(problem: _Problem, times: Times) -> Entry:
    if problem.view["status"] == RESOLVED:
        reason = f"not in BEFORE; resolved in AFTER: {resolution_text(problem.view, times)}"
        return Entry(FIXED, None, problem.view, reason)
    span = times.span(problem.view["first_seen"], problem.view["last_seen"])
    failures = f"{problem.view['event_count']} failure(s), {span}"
    if problem.view["severity"] == "info":
        reason = f"not in BEFORE; refused on purpose ({problem.view['cause']}): {failures}"
        return Entry(INTENDED, None, problem.view, reason)
    return Entry(NEW, None, problem.view, f"open in AFTER, not in BEFORE: {failures}")
