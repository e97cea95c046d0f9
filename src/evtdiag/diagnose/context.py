"""What the cause rules look at: one group of identical failures and its surroundings.

A *failure group* is every failure event with the same kind, account, UNIX host and
DC: retries and repeated password changes of one pair through one DC are one
question ("why does this fail?") with one answer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from evtdiag.hosts.inventory import Inventory
from evtdiag.hosts.model import HostConfig, HostMatch, WindowsSide
from evtdiag.model import Evidence, Place, PsyncEvent
from evtdiag.names import host_key
from evtdiag.psync import EventKind, kind_named


@functools.cache
def event_kind(name: str) -> EventKind | None:
    """The catalogue entry called ``name``: :func:`~evtdiag.psync.kind_named` looked up once
    per kind, since the catalogue is fixed and the rules ask for every failure group."""
    return kind_named(name)


class HostResolver:
    """Matches event host names against the inventory once per spelling."""

    def __init__(self, inventory: Inventory | None) -> None:
        self.inventory = inventory
        self._matches: dict[str, HostMatch] = {}
        self._ids: dict[str, str] = {}

    def match(self, rhost: str | None) -> HostMatch | None:
        if rhost is None or self.inventory is None:
            return None
        found = self._matches.get(rhost)
        if found is None:
            found = self._matches[rhost] = self.inventory.match(rhost)
        return found

    def host_id(self, rhost: str | None) -> str | None:
        """The configuration's name when one matches, else the folded short name."""
        if rhost is None:
            return None
        found = self._ids.get(rhost)
        if found is None:
            match = self.match(rhost)
            found = match.host.name.casefold() if match and match.host else host_key(rhost)
            self._ids[rhost] = found
        return found


@dataclass(frozen=True)
class FailureGroup:
    """Failures of one kind for one (account, host, DC)."""

    kind: str
    event_id: int
    account: str | None
    """The account as Windows sent it (first spelling seen)."""
    rhost: str | None
    """The host as Windows sent it (first spelling seen)."""
    dc: str
    events: tuple[PsyncEvent, ...]
    match: HostMatch | None
    """None when the event names no host, or no ``--hosts`` was given."""
    host_id: str | None
    """The host's identity: see :meth:`HostResolver.host_id`."""
    account_id: str | None
    """The account's identity (:func:`~evtdiag.names.account_key`), kept: the scope rules
    ask for it many times per group."""

    @property
    def host(self) -> HostConfig | None:
        return self.match.host if self.match else None


@dataclass(frozen=True)
class RuleContext:
    """Everything a cause rule may consult for one failure group."""

    group: FailureGroup
    inventory: Inventory | None
    windows: WindowsSide | None


def config_evidence(place: Place | None, text: str, subject: str | None = None) -> Evidence:
    """A configuration line as evidence (``text`` must already be free of secrets);
    ``subject`` is the account the line is about, when it is about one."""
    if place is None:
        return Evidence("config", None, None, text, subject=subject)
    return Evidence("config", place.file, place.line, text, subject=subject)


class Setting(Protocol):
    """A configuration line as the parsers keep it (sso.conf, policy files): its place and
    its text, secrets already rewritten."""

    @property
    def place(self) -> Place: ...

    @property
    def text(self) -> str: ...


def setting_evidence(setting: Setting) -> Evidence:
    """A parsed setting as evidence: its file, line and (secret-free) text (a setting is
    about no one account: no ``subject``)."""
    return config_evidence(setting.place, setting.text)


def absence(file: str | None, text: str, subject: str | None = None) -> Evidence:
    """The absence of a file or of an entry as evidence; ``subject`` is the account whose
    entry is missing, when one is."""
    return Evidence("absence", file, None, text, subject=subject)


def event_evidence(event: PsyncEvent) -> Evidence:
    parts = [f"event {event.event_id} ({event.kind})"]
    if event.user:
        parts.append(f"user {event.user}")
    if event.host:
        parts.append(f"host {event.host}")
    parts.append(f"logged by {event.dc or '?'}")
    if event.time:
        parts.append(f"at {event.time.strftime('%Y-%m-%d %H:%M:%S')} UTC")
    return Evidence(
        "event",
        event.record.source,
        None,
        ", ".join(parts),
        event.record.record_id,
        event.record.xml,
    )


def sample_events(events: Iterable[PsyncEvent], limit: int = 3) -> tuple[Evidence, ...]:
    """The first, and the last, events of a set, as evidence."""
    ordered = sorted(events, key=lambda e: (e.time is None, e.time, e.record.record_id))
    picked = ordered[: limit - 1] + ordered[-1:] if len(ordered) > limit else ordered
    return tuple(event_evidence(e) for e in picked)
