"""Sort the explained failure groups into DC, host, account and pair problems.

What an admin wants to know first is the *scope*: does one host refuse everybody, is one
account refused everywhere, does one DC fail where the others work, or is it one pair?
The scope is read from the pattern of failures and successes (:class:`Attempts`), never
from the configurations, so the logs alone sort the failures as the logs with the
configurations do; the configurations only explain them. Each failure group (one kind,
account, host and DC) is placed by the first of :data:`STEPS` that claims it:

1. **Windows side.** An event that names an account and no host (12289, 12290, 8230) was
   decided by the DC before any host was contacted: an account problem. One that names
   neither (12296) concerns the DC's own settings: a DC-wide problem.
2. **DC-wide.** One DC fails on (nearly) every host it sends to, other DCs succeed on
   those hosts, and the accounts concerned fail there only through that DC: one DC
   problem with no host (the hosts are listed).
3. **DC on one host.** A host refuses (nearly) every account sent through one DC, does not
   refuse (nearly) every account sent through the others, and accepts at least one of the
   same accounts through another DC: one DC problem bound to that host.
4. **Host only.** An event that names a host and no account (8200, 8217, 8226) is a host
   problem, or a DC problem on that host when only one DC logs it while the host accepts
   passwords through another.
5. **Host and account pattern.** The host refuses (nearly) every account tried there: a
   host problem. The account is refused by (nearly) every host it was sent to: an account
   problem. When both hold, the nature of the cause the events themselves show breaks the
   tie (an account cause such as ``superuser`` goes to the account, anything else to
   the host).
6. **Nature, for a tie.** When only this account was sent to the host (the pattern cannot
   tell host from pair) and the events' own cause is a setting of the host (8203, 8200),
   a host problem; likewise an account sent to this host only, with an account cause.
7. What is left is a **pair** problem (one account on one host, all DCs together).

"Nearly every" is at least :data:`NEARLY_ALL` (80 %) of at least :data:`AT_LEAST`
(two) accounts or hosts: a heuristic, labelled as such in the report. A cause's nature
breaks ties only with the cause the events show without any configuration (the one an
event id documents, or ``superuser`` for root), so dropping the configurations never
moves a failure to another scope. Within one scope the failures are split by cause:
the cause shared by most groups first.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from evtdiag.diagnose.attempts import Attempts
from evtdiag.diagnose.causes import causes as cause_registry
from evtdiag.diagnose.context import FailureGroup, HostResolver, RuleContext, sample_events
from evtdiag.diagnose.explain import explain, rules_for
from evtdiag.diagnose.model import Cause, EventRef, Problem
from evtdiag.diagnose.registry import SCOPES
from evtdiag.diagnose.status import Settlement, settle
from evtdiag.event_summary import EVENT_SAMPLE, sample
from evtdiag.model import Evidence, PsyncEvent

NEARLY_ALL = 0.8
AT_LEAST = 2
SCOPE_ORDER = {scope: index for index, scope in enumerate(SCOPES)}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
WINDOWS_SIDE = frozenset({"deny-group", "not-in-allow-group", "unrecognized-password"})
"""Kinds the DC decides alone, before contacting a host: they name no host."""

Explained = tuple[FailureGroup, tuple[Cause, ...]]


@dataclass(frozen=True)
class ScopeKey:
    """Where a failure group belongs: the scope and its subject (identities)."""

    scope: str
    account: str | None = None
    host: str | None = None
    dc: str | None = None


@dataclass(frozen=True)
class Placement:
    key: ScopeKey
    reason: str


def _count_without(items: set[str], item: str) -> int:
    """``len(items - {item})`` without copying a set of maybe thousands."""
    return len(items) - (item in items)


def _nearly_all(part: int, whole: int) -> bool:
    return part >= AT_LEAST and part >= NEARLY_ALL * whole


NAMES_SHOWN = 5
"""A reason names this many hosts or DCs at most, then says how many more (or that there
are others)."""


def _names(values: Iterable[str]) -> str:
    ordered = sorted(values)
    return _listed(ordered[:NAMES_SHOWN], len(ordered))


def _listed(shown: Sequence[str], total: int) -> str:
    """``shown`` (the first few of ``total`` sorted names), then how many more there are."""
    more = total - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


class Pattern:
    """The pattern of failures and successes, read once for every failure group."""

    def __init__(self, groups: Sequence[FailureGroup], attempts: Attempts) -> None:
        self.attempts = attempts
        self.dc_claims: dict[tuple[str, str, str], Placement] = {}
        self._dc_names: dict[tuple[str, bool], list[str]] = {}
        self._claim_dcs()
        self.failing_accounts_on: dict[str, set[str]] = defaultdict(set)
        self.failing_hosts_of: dict[str, set[str]] = defaultdict(set)
        self.hostless_dcs: dict[tuple[str, str], set[str]] = defaultdict(set)
        for group in groups:
            account, host, dc = group.account_id, group.host_id, group.dc.casefold()
            if host and not account:
                self.hostless_dcs[(host, group.kind)].add(dc)
            if account and host and (account, host, dc) not in self.dc_claims:
                self.failing_accounts_on[host].add(account)
                self.failing_hosts_of[account].add(host)
        self._natures: dict[tuple[str, str | None, bool, bool], str] = {}
        self.host_reason: Callable[[str], str] = functools.cache(self._host_reason)
        self.account_reason: Callable[[str], str] = functools.cache(self._account_reason)
        """Built once per host and per account: a host problem may hold many groups."""

    # -- DC patterns (steps 2 and 3) ---------------------------------------------------

    def _claim_dcs(self) -> None:
        attempts = self.attempts
        rows: dict[str, dict[str, _HostThroughDc]] = defaultdict(dict)
        for host in attempts.tried:
            totals = _HostTotals.of(attempts, host)
            for dc in attempts.tried[host]:
                rows[dc][host] = _HostThroughDc.of(attempts, totals, host, dc)
        for dc, by_host in rows.items():
            if not self._claim_dc_wide(dc, by_host):
                self._claim_dc_bound(dc, by_host)

    def _dc_names_on(self, host: str, accepting: bool) -> list[str]:
        """The names of the DCs that sent to ``host`` (only those with a success there when
        ``accepting``), sorted: built once per host, as every DC's reason quotes a few."""
        key = (host, accepting)
        found = self._dc_names.get(key)
        if found is None:
            table = self.attempts.succeeded if accepting else self.attempts.tried
            by_dc = table.get(host, {})
            found = self._dc_names[key] = sorted(
                self.attempts.dc_names.get(d, d) for d, accounts in by_dc.items() if accounts
            )
        return found

    def _claim_dc_wide(self, dc: str, by_host: dict[str, _HostThroughDc]) -> bool:
        refusing_all = {h for h, row in by_host.items() if row.dc_fails and row.others_fail}
        considered = set(by_host) - refusing_all
        failing = {h for h in considered if by_host[h].dc_fails and by_host[h].only_here}
        accounts = set().union(*(by_host[h].only_here for h in failing)) if failing else set()
        if not (
            _nearly_all(len(failing), len(considered))
            and len(accounts) >= AT_LEAST
            and any(by_host[h].others_accept for h in failing)
        ):
            return False
        name = self.attempts.dc_names.get(dc, dc)
        reason = (
            f"{name} failed on {len(failing)} of the {len(considered)} hosts it sent to "
            f"({_names(failing)}) for {len(accounts)} account(s) that fail there through no "
            f"other DC, while {self._accepting_elsewhere(name, sorted(failing))} succeed(s) "
            "on them"
        )
        placement = Placement(ScopeKey("dc", dc=dc), reason)
        for host in failing:
            for account in by_host[host].only_here:
                self.dc_claims[(account, host, dc)] = placement
        return True

    def _accepting_elsewhere(self, name: str, hosts: list[str]) -> str:
        """A few of the other DCs that succeed on ``hosts``, "and others" when there are
        more. Each host's list is read only up to the first names not yet seen: naming
        every DC that succeeds on any of the hosts, for each DC claimed, would be
        quadratic in the DCs."""
        seen: set[str] = set()
        for host in hosts:
            for other in self._dc_names_on(host, accepting=True)[: NAMES_SHOWN + 2]:
                if other != name:
                    seen.add(other)
            if len(seen) > NAMES_SHOWN:
                break
        shown = sorted(seen)[:NAMES_SHOWN]
        return ", ".join(shown) + (" and others" if len(seen) > NAMES_SHOWN else "")

    def _claim_dc_bound(self, dc: str, by_host: dict[str, _HostThroughDc]) -> None:
        name = self.attempts.dc_names.get(dc, dc)
        for host, row in by_host.items():
            if not (row.dc_fails and not row.others_fail and len(row.only_here) >= AT_LEAST):
                continue
            if not row.confirmed:
                continue
            on_host = self._dc_names_on(host, accepting=False)
            shown = [d for d in on_host[: NAMES_SHOWN + 1] if d != name][:NAMES_SHOWN]
            others = _listed(shown, len(on_host) - 1)
            reason = (
                f"{len(row.only_here)} account(s) fail on this host only through {name}, "
                f"which fails for {len(row.failed)} of the {len(row.tried)} accounts it sent "
                f"there; {len(row.confirmed)} of them get through {others}"
            )
            placement = Placement(ScopeKey("dc", host=host, dc=dc), reason)
            for account in row.only_here:
                self.dc_claims[(account, host, dc)] = placement

    # -- what the events alone say ----------------------------------------------------------

    def nature(self, group: FailureGroup) -> str:
        """The natural scope of the cause the events show without any configuration."""
        key = (group.kind, group.account_id, bool(group.rhost), bool(group.account))
        found = self._natures.get(key)
        if found is None:
            bare = replace(group, match=None)
            code = explain(RuleContext(bare, None, None), rules_for(group.kind))[0].code
            found = self._natures[key] = cause_registry.get(code).scope
        return found

    def host_refuses_nearly_all(self, host: str) -> bool:
        tried = self.attempts.accounts_tried(host)
        return _nearly_all(len(self.failing_accounts_on.get(host, ())), len(tried))

    def account_refused_nearly_everywhere(self, account: str) -> bool:
        tried = self.attempts.hosts_of.get(account, set())
        return _nearly_all(len(self.failing_hosts_of.get(account, ())), len(tried))

    def _host_reason(self, host: str) -> str:
        tried = self.attempts.accounts_tried(host)
        refused = self.failing_accounts_on.get(host, set())
        accepted = self.attempts.accounts_succeeded(host)
        others = len(accepted) - sum(1 for account in refused if account in accepted)
        text = f"this host refused {len(refused)} of the {len(tried)} accounts sent to it"
        return text + (f"; it accepted {others} other(s)" if others else "")

    def _account_reason(self, account: str) -> str:
        tried = self.attempts.hosts_of.get(account, set())
        refused = self.failing_hosts_of.get(account, set())
        accepted = self.attempts.successful_hosts_of.get(account, set()) - refused
        text = f"refused by {len(refused)} of the {len(tried)} hosts it was sent to"
        return text + (f" (accepted by {len(accepted)})" if accepted else "")

    def pair_reason(self, account: str, host: str) -> str:
        parts = []
        other_hosts = _count_without(self.attempts.successful_hosts_of.get(account, set()), host)
        other_accounts = _count_without(self.attempts.accounts_succeeded(host), account)
        if other_hosts:
            parts.append(f"the account was accepted by {other_hosts} other host(s)")
        if other_accounts:
            parts.append(f"the host accepted {other_accounts} other account(s)")
        return "; ".join(parts) or "only this account on this host"


