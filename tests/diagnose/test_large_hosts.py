"""Hosts with NIS-sized passwd and shadow files and logs with thousands of failing
accounts: the diagnosis is right for every account, and no account lookup scans the
host's lists again (each is read a fixed number of times, however many failure groups
ask)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from evtdiag import pipeline
from evtdiag.hosts import inventory
from evtdiag.hosts.model import HostConfig, WindowsSide
from tests.diagnose.scenario import DEFAULT_SSO, Scenario, audit, problems

CASE_SENSITIVE_SSO = DEFAULT_SSO.replace("CASE_IGNORE_NAME=1", "CASE_IGNORE_NAME=0")
LOCKED = "!$6$FAKEsalt$FAKEhash"


@dataclass(frozen=True)
class Crowd:
    """Who was made to fail how in a :func:`crowded_scenario`."""

    locked: tuple[str, ...]
    """Failing on nis01, locked in its shadow: ``unix-account-disabled``."""
    missing: tuple[str, ...]
    """Failing on nis01, absent from its passwd: ``unix-account-missing``."""
    miscased: tuple[str, ...]
    """Failing on nis02 (CASE_IGNORE_NAME=0) under an upper-case name: ``name-case-mismatch``."""
    outsiders: tuple[str, ...]
    """Refused by the DC, not in PasswordPropAllow: ``windows-not-in-allow-group``."""
    locked_everywhere: int
    """Locked accounts of user uid on each host (for the audit)."""
    denied_locked: tuple[str, ...]
    """Locked accounts, none of them failing, that PasswordPropDeny blocks (the audit
    stays quiet about them)."""


def crowded_scenario(sc: Scenario, accounts: int, failing: int) -> Crowd:
    """Two hosts sharing a passwd of ``accounts`` users (every tenth one locked), and
    ``failing`` failing accounts of each kind of :class:`Crowd`, among as many successes
    (so that no cause covers nearly every account of a host)."""
    users = [f"user{i:05d}" for i in range(accounts)]
    locked_users = users[::10]
    shadow = dict.fromkeys(locked_users, LOCKED)
    sc.host("nis01", users=users, shadow=shadow)
    sc.host("nis02", users=users, shadow=shadow, sso=CASE_SENSITIVE_SSO)
    unlocked = [u for u in users if u not in shadow]
    crowd = Crowd(
        locked=tuple(locked_users[:failing]),
        missing=tuple(f"ghost{i:05d}" for i in range(failing)),
        miscased=tuple(u.upper() for u in unlocked[:failing]),
        outsiders=tuple(f"outsider{i:05d}" for i in range(failing)),
        locked_everywhere=len(locked_users),
        denied_locked=tuple(locked_users[failing : 2 * failing]),
    )
    sc.windows("PasswordPropAllow.txt", "".join(f"CORP\\{u}\n" for u in users))
    sc.windows(
        "PasswordPropDeny.txt", "".join(f"{u}@corp.example.com\n" for u in crowd.denied_locked)
    )
    for user in (*crowd.locked, *crowd.missing):
        sc.attempt(user, "nis01")
    for user in crowd.miscased:
        sc.attempt(user, "nis02")
    for user in crowd.outsiders:
        sc.event(12290, user, level=3)
    for user in unlocked[failing : 3 * failing]:
        sc.attempt(user, "nis01", ok=True)
        sc.attempt(user, "nis02", ok=True)
    return crowd


def accounts_of(document: dict, cause: str) -> list[str]:
    return sorted(p["account"] for p in problems(document, cause=cause))


def test_thirty_thousand_accounts_and_thousands_of_failing_ones(tmp_path: Path) -> None:
    sc = Scenario(tmp_path)
    crowd = crowded_scenario(sc, accounts=30_000, failing=1_000)
    _, doc = sc.run()
    assert accounts_of(doc, "unix-account-disabled") == sorted(crowd.locked)
    assert accounts_of(doc, "unix-account-missing") == sorted(crowd.missing)
    assert accounts_of(doc, "name-case-mismatch") == sorted(crowd.miscased)
    assert accounts_of(doc, "windows-not-in-allow-group") == sorted(crowd.outsiders)
    assert len(doc["problems"]) == 4 * 1_000
    assert {(p["scope"], p["host"]) for p in problems(doc, cause="unix-account-missing")} == {
        ("pair", "nis01")
    }
    case = problems(doc, cause="name-case-mismatch", account="USER00001")[0]
    assert case["detail"] == "Windows sends 'USER00001', the UNIX account is 'user00001'."
    assert any(
        e["text"] == "user00001: uid 1002, shell /bin/bash" and e["line"] == 3
        for e in case["evidence"]
    )
    locked_findings = audit(doc, "disabled-account-not-blocked")
    blocked_each = len(crowd.denied_locked)
    assert len(locked_findings) == 2 * (crowd.locked_everywhere - blocked_each)
    assert not [f for f in locked_findings if crowd.denied_locked[0] in f["explanation"]]


class ScanCounted(tuple):
    """A tuple that counts, under its label, how often it is iterated over."""

    label: str
    scans: Counter

    def __iter__(self) -> Iterator:
        self.scans[self.label] += 1
        return super().__iter__()


def counted(items: tuple | None, label: str, scans: Counter) -> tuple | None:
    if items is None:
        return None
    wrapped = ScanCounted(items)
    wrapped.label, wrapped.scans = label, scans
    return wrapped


def count_scans(monkeypatch: pytest.MonkeyPatch, scans: Counter) -> None:
    """Make every host's passwd, shadow, AIX stanzas and SYNC_USERS, and every Windows
    group's member list, count their scans into ``scans``."""
    load_host, load_windows = inventory.load_host, pipeline.load_windows

    def counting_host(*args: object) -> HostConfig:
        host = load_host(*args)
        assert host.sso is not None
        sync_users = counted(host.sso.sync_users, f"{host.name} SYNC_USERS", scans)
        return replace(
            host,
            sso=replace(host.sso, sync_users=sync_users),
            passwd=counted(host.passwd, f"{host.name} passwd", scans),
            shadow=counted(host.shadow, f"{host.name} shadow", scans),
            policy=replace(
                host.policy, aix_users=counted(host.policy.aix_users, f"{host.name} aix", scans)
            ),
        )

    def counting_windows(directory: str) -> WindowsSide:
        side = load_windows(directory)
        groups = tuple(replace(g, members=counted(g.members, g.group, scans)) for g in side.groups)
        return replace(side, groups=groups)

    monkeypatch.setattr(inventory, "load_host", counting_host)
    monkeypatch.setattr(pipeline, "load_windows", counting_windows)


def test_no_lookup_scans_the_account_lists_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scans of each list are the same for 10 and for 100 failing accounts of each
    kind: building the indexes, and the audits and renderers that read a list whole once;
    never one scan per failure group."""
    found = []
    scans: Counter = Counter()
    count_scans(monkeypatch, scans)
    for failing in (10, 100):
        scans.clear()
        root = tmp_path / str(failing)
        root.mkdir()
        sc = Scenario(root)
        crowded_scenario(sc, accounts=2_000, failing=failing)
        _, doc = sc.run()
        assert len(problems(doc, cause="unix-account-disabled")) == failing
        found.append(Counter(scans))
    assert found[0] == found[1]
    assert {"nis01 passwd", "nis01 shadow", "PasswordPropAllow"} <= set(found[0])
