"""A large site's PSync events, for the scale bench: mostly successes, a few hundred
problems of every scope, at any number of events.

The site (:class:`Site`: 10,000 accounts, 40 UNIX hosts, 3 DCs by default) changes one
password at a time, through one DC, which propagates it to every host (one event each,
a failure retried once or twice minutes later), as a live IDMU site logs it. Accounts
change in a fixed cycle, so the problems planted among the accounts the run reaches show
up at any size; their number does not grow with the events (:class:`Problems`):

* accounts refused everywhere: no UNIX account on any host (12294 from every host), or
  refused by the DC itself (12289 in PasswordPropDeny, 12290 not in PasswordPropAllow);
* hosts refusing everyone for a while: an encryption key mismatch (8203) that is then
  fixed (successes follow), a name that stops resolving near the end (8200), and a host
  that refuses through one DC only;
* single (account, host) pairs: 12294 or a disabled UNIX account (8204), a third of
  them fixed before the retries end (a success follows the failures).

The success is event id 12291 at Information level with a user and a host, the shape
evtdiag infers as "Successfully changed password" (docs/contract.md).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tests.support.evtx_writer import filetime
from tests.support.fast_evtx import Row

VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
"""Changes with this file, so that the bench rebuilds inputs made by an older scenario."""

Kind = tuple[int, int, int]
"""An event id with the level and qualifiers a DC logs it with."""
SUCCESS: Kind = (12291, 4, 0x4000)
DENIED: Kind = (12294, 2, 0xC000)
DISABLED: Kind = (8204, 2, 0xC000)
KEY_MISMATCH: Kind = (8203, 2, 0xC000)
UNKNOWN_HOST: Kind = (8200, 2, 0xC000)
DENY_GROUP: Kind = (12289, 3, 0x8000)
NOT_ALLOWED: Kind = (12290, 3, 0x8000)

START = filetime(datetime(2026, 1, 1, 8, 0, tzinfo=timezone.utc))
SECOND = 10_000_000
"""FILETIME ticks."""
CHANGE_SPAN = 15 * 60 * SECOND
"""Longer than one change's events last (40 hosts a few seconds apart, two retries up to
four minutes apart each), so that changes never overlap and every log is in time order."""
YEAR = 365 * 86_400 * SECOND
KEY_MISMATCH_CHANGES = 60
"""How long the key host refuses everyone, in changes: each account tried meanwhile and
not since is a problem of its own (a pair), so the window is short and fixed in length."""
ONE_DC_CHANGES = 90
ACCOUNT_STRIDE = 7919
"""Changes visit the accounts in this stride (a prime, so every account once a cycle)."""


@dataclass(frozen=True)
class Site:
    events: int
    accounts: int = 10_000
    hosts: int = 40
    dcs: int = 3
    seed: int = 24

    def account(self, index: int) -> str:
        return f"user{index:05}"

    def host(self, index: int) -> str:
        return f"unix{index:02}.corp.example.com"

    def dc(self, index: int) -> str:
        return f"DC{index + 1:02}.corp.example.com"

    @property
    def changes(self) -> int:
        """About how many password changes make :attr:`events` (one event per host and
        a few retries)."""
        return max(1, self.events // (self.hosts + 1))


@dataclass
class Problems:
    """What goes wrong at a site; a fixed number of each, whatever its size."""

    everywhere: dict[int, Kind] = field(default_factory=dict)
    """Account index -> the failure every attempt of it gets."""
    pairs: dict[tuple[int, int], tuple[Kind, bool]] = field(default_factory=dict)
    """(account, host) -> the failure, and whether a success ends its retries."""
    key_host: int = 0
    key_window: tuple[int, int] = (0, 0)
    """Changes (first, end) during which the key host refuses every account."""
    unknown_host: int = 1
    unknown_from: int = 0
    one_dc_host: int = 2
    one_dc: int = 0
    one_dc_window: tuple[int, int] = (0, 0)

    @classmethod
    def planted(cls, site: Site, rng: random.Random) -> Problems:
        changes = site.changes
        reached = max(1, min(site.accounts, changes * 9 // 10))
        positions = rng.sample(range(reached), min(reached, 240))
        accounts = [position * ACCOUNT_STRIDE % site.accounts for position in positions]
        kinds = [DENIED] * 24 + [DENY_GROUP] * 8 + [NOT_ALLOWED] * 8
        problems = cls(
            everywhere=dict(zip(accounts, kinds, strict=False)),  # a tiny run has fewer
            key_window=_window(changes, 0.4, KEY_MISMATCH_CHANGES),
            unknown_from=changes * 95 // 100,
            one_dc=rng.randrange(site.dcs),
            one_dc_window=_window(changes, 0.1, ONE_DC_CHANGES),
        )
        for i, account in enumerate(accounts[len(kinds) :]):
            host = rng.randrange(3, site.hosts)
            problems.pairs[account, host] = ((DENIED, DISABLED)[i % 2], i % 3 == 0)
        return problems

    def outcome(self, change: int, dc: int, account: int, host: int) -> tuple[Kind, bool]:
        """The failure (or success) of one attempt, and whether its retries end fixed."""
        if host == self.key_host and self.key_window[0] <= change < self.key_window[1]:
            return KEY_MISMATCH, False
        if host == self.unknown_host and change >= self.unknown_from:
            return UNKNOWN_HOST, False
        if (
            host == self.one_dc_host
            and dc == self.one_dc
            and self.one_dc_window[0] <= change < self.one_dc_window[1]
        ):
            return DENIED, False
        kind = self.everywhere.get(account)
        if kind is not None:
            return kind, False
        return self.pairs.get((account, host), (SUCCESS, False))


def _window(changes: int, at: float, length: int) -> tuple[int, int]:
    """``length`` changes from the fraction ``at`` of the run (fewer in a short run)."""
    first = int(changes * at)
    return first, first + min(length, changes // 10)


def rows(site: Site) -> Iterator[Row]:
    """Exactly ``site.events`` events in time order, the same on every run."""
    rng = random.Random(site.seed)
    problems = Problems.planted(site, rng)
    spacing = max(CHANGE_SPAN, YEAR // site.changes // SECOND * SECOND)
    emitted = change = 0
    while True:
        account, dc = change * ACCOUNT_STRIDE % site.accounts, rng.randrange(site.dcs)
        events = _change(site, problems, rng, change, dc, account, START + change * spacing)
        for row in sorted(events, key=lambda row: row[3]):
            yield row
            emitted += 1
            if emitted == site.events:
                return
        change += 1


def _change(
    site: Site, problems: Problems, rng: random.Random, change: int, dc: int, account: int,
    ticks: int,
) -> list[Row]:  # fmt: skip
    """The events of one password change: one per host, failures retried."""
    computer, user = site.dc(dc), site.account(account)
    kind = problems.everywhere.get(account)
    if kind in (DENY_GROUP, NOT_ALLOWED):  # the DC refuses before any host is tried
        return [(*kind, ticks + SECOND, computer, (user,))]
    events: list[Row] = []
    for host in range(site.hosts):
        ticks += rng.randint(1, 4) * SECOND + rng.randrange(SECOND // 10) * 10
        kind, fixed = problems.outcome(change, dc, account, host)
        data = (site.host(host),) if kind == UNKNOWN_HOST else (user, site.host(host))
        if kind == SUCCESS:
            events.append((*kind, ticks, computer, data))
            continue
        retry = ticks
        tries = rng.choice((2, 3))
        for attempt in range(tries):
            if fixed and attempt == tries - 1:
                events.append((*SUCCESS, retry, computer, (user, site.host(host))))
            else:
                events.append((*kind, retry, computer, data))
            retry += rng.randint(20, 240) * SECOND
    return events