@dataclass(frozen=True)
class _HostTotals:
    """Through how many DCs each account was tried, failed and succeeded on one host.

    "Through the other DCs" is these totals less one DC's share: a row then costs that
    DC's accounts only, where a union of every other DC's accounts per (host, DC) was
    quadratic in the DCs (10,000 DCs sending one account took 94 s and 5 GB)."""

    tried: Counter[str]
    failed: Counter[str]
    succeeded: Counter[str]

    @classmethod
    def of(cls, attempts: Attempts, host: str) -> _HostTotals:
        def through(table: dict[str, dict[str, set[str]]]) -> Counter[str]:
            return Counter(a for accounts in table.get(host, {}).values() for a in accounts)

        return cls(through(attempts.tried), through(attempts.failed),
                   through(attempts.succeeded))  # fmt: skip


@dataclass(frozen=True)
class _HostThroughDc:
    """What one DC's attempts on one host look like, next to the other DCs' attempts."""

    tried: set[str]
    failed: set[str]
    only_here: set[str]
    """Accounts that fail on the host through this DC and through no other."""
    confirmed: set[str]
    """Of those, the accounts the host accepted through another DC."""
    dc_fails: bool
    others_fail: bool
    others_accept: bool

    @classmethod
    def of(cls, attempts: Attempts, totals: _HostTotals, host: str, dc: str) -> _HostThroughDc:
        """The row of ``dc`` on ``host``; ``totals`` are the host's (see
        :class:`_HostTotals`). The sets are the attempts table's own: not to be changed."""
        tried = attempts.tried[host][dc]
        failed = attempts.failed.get(host, {}).get(dc, set())
        succeeded = attempts.succeeded.get(host, {}).get(dc, set())
        only_here = {a for a in failed if totals.failed[a] == 1}
        tried_elsewhere = len(totals.tried) - sum(1 for a in tried if totals.tried[a] == 1)
        failed_elsewhere = len(totals.failed) - len(only_here)
        accepted_elsewhere = len(totals.succeeded) - sum(
            1 for a in succeeded if totals.succeeded[a] == 1
        )
        return cls(
            tried=tried,
            failed=failed,
            only_here=only_here,
            confirmed={a for a in only_here if totals.succeeded[a] > (a in succeeded)},
            dc_fails=bool(failed) and len(failed) >= NEARLY_ALL * len(tried),
            others_fail=tried_elsewhere > 0 and failed_elsewhere >= NEARLY_ALL * tried_elsewhere,
            others_accept=accepted_elsewhere > 0,
        )


