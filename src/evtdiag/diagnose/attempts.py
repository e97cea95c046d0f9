"""The attempts table: which account was sent to which host, through which DC, when, and
whether it worked.

Every scope rule reads its denominators here ("nearly every account tried on this host",
"the same accounts get through another DC"), and a problem's status asks it for the
first success in the problem's scope after the last failure. It is built from the events
alone, so a diagnosis without configurations sees the same pattern as one with them.
"""

from __future__ import annotations

import bisect
from array import array
from collections import defaultdict
from collections.abc import Hashable, Iterable
from datetime import datetime
from operator import attrgetter

from evtdiag.diagnose.context import HostResolver
from evtdiag.event_summary import event_keys
from evtdiag.model import Outcome, PsyncEvent
from evtdiag.names import account_key

Accounts = dict[str, dict[str, set[str]]]
"""host -> DC -> accounts."""


class Attempts:
    """Failures and successes of (account, host, DC), indexed for the scope rules."""

    def __init__(self, events: Iterable[PsyncEvent], resolver: HostResolver) -> None:
        self.tried: Accounts = defaultdict(lambda: defaultdict(set))
        self.failed: Accounts = defaultdict(lambda: defaultdict(set))
        self.succeeded: Accounts = defaultdict(lambda: defaultdict(set))
        self.hosts_of: dict[str, set[str]] = defaultdict(set)
        self.successful_hosts_of: dict[str, set[str]] = defaultdict(set)
        self._unions: dict[tuple[int, str], set[str]] = {}
        self.dc_names: dict[str, str] = {}
        """Folded DC name -> the spelling first seen."""
        self._successes: list[PsyncEvent] = []
        """Every dated success, by time (then record id)."""
        self._times: list[datetime] = []
        """Their times."""
        self._by_key: dict[Hashable, array[int]] = defaultdict(lambda: array("i"))
        """Per key (:func:`~evtdiag.event_summary.event_keys`), the positions of its
        successes in :attr:`_successes`, in time order: four bytes a success and key,
        where a tuple per success and key made a year of successes cost gigabytes."""
        for event in events:
            if event.user is None or event.host is None or event.outcome is Outcome.INFO:
                continue
            host = resolver.host_id(event.host)
            if host is None:
                continue
            account, dc = account_key(event.user), event.dc.casefold()
            self.dc_names.setdefault(dc, event.dc)
            self.tried[host][dc].add(account)
            self.hosts_of[account].add(host)
            if event.outcome is Outcome.FAILURE:
                self.failed[host][dc].add(account)
                continue
            self.succeeded[host][dc].add(account)
            self.successful_hosts_of[account].add(host)
            if event.time is not None:
                self._successes.append(event)
        self._index_successes(resolver)

    def _index_successes(self, resolver: HostResolver) -> None:
        """Order the successes by time, then record id, and list each key's positions."""
        self._successes.sort(key=attrgetter("record.record_id"))
        self._successes.sort(key=attrgetter("time"))  # stable: record ids break ties (dated)
        self._times = [event.time for event in self._successes if event.time is not None]
        for position, event in enumerate(self._successes):
            host = resolver.host_id(event.host) or ""
            account, dc = account_key(event.user or ""), event.dc.casefold()
            for key in event_keys(account, host, dc):
                self._by_key[key].append(position)

    def accounts_tried(self, host: str) -> set[str]:
        """The accounts sent to ``host`` through any DC (shared: do not change it)."""
        return self._all(self.tried, host)

    def accounts_succeeded(self, host: str) -> set[str]:
        return self._all(self.succeeded, host)

    def _all(self, table: Accounts, host: str) -> set[str]:
        """Every DC's accounts of ``table`` on ``host``, built once: the scope rules ask for
        each failure group, and a host may have been sent tens of thousands of accounts."""
        key = (id(table), host)
        found = self._unions.get(key)
        if found is None:
            found = self._unions[key] = set().union(*table.get(host, {}).values())
        return found

    def first_success_after(self, key: Hashable, moment: datetime) -> PsyncEvent | None:
        """The first success of ``key`` (see :meth:`_index_successes`) later than
        ``moment``."""
        positions = self._by_key.get(key)
        if not positions:
            return None
        times = self._times
        index = bisect.bisect_right(positions, moment, key=lambda at: times[at])
        return self._successes[positions[index]] if index < len(positions) else None
