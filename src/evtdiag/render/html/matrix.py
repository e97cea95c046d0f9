"""The account x host matrix: failures and successes per identity pair, as the problems
count them (``KSmith`` and ``CORP\\ksmith`` one column, ``web01`` and its FQDN one row)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from evtdiag.render.html.identities import Identities, event_key

MATRIX_ACCOUNTS = 40
MATRIX_HOSTS = 40


@dataclass(frozen=True)
class Cell:
    failures: int
    successes: int

    @property
    def state(self) -> str:
        if self.failures and self.successes:
            return "mixed"
        if self.failures:
            return "bad"
        return "ok" if self.successes else "none"


def _spellings(names: Counter[str], identity: str) -> list[str]:
    """The names seen for one identity, most used first; none when it is the only one."""
    ordered = sorted(names, key=lambda n: (-names[n], n.casefold()))
    return [] if ordered == [identity] else ordered


def matrix(events: list[dict[str, Any]], identities: Identities) -> dict[str, Any]:
    """The accounts and hosts with the most failures (at most :data:`MATRIX_ACCOUNTS` x
    :data:`MATRIX_HOSTS`), each cell its failures and successes, and how many were left
    out."""
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    fails_by_account: Counter[str] = Counter()
    fails_by_host: Counter[str] = Counter()
    account_names: dict[str, Counter[str]] = defaultdict(Counter)
    host_names: dict[str, Counter[str]] = defaultdict(Counter)
    for event in events:
        if event["outcome"] not in ("failure", "success") or not event["user"]:
            continue
        account, host, _ = event_key(event, identities)
        failed = event["outcome"] == "failure"
        cells[(account, host)][0 if failed else 1] += 1
        fails_by_account[account] += failed
        fails_by_host[host] += failed
        account_names[account][event["user"]] += 1
        if event["host"]:
            host_names[host][event["host"]] += 1
    accounts = sorted(fails_by_account, key=lambda a: (-fails_by_account[a], a))
    hosts = sorted(fails_by_host, key=lambda h: (-fails_by_host[h], h))
    shown_accounts = sorted(accounts[:MATRIX_ACCOUNTS])
    shown_hosts = sorted(hosts[:MATRIX_HOSTS], key=lambda h: (not h, h))
    return {
        "accounts": [
            {"name": a, "spellings": _spellings(account_names[a], a)} for a in shown_accounts
        ],
        "rows": [
            {
                "host": host or "(no host)",
                "spellings": _spellings(host_names[host], host),
                "failures": fails_by_host[host],
                "cells": [Cell(*cells.get((a, host), (0, 0))) for a in shown_accounts],
            }
            for host in shown_hosts
        ],
        "hidden_accounts": len(accounts) - len(shown_accounts),
        "hidden_hosts": len(hosts) - len(shown_hosts),
    }