# -- the steps ------------------------------------------------------------------------------


def _windows_side(group: FailureGroup, pattern: Pattern) -> Placement | None:
    if group.host_id is not None:
        return None
    if group.kind in WINDOWS_SIDE and group.account_id:
        return Placement(
            ScopeKey("account", account=group.account_id),
            "the DC refused the account before contacting any UNIX host",
        )
    if not group.account_id and not group.rhost:
        return Placement(
            ScopeKey("dc", dc=group.dc.casefold()),
            "the event names no account and no host: it concerns the DC's own settings",
        )
    return None


def _dc_claimed(group: FailureGroup, pattern: Pattern) -> Placement | None:
    if not (group.account_id and group.host_id):
        return None
    return pattern.dc_claims.get((group.account_id, group.host_id, group.dc.casefold()))


def _host_only(group: FailureGroup, pattern: Pattern) -> Placement | None:
    if group.account_id or not group.host_id:
        return None
    host, dc = group.host_id, group.dc.casefold()
    logged_by = pattern.hostless_dcs.get((host, group.kind), set())
    # Checked only when this DC alone logs it: once per host and kind, not per DC.
    accepting = pattern.attempts.succeeded.get(host, {})
    if logged_by == {dc} and any(d != dc and accounts for d, accounts in accepting.items()):
        names = _names(pattern.attempts.dc_names.get(d, d) for d in accepting if d != dc)
        return Placement(
            ScopeKey("dc", host=host, dc=dc),
            f"only {group.dc} logs this for the host, which accepts passwords through {names}",
        )
    return Placement(
        ScopeKey("host", host=host), "the event names the host only: it concerns the host"
    )


