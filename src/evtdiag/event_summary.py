"""What a report keeps of its events (schema ``evtdiag/2``): counts, the matrix, the
timeline's host lanes and the last attempts of every scope, gathered one event at a time.

A year of a large site is a million events; the report that goes into a ticket cannot
list them (``--events FILE`` writes them for whoever wants them). What every reader of a
report asks of the events is bounded by the site, not by the events: how many of each id
and outcome, the span, the DCs, the account x host cells, a host's failures and successes
on the timeline (thinned to what the page can draw), and, for ``compare``, each scope's
last failures, the first success after them and its last success. :class:`EventSummary`
gathers those while the events stream past, so the same code summarises a diagnosis's
events when the report is written and the ``events.items`` of an ``evtdiag/1`` report
when :mod:`evtdiag.document` reads one.
"""

from __future__ import annotations

import bisect
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from evtdiag.names import account_key

MATRIX_ACCOUNTS = 40
MATRIX_HOSTS = 40
"""The matrix's accounts and hosts: those with the most failures."""
LANE_HOSTS = 40
"""The timeline's host lanes (when problems are too many for a lane each)."""
LANE_MARKS = 200
"""Times kept per lane and outcome: the page's timeline plots on about 800 of its 1,100
pixels and marks closer than four pixels overlap, so more times would draw nothing more."""
ATTEMPT_ROWS = 5_000
"""Scopes whose last attempts the report lists at most: the scopes with a failure first
(what a later ``compare`` asks about), then those of successes alone, each the latest
first. A large site's healthy (account, host) pairs are hundreds of thousands and would
not fit a ticket."""

EVENT_SAMPLE = 25
"""A problem keeps its first and its last this many events (as the report's page shows
them): a problem of a year of failures would otherwise hold each of them."""

Key = tuple[str, ...]
"""A scope of the attempts: ``("pair", account, host)``, ``("host", host)``,
``("host-dc", host, dc)``, ``("dc", dc)`` or ``("account", account)``, by identity."""

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def event_keys(account: str, host: str, dc: str) -> tuple[Key, ...]:
    """The scopes an attempt falls in (identities; ``""``: not named). A failure that
    names only the account (a Windows-side refusal) or only the host (an unknown host)
    counts in its account's or its host's scopes."""
    if account and host:
        return (("pair", account, host), ("host", host), ("host-dc", host, dc), ("dc", dc),
                ("account", account))  # fmt: skip
    if account:
        return (("account", account),)
    return (("host", host), ("host-dc", host, dc), ("dc", dc))


@dataclass(slots=True)
class _Last:
    """An attempt as the scopes keep it (one object for all of its scopes)."""

    moment: datetime
    user: str
    host: str
    dc: str

    def json(self) -> dict[str, str]:
        return {"time": iso(self.moment) or "", "user": self.user, "host": self.host,
                "dc": self.dc}  # fmt: skip


RECENT_ATTEMPTS = 1_000
"""The latest attempts whose times the report keeps: ``compare`` counts those later than
the other report's end exactly up to this many (beyond, by day)."""
RECENT_FAILURES = 4
"""The latest failures whose times a scope keeps: ``compare`` counts a scope's failures
later than the other report's end exactly when one of them is not later."""
EARLY_SUCCESSES = 4
"""Successes later than a scope's last failure kept while reading, the earliest first: the
first of them is the success that verified a fix. A failure read later than some of them
drops those; when it drops all of them, the first success after it is unknown (others
were not kept) and the report names the scope's last success only."""


def _keep_latest(kept: list[datetime], moment: datetime, limit: int) -> None:
    """Keep ``moment`` in ``kept`` (in time order) if it is among the ``limit`` latest."""
    if len(kept) == limit and moment <= kept[0]:
        return
    bisect.insort(kept, moment)
    if len(kept) > limit:
        del kept[0]


