"""Sort the explained failure groups into host, DC, account and pair problems.

What an admin wants to know first is the *scope*: does one host refuse everybody,
is one account refused everywhere, does one DC fail where the others work, or is it
one pair? The rules (DESIGN.md, "Correlating"), applied in this order, each group of
failures being claimed by exactly one problem:

1. **By the cause's nature.** A cause that is a setting of the host (encryption key,
   FILE_PATH, no configuration, unknown host) is a host problem; a DC missing from
   SYNC_HOSTS is a DC problem; a Windows group refusal is an account problem.
2. **DC pattern.** Failures for a host come only through one DC while the host
   accepts passwords through another: one DC problem (checked before the host
   pattern: an account refused through one DC only is not refused by the host).
3. **Host pattern.** The same cause refuses at least two accounts on one host, and
   they are (nearly) every account tried there: one host problem. An explicit
   SYNC_USERS list that leaves out two or more accounts is a host problem too (the
   list is the host's setting).
4. **Account pattern.** An account is refused by (nearly) every host it was sent to,
   and one cause explains that on at least two hosts not already explained above:
   one account problem per such cause (the other hosts stay pairs).
5. What is left is a **pair** problem (one account on one host, all DCs together).

"Nearly every" is at least 80 %: a heuristic, labelled as such in the report.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from evtdiag.diagnose.causes import causes as cause_registry
from evtdiag.diagnose.context import FailureGroup, HostResolver, sample_events
from evtdiag.model import Cause, EventRef, Evidence, Outcome, Problem, PsyncEvent, account_key

NEARLY_ALL = 0.8
HOST_NATURE = frozenset(
    {
        "encryption-key-mismatch",
        "unknown-host",
        "no-host-config",
        "password-file-mismatch",
        "untrusted-host",
    }
)
DC_NATURE = frozenset({"dc-not-in-sync-hosts", "encryption-key-policy"})
ACCOUNT_NATURE = frozenset(
    {"windows-deny-group", "windows-not-in-allow-group", "unrecognized-password"}
)
HOST_LIST_CAUSES = frozenset({"sync-users-not-listed"})
ACCOUNT_SPECIFIC = frozenset(
    {
        "sync-users-excluded",
        "unix-account-missing",
        "unix-account-disabled",
        "name-case-mismatch",
        "superuser",
    }
)
"""Causes that depend on the account: they never make a DC problem (users change their
passwords at their own site's DC, so one DC may simply carry other accounts)."""
SCOPE_ORDER = {"host": 0, "account": 1, "dc": 2, "pair": 3}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class _Draft:
    scope: str
    account_id: str | None
    host_id: str | None
    dc: str | None
    cause: str
    reason: str
    groups: list[tuple[FailureGroup, tuple[Cause, ...]]]


class _Attempts:
    """Who was tried where, from failures and successes: the denominators of "nearly every"."""

    def __init__(self, events: Iterable[PsyncEvent], resolver: HostResolver) -> None:
        self.hosts_of: dict[str, set[str]] = defaultdict(set)
        self.accounts_on: dict[str, set[str]] = defaultdict(set)
        self.failed_hosts_of: dict[str, set[str]] = defaultdict(set)
        self.success_dcs: dict[str, set[str]] = defaultdict(set)
        self.success_accounts_on: dict[str, set[str]] = defaultdict(set)
        self.success_hosts_of: dict[str, set[str]] = defaultdict(set)
        self.success_dcs_of_pair: dict[tuple[str, str], set[str]] = defaultdict(set)
        for event in events:
            if event.user is None or event.host is None or event.outcome is Outcome.INFO:
                continue
            account, host = account_key(event.user), resolver.host_id(event.host)
            if host is None:
                continue
            self.hosts_of[account].add(host)
            self.accounts_on[host].add(account)
            if event.outcome is Outcome.FAILURE:
                self.failed_hosts_of[account].add(host)
            else:
                self.success_dcs[host].add(event.dc.casefold())
                self.success_accounts_on[host].add(account)
                self.success_hosts_of[account].add(host)
                self.success_dcs_of_pair[(host, account)].add(event.dc.casefold())


def classify(
    explained: Sequence[tuple[FailureGroup, tuple[Cause, ...]]],
    events: Sequence[PsyncEvent],
    resolver: HostResolver,
) -> list[Problem]:
    """Turn explained failure groups into problems; every group lands in exactly one."""
    attempts = _Attempts(events, resolver)
    drafts: dict[tuple, _Draft] = {}
    pending = list(explained)

    def claim(key: tuple, reason: str, items: list) -> None:
        draft = drafts.get(key)
        if draft is None:
            draft = drafts[key] = _Draft(*key, reason=reason, groups=[])
        draft.groups.extend(items)

    # 1. by nature
    rest = []
    for item in pending:
        group, found = item
        code = found[0].code
        if code in HOST_NATURE and group.host_id:
            claim(
                ("host", None, group.host_id, None, code),
                "the cause is a setting of the host (or its absence), so it affects every "
                "account sent there",
                [item],
            )
        elif code in DC_NATURE:
            claim(
                ("dc", None, group.host_id, group.dc.casefold(), code),
                f"the cause concerns what {group.dc} sends to this host",
                [item],
            )
        elif code in ACCOUNT_NATURE and group.account_id:
            claim(
                ("account", group.account_id, None, None, code),
                "the DC refused the account before contacting any UNIX host",
                [item],
            )
        else:
            rest.append(item)

    # 2. DC pattern
    by_host_dc: dict[tuple, list] = defaultdict(list)
    for item in rest:
        by_host_dc[(item[0].host_id, item[0].dc.casefold(), item[1][0].code)].append(item)
    failing_dcs: dict[str, set[str]] = defaultdict(set)
    for group, _ in rest:
        if group.host_id:
            failing_dcs[group.host_id].add(group.dc.casefold())
    rest = []
    for (host_id, dc, code), items in by_host_dc.items():
        accounts = {g.account_id for g, _ in items if g.account_id}
        other_ok = attempts.success_dcs.get(host_id or "", set()) - {dc, ""}
        # The same accounts must get through another DC: otherwise the DC may just
        # carry other people's changes.
        same_accounts_ok = any(
            attempts.success_dcs_of_pair.get((host_id or "", account), set()) - {dc, ""}
            for account in accounts
        )
        if (
            host_id
            and dc
            and code not in ACCOUNT_SPECIFIC
            and len(accounts) >= 2
            and same_accounts_ok
            and failing_dcs[host_id] == {dc}
        ):
            claim(
                ("dc", None, host_id, dc, code),
                f"failures come only through {items[0][0].dc}, while the host accepts "
                f"passwords through {', '.join(sorted(other_ok))}",
                items,
            )
        else:
            rest.extend(items)

    # 3. host pattern
    by_host_cause: dict[tuple, list] = defaultdict(list)
    for item in rest:
        by_host_cause[(item[0].host_id, item[1][0].code)].append(item)
    rest = []
    for (host_id, code), items in by_host_cause.items():
        accounts = {g.account_id for g, _ in items if g.account_id}
        tried = attempts.accounts_on.get(host_id or "", set())
        share = len(accounts) / max(len(tried), 1)
        if host_id and len(accounts) >= 2 and (code in HOST_LIST_CAUSES or share >= NEARLY_ALL):
            reason = (
                f"{len(accounts)} of the {len(tried)} accounts sent to this host were refused "
                "for this reason"
            )
            accepted = attempts.success_accounts_on.get(host_id, set())
            if accepted:
                reason += f"; it accepted {len(accepted)} other account(s)"
            claim(("host", None, host_id, None, code), reason, items)
        else:
            rest.extend(items)

    # 4. account pattern
    by_account: dict[tuple, list] = defaultdict(list)
    for item in rest:
        by_account[(item[0].account_id, item[1][0].code)].append(item)
    rest = []
    for (account_id, code), items in by_account.items():
        hosts_here = {g.host_id for g, _ in items if g.host_id}
        tried = attempts.hosts_of.get(account_id or "", set())
        failed = attempts.failed_hosts_of.get(account_id or "", set())
        if account_id and len(hosts_here) >= 2 and len(failed) >= NEARLY_ALL * max(len(tried), 1):
            reason = (
                f"refused for this reason by {len(hosts_here)} hosts, and refused by "
                f"{len(failed)} of the {len(tried)} hosts it was sent to"
            )
            succeeded = attempts.success_hosts_of.get(account_id, set())
            if succeeded:
                reason += f" (accepted by {len(succeeded)})"
            claim(("account", account_id, None, None, code), reason, items)
        else:
            rest.extend(items)

    # 5. pairs
    for item in rest:
        group, found = item
        reason = _pair_reason(group, attempts)
        claim(("pair", group.account_id, group.host_id, None, found[0].code), reason, [item])

    problems = [_problem(draft) for draft in drafts.values()]
    problems.sort(
        key=lambda p: (SCOPE_ORDER[p.scope], SEVERITY_ORDER[p.severity], -len(p.events), p.id)
    )
    return problems


def _pair_reason(group: FailureGroup, attempts: _Attempts) -> str:
    if not group.account_id or not group.host_id:
        return "a single failure source"
    parts = []
    other_hosts = attempts.success_hosts_of.get(group.account_id, set()) - {group.host_id}
    other_accounts = attempts.success_accounts_on.get(group.host_id, set()) - {group.account_id}
    if other_hosts:
        parts.append(f"the account was accepted by {len(other_hosts)} other host(s)")
    if other_accounts:
        parts.append(f"the host accepted {len(other_accounts)} other account(s)")
    return "; ".join(parts) or "only this account on this host"


def _display(values: Iterable[str | None]) -> str | None:
    """The most frequent spelling, the first one seen on a tie."""
    counts = Counter(v for v in values if v)
    return max(counts, key=lambda v: counts[v]) if counts else None


def _problem(draft: _Draft) -> Problem:
    events = [e for group, _ in draft.groups for e in group.events]
    events.sort(key=lambda e: (e.time is None, e.time, e.record.source, e.record.record_id))
    subject = "|".join(
        str(part or "")
        for part in (
            draft.scope,
            draft.account_id,
            draft.host_id,
            (draft.dc or "").casefold(),
            draft.cause,
        )
    )
    problem_id = "P-" + hashlib.sha256(subject.encode()).hexdigest()[:10]
    times = [e.time for e in events if e.time]
    return Problem(
        id=problem_id,
        scope=draft.scope,
        account=_display(e.user for e in events) if draft.account_id else None,
        host=_display(e.host for e in events) if draft.host_id else None,
        dc=_display(e.dc for e in events) if draft.dc else None,
        causes=_merge_causes(draft, events),
        events=tuple(
            EventRef(e.record.source, e.record.record_id, e.time, e.dc, e.event_id, e.user, e.host)
            for e in events
        ),
        first_seen=min(times) if times else None,
        last_seen=max(times) if times else None,
        accounts=tuple(sorted({e.user for e in events if e.user}, key=str.casefold)),
        hosts=tuple(sorted({e.host for e in events if e.host}, key=str.casefold)),
        scope_reason=draft.reason,
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