def _host_or_account(group: FailureGroup, pattern: Pattern) -> Placement | None:
    account, host = group.account_id, group.host_id
    if not (account and host):
        return None
    by_host = pattern.host_refuses_nearly_all(host)
    by_account = pattern.account_refused_nearly_everywhere(account)
    if by_host and by_account:
        nature = pattern.nature(group)
        both = f"{pattern.host_reason(host)}, and the account is {pattern.account_reason(account)}"
        if nature == "account":
            return Placement(
                ScopeKey("account", account=account),
                f"{both}; the cause the events show concerns the account",
            )
        return Placement(ScopeKey("host", host=host), both)
    if by_host:
        return Placement(ScopeKey("host", host=host), pattern.host_reason(host))
    if by_account:
        return Placement(ScopeKey("account", account=account), pattern.account_reason(account))
    return None


def _nature_breaks_tie(group: FailureGroup, pattern: Pattern) -> Placement | None:
    account, host = group.account_id, group.host_id
    if not (account and host):
        return None
    nature = pattern.nature(group)
    if nature == "host" and len(pattern.attempts.accounts_tried(host)) < AT_LEAST:
        return Placement(
            ScopeKey("host", host=host),
            "only this account was sent to the host, so the pattern cannot tell the host "
            "from the pair; the cause the event documents is a setting of the host",
        )
    if nature == "account" and len(pattern.attempts.hosts_of.get(account, ())) < AT_LEAST:
        return Placement(
            ScopeKey("account", account=account),
            "the account was sent to this host only, so the pattern cannot tell the account "
            "from the pair; the cause the events show concerns the account",
        )
    return None