class _Scope:
    """One scope's failures and successes: counts, the first failure, the last of each,
    and the first success after the last failure."""

    __slots__ = ("early", "failures", "first_failure", "last_failure", "last_success",
                 "let_go", "recent", "successes")  # fmt: skip

    def __init__(self) -> None:
        self.failures = 0
        self.first_failure: datetime | None = None
        self.last_failure: _Last | None = None
        self.successes = 0
        self.last_success: _Last | None = None
        self.recent: list[datetime] = []
        """The latest failures (at most :data:`RECENT_FAILURES`), in time order."""
        self.early: list[_Last] = []
        """The earliest successes later than :attr:`last_failure` when they were read (at
        most :data:`EARLY_SUCCESSES`), in time order."""
        self.let_go: tuple[datetime, datetime] | None = None
        """The earliest and the latest success let go from :attr:`early`: the first of
        :attr:`early` is known to be the first success after the last failure only when
        none of them can be earlier and still after the last failure."""

    def add(self, last: _Last, succeeded: bool) -> None:
        if succeeded:
            self.successes += 1
            if self.last_success is None or last.moment > self.last_success.moment:
                self.last_success = last
            if self.last_failure is None or last.moment > self.last_failure.moment:
                self._keep_early(last)
            return
        self.failures += 1
        _keep_latest(self.recent, last.moment, RECENT_FAILURES)
        if self.first_failure is None or last.moment < self.first_failure:
            self.first_failure = last.moment
        if self.last_failure is None or last.moment > self.last_failure.moment:
            self.last_failure = last
            if self.early:
                self.early = [early for early in self.early if early.moment > last.moment]

    def _keep_early(self, success: _Last) -> None:
        if len(self.early) == EARLY_SUCCESSES and success.moment >= self.early[-1].moment:
            self._let_go(success.moment)
            return
        self.early.append(success)
        self.early.sort(key=lambda early: early.moment)
        for dropped in self.early[EARLY_SUCCESSES:]:
            self._let_go(dropped.moment)
        del self.early[EARLY_SUCCESSES:]

    def _let_go(self, moment: datetime) -> None:
        earliest, latest = self.let_go or (moment, moment)
        self.let_go = (min(earliest, moment), max(latest, moment))

    @property
    def first_success(self) -> _Last | None:
        """The first success later than the last failure; None when there is none, or
        when a success let go may be earlier (see :data:`EARLY_SUCCESSES`)."""
        if not self.early:
            return None
        if self.let_go is None or self.last_failure is None:
            return self.early[0]  # nothing let go, or no failure: every success counts
        earliest, latest = self.let_go
        failed = self.last_failure.moment
        if latest <= failed or (earliest > failed and self.early[0].moment <= earliest):
            return self.early[0]
        return None

    @property
    def latest(self) -> datetime:
        found = [last.moment for last in (self.last_failure, self.last_success) if last]
        return max(found)


class EventSummary:
    """The report's view of its events, fed one event at a time (:meth:`add`).

    ``host_identity`` folds a host spelling to the identity the diagnosis counted it by
    (:func:`evtdiag.document.host_identity` with the report's ``host_identities``).
    """

    def __init__(self, host_identity: Callable[[str | None], str]) -> None:
        self._host_identity = host_identity
        self._identities: dict[str | None, str] = {}
        """``host_identity`` of each spelling met, asked once."""
        self.total = 0
        self.by_id: Counter[int] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.by_day: Counter[date] = Counter()
        self._first: datetime | None = None
        self._last: datetime | None = None
        self._latest_attempts: list[datetime] = []
        self._dcs: dict[str, str] = {}
        self._cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        self._account_fails: Counter[str] = Counter()
        self._host_fails: Counter[str] = Counter()
        self._account_names: dict[str, Counter[str]] = defaultdict(Counter)
        self._host_names: dict[str, Counter[str]] = defaultdict(Counter)
        self._lanes: dict[str, tuple[array[float], array[float]]] = defaultdict(
            lambda: (array("d"), array("d"))
        )
        self._scopes: dict[Key, _Scope] = defaultdict(_Scope)

    def add(
        self,
        when: datetime | None,
        outcome: str,
        event_id: int,
        user: str | None,
        host: str | None,
        dc: str | None,
    ) -> None:
        """One event: its moment (None: unknown), its outcome (``failure``, ``success``,
        ``info``), id and names as logged."""
        self.total += 1
        self.by_id[event_id] += 1
        self.outcomes[outcome] += 1
        if dc:  # exports without a computer name (CSV) name no DC
            self._dcs.setdefault(dc.casefold(), dc)
        if when is not None:
            if self._first is None or when < self._first:
                self._first = when
            if self._last is None or when > self._last:
                self._last = when
        if outcome != "failure" and outcome != "success":
            return
        succeeded = outcome == "success"
        account = account_key(user) if user else ""
        identity = self._identities.get(host)
        if identity is None:
            identity = self._identities[host] = self._host_identity(host)
        if user:
            self._cell(account, identity, user, host, succeeded)
        if when is None:
            return
        self.by_day[when.date()] += 1
        _keep_latest(self._latest_attempts, when, RECENT_ATTEMPTS)
        self._lanes[identity][succeeded].append(when.timestamp())
        if not (account or identity):
            return
        last = _Last(when, user or "", host or "", dc or "")
        for key in event_keys(account, identity, (dc or "").casefold()):
            self._scopes[key].add(last, succeeded)

    def _cell(
        self, account: str, identity: str, user: str, host: str | None, succeeded: bool
    ) -> None:
        self._cells[(account, identity)][succeeded] += 1
        self._account_fails[account] += not succeeded
        self._host_fails[identity] += not succeeded
        self._account_names[account][user] += 1
        if host:
            self._host_names[identity][host] += 1

    def sections(self) -> dict[str, Any]:
        """The report's ``events``, ``matrix``, ``host_lanes`` and ``attempts``."""
        return {
            "events": self.events(),
            "matrix": self.matrix(),
            "host_lanes": self.host_lanes(),
            "attempts": self.attempts(),
        }

    def events(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_id": {str(i): n for i, n in sorted(self.by_id.items())},
            "outcomes": {o: self.outcomes[o] for o in ("failure", "success", "info")},
            "first_time": iso(self._first),
            "last_time": iso(self._last),
            "dcs": sorted(self._dcs.values(), key=str.casefold),
            "latest_attempts": [iso(when) for when in self._latest_attempts],
            "by_day": {day.isoformat(): n for day, n in sorted(self.by_day.items())},
        }

    def matrix(self) -> dict[str, Any]:
        """The accounts and hosts with the most failures, each cell its failures and
        successes, and how many were left out."""
        accounts = sorted(self._account_fails, key=lambda a: (-self._account_fails[a], a))
        hosts = sorted(self._host_fails, key=lambda h: (-self._host_fails[h], h))
        shown = sorted(accounts[:MATRIX_ACCOUNTS])
        return {
            "accounts": [
                {"name": a, "spellings": _spellings(self._account_names[a], a)} for a in shown
            ],
            "rows": [
                {
                    "host": host,
                    "spellings": _spellings(self._host_names[host], host),
                    "failures": self._host_fails[host],
                    "cells": [list(self._cells.get((a, host), (0, 0))) for a in shown],
                }
                for host in sorted(hosts[:MATRIX_HOSTS], key=lambda h: (not h, h))
            ],
            "hidden_accounts": len(accounts) - len(shown),
            "hidden_hosts": len(hosts) - min(len(hosts), MATRIX_HOSTS),
        }

    def host_lanes(self) -> dict[str, Any]:
        """The hosts with the most failures, each with its failures and successes counted
        and their times thinned to :data:`LANE_MARKS` over the whole span."""
        failing = [h for h, (failed, _) in self._lanes.items() if failed]
        ranked = sorted(failing, key=lambda h: (-len(self._lanes[h][0]), h))
        span = (
            (self._first.timestamp(), self._last.timestamp())
            if self._first and self._last
            else (0.0, 0.0)
        )
        lanes = []
        for host in ranked[:LANE_HOSTS]:
            failed, succeeded = self._lanes[host]
            lanes.append(
                {
                    "host": host,
                    "failures": len(failed),
                    "successes": len(succeeded),
                    "failure_times": _thinned(failed, span),
                    "success_times": _thinned(succeeded, span),
                }
            )
        return {"lanes": lanes, "hidden": len(ranked) - len(lanes)}

    def attempts(self) -> dict[str, Any]:
        """The last failure and success of each scope (at most :data:`ATTEMPT_ROWS`)."""
        by_latest = sorted(self._scopes, key=lambda key: self._scopes[key].latest, reverse=True)
        failing = [key for key in by_latest if self._scopes[key].failures]
        healthy = [key for key in by_latest if not self._scopes[key].failures]
        kept = sorted([*failing, *healthy][:ATTEMPT_ROWS])
        return {
            "complete": len(kept) == len(self._scopes),
            "scopes": len(self._scopes),
            "rows": [_row(key, self._scopes[key]) for key in kept],
        }


