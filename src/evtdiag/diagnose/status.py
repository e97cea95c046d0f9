"""Is a problem still open? It is resolved when its scope succeeded after its last failure.

Logs cover weeks: a key corrected or an account unlocked mid-period shows as later
successes in the same scope, which is what Microsoft's "retry password synchronization to
verify" asks for. The scope decides which successes count: the same pair; the same host
(any account) for a host problem; the same account on a host that refused it (any host
for a Windows-side refusal) for an account problem; the same DC, on the same host when
the problem is bound to one, for a DC problem. Successes through another DC never
resolve a DC problem, nor successes on hosts that never refused an account its account
problem.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime

from evtdiag.diagnose.attempts import Attempts
from evtdiag.diagnose.context import event_evidence
from evtdiag.model import Evidence

OPEN = "open"
RESOLVED = "resolved"


@dataclass(frozen=True)
class Settlement:
    status: str
    last_failure: datetime | None
    resolved_at: datetime | None = None
    verified_by: Evidence | None = None


def success_keys(
    scope: str, account: str | None, host: str | None, dc: str | None, hosts: Iterable[str]
) -> list[Hashable]:
    """The keys of :meth:`Attempts.first_success_after` whose successes verify a fix of
    a problem of ``scope`` (``hosts``: the hosts whose failures it explains)."""
    hosts = sorted(hosts)
    if scope == "pair" and account and host:
        return [("pair", account, host)]
    if scope == "host" and host:
        return [("host", host)]
    if scope == "account" and account:
        return [("pair", account, h) for h in hosts] if hosts else [("account", account)]
    if scope == "dc" and dc:
        if host:
            return [("host-dc", host, dc)]
        return [("host-dc", h, dc) for h in hosts] if hosts else [("dc", dc)]
    return []


def settle(
    scope: str,
    account: str | None,
    host: str | None,
    dc: str | None,
    hosts: Iterable[str],
    last_failure: datetime | None,
    attempts: Attempts,
) -> Settlement:
    """The problem's status: resolved by the first success in its scope after
    ``last_failure``; open when there is none (or the failures carry no time)."""
    if last_failure is None:
        return Settlement(OPEN, None)
    found = [
        success
        for key in success_keys(scope, account, host, dc, hosts)
        if (success := attempts.first_success_after(key, last_failure)) is not None
    ]
    if not found:
        return Settlement(OPEN, last_failure)
    first = min(found, key=lambda e: (e.time, e.record.record_id))
    return Settlement(RESOLVED, last_failure, first.time, event_evidence(first))