def _pair(group: FailureGroup, pattern: Pattern) -> Placement | None:
    if not group.account_id or not group.host_id:
        reason = "a single failure source"
    else:
        reason = pattern.pair_reason(group.account_id, group.host_id)
    return Placement(ScopeKey("pair", account=group.account_id, host=group.host_id), reason)


STEPS: tuple[Callable[[FailureGroup, Pattern], Placement | None], ...] = (
    _windows_side,
    _dc_claimed,
    _host_only,
    _host_or_account,
    _nature_breaks_tie,
    _pair,
)
"""The scope rules in order (see the module docstring); the last one always places."""


def place(group: FailureGroup, pattern: Pattern) -> Placement:
    """The first step's placement of ``group``."""
    for step in STEPS:
        found = step(group, pattern)
        if found is not None:
            return found
    raise AssertionError("the pair step places every group")  # pragma: no cover


# -- from placements to problems ------------------------------------------------------------


@dataclass
class _Draft:
    key: ScopeKey
    cause: str
    reason: str
    groups: list[Explained]


def classify(
    explained: Sequence[Explained], events: Sequence[PsyncEvent], resolver: HostResolver
) -> list[Problem]:
    """Turn explained failure groups into problems; every group lands in exactly one."""
    attempts = Attempts(events, resolver)
    pattern = Pattern([group for group, _ in explained], attempts)
    by_key: dict[ScopeKey, list[Explained]] = {}
    reasons: dict[int, str] = {}
    """By the group's id(): hashing a group would hash its host's configuration."""
    for item in explained:
        placement = place(item[0], pattern)
        by_key.setdefault(placement.key, []).append(item)
        reasons[id(item[0])] = placement.reason
    problems = []
    for key, items in by_key.items():
        outcome = _settle(key, items, attempts)
        for code, groups in split_by_cause(items):
            reason = _commonest(reasons[id(g)] for g, _ in groups)
            problems.append(_problem(_Draft(key, code, reason, groups), outcome))
    problems.sort(
        key=lambda p: (SCOPE_ORDER[p.scope], SEVERITY_ORDER[p.severity], -p.event_count, p.id)
    )
    return problems


def split_by_cause(items: Sequence[Explained]) -> Iterable[tuple[str, list[Explained]]]:
    """The groups of one scope by cause: the cause that explains the most groups first,
    then the most of the rest... A group whose event id documents its cause keeps that one
    (it is the cause of those events whatever else applies)."""
    order = {code: index for index, code in enumerate(cause_registry.codes)}

    def candidates(item: Explained) -> tuple[str, ...]:
        group, found = item
        if group.kind in cause_registry.get(found[0].code).documented_by:
            return (found[0].code,)
        return tuple(cause.code for cause in found)

    remaining = list(items)
    while remaining:
        counts = Counter(code for item in remaining for code in candidates(item))
        best = min(counts, key=lambda code: (-counts[code], order.get(code, len(order))))
        taken = [item for item in remaining if best in candidates(item)]
        remaining = [item for item in remaining if best not in candidates(item)]
        yield best, taken


def _commonest(reasons: Iterable[str]) -> str:
    """The reason most of a problem's groups were placed for (a group placed by a tie or
    a conflict may give another)."""
    return Counter(reasons).most_common(1)[0][0]