def _row(key: Key, scope: _Scope) -> dict[str, Any]:
    kind, *names = key
    account = names[0] if kind in ("pair", "account") else ""
    host = names[1] if kind == "pair" else names[0] if kind in ("host", "host-dc") else ""
    dc = names[-1] if kind in ("host-dc", "dc") else ""
    return {
        "scope": kind,
        "account": account,
        "host": host,
        "dc": dc,
        "failures": scope.failures,
        "first_failure": iso(scope.first_failure),
        "recent_failures": [iso(when) for when in scope.recent],
        "last_failure": scope.last_failure.json() if scope.last_failure else None,
        "successes": scope.successes,
        "first_success": scope.first_success.json() if scope.first_success else None,
        "last_success": scope.last_success.json() if scope.last_success else None,
    }


def row_key(row: dict[str, Any]) -> Key:
    """The scope of an ``attempts`` row, as :func:`event_keys` names it."""
    kind = row["scope"]
    if kind == "pair":
        return (kind, row["account"], row["host"])
    if kind == "host-dc":
        return (kind, row["host"], row["dc"])
    return (kind, row["account"] if kind == "account" else row["host"] or row["dc"])


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, or None: how every report writes a time."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _thinned(times: array[float], span: tuple[float, float]) -> list[str]:
    """The earliest time of each of :data:`LANE_MARKS` equal slices of ``span`` that has
    one, and the latest time, in order: what the timeline can draw of ``times``."""
    if not times:
        return []
    start, end = span
    width = (end - start) / LANE_MARKS or 1.0
    first_in: dict[int, float] = {}
    for seconds in times:
        slot = int((seconds - start) / width)
        if slot not in first_in or seconds < first_in[slot]:
            first_in[slot] = seconds
    kept = sorted({*first_in.values(), max(times)})
    return [iso(_EPOCH + timedelta(seconds=seconds)) or "" for seconds in kept]


def _spellings(names: Counter[str], identity: str) -> list[str]:
    """The names seen for one identity, most used first; none when it is the only one."""
    ordered = sorted(names, key=lambda n: (-names[n], n.casefold()))
    return [] if ordered == [identity] else ordered


def sample(items: list[Any], each_end: int) -> list[Any]:
    """The first and the last ``each_end`` of ``items`` (all of them when they are
    fewer than twice as many): a problem's events as the report shows them."""
    if len(items) <= 2 * each_end:
        return list(items)
    return [*items[:each_end], *items[-each_end:]]