def _display(values: Iterable[str | None]) -> str | None:
    """The most frequent spelling, the first one seen on a tie."""
    counts = Counter(v for v in values if v)
    return max(counts, key=lambda v: counts[v]) if counts else None


def _settle(key: ScopeKey, items: Sequence[Explained], attempts: Attempts) -> Settlement:
    """The status of a scope, for every problem in it whatever its cause: the causes come
    from the configurations, and what was fixed must not depend on them."""
    times = [e.time for group, _ in items for e in group.events if e.time]
    hosts = {group.host_id for group, _ in items if group.host_id}
    return settle(key.scope, key.account, key.host, key.dc, hosts, max(times, default=None),
                  attempts)  # fmt: skip


def _problem(draft: _Draft, outcome: Settlement) -> Problem:
    events = [e for group, _ in draft.groups for e in group.events]
    events.sort(key=lambda e: (e.time is None, e.time, e.record.source, e.record.record_id))
    key = draft.key
    subject = (key.scope, key.account or "", key.host or "", key.dc or "")
    problem_id = "P-" + hashlib.sha256("|".join((*subject, draft.cause)).encode()).hexdigest()[:10]
    times = [e.time for e in events if e.time]
    return Problem(
        id=problem_id,
        scope=key.scope,
        account=_display(e.user for e in events) if key.account else None,
        host=_display(e.host for e in events) if key.host else None,
        dc=_display(e.dc for e in events) if key.dc else None,
        causes=_merge_causes(draft, events),
        events=tuple(
            EventRef(e.record.source, e.record.record_id, e.time, e.dc, e.event_id, e.user, e.host)
            for e in sample(events, EVENT_SAMPLE)
        ),
        event_count=len(events),
        event_ids=tuple(sorted({e.event_id for e in events})),
        pairs=frozenset(
            (group.account_id, group.host_id)
            for group, _ in draft.groups
            if group.account_id and group.host_id
        ),
        first_seen=min(times) if times else None,
        last_seen=max(times) if times else None,
        accounts=tuple(sorted({e.user for e in events if e.user}, key=str.casefold)),
        hosts=tuple(sorted({e.host for e in events if e.host}, key=str.casefold)),
        scope_reason=draft.reason,
        status=outcome.status,
        last_failure=max(times) if times else None,
        resolved_at=outcome.resolved_at,
        verified_by=outcome.verified_by,
        subject=subject,
    )


def _merge_causes(draft: _Draft, events: list[PsyncEvent]) -> tuple[Cause, ...]:
    """The problem's cause first, then every other cause found in its groups; evidence merged
    without repeats, and sample events added to the problem's cause.

    Each cause is built once from what its groups found: a problem may gather thousands of
    groups, and copying a cause (or scanning its evidence) per group would be quadratic."""
    merged: dict[str, _MergedCause] = {}
    for _, found in draft.groups:
        for cause in found:
            known = merged.get(cause.code)
            if known is None:
                merged[cause.code] = _MergedCause(cause)
            else:
                known.add(cause)
    order = {code: i for i, code in enumerate(cause_registry.codes)}
    codes = sorted(merged, key=lambda code: (code != draft.cause, order.get(code, 99)))
    return tuple(
        merged[code].cause(sample_events(events) if code == codes[0] else ()) for code in codes
    )


class _MergedCause:
    """One cause as found in many groups: the first finding, the evidence of all of them
    without repeats, and its detail while every group found the same one."""

    def __init__(self, first: Cause) -> None:
        self.first = first
        self.evidence = list(first.evidence)
        self.seen = set(first.evidence)
        self.detail = first.detail

    def add(self, other: Cause) -> None:
        """Another group's finding of the same cause; its detail differs: not one case any
        more."""
        new = [e for e in other.evidence if e not in self.seen]
        self.evidence.extend(new)
        self.seen.update(new)
        if other.detail != self.detail:
            self.detail = ""

    def cause(self, samples: tuple[Evidence, ...]) -> Cause:
        """The merged cause, with ``samples`` (sample events) after its evidence; the first
        finding itself when nothing was added to it (most causes of a problem)."""
        evidence = (*self.evidence, *samples)
        if evidence == self.first.evidence and self.detail == self.first.detail:
            return self.first
        return replace(self.first, evidence=evidence, detail=self.detail)
