"""The diagnosis does work linear in each input dimension: doubling the events, the
DCs, the hosts (with their configurations), the accounts (with the hosts' passwd) or the
Windows groups at most doubles the work (counted, not timed: see :mod:`tests.support.work`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from evtdiag.diagnose import diagnose
from evtdiag.hosts import load_inventory
from evtdiag.hosts.inventory import Inventory
from evtdiag.hosts.model import GroupMembers, WindowsSide
from evtdiag.model import Place, PsyncEvent
from evtdiag.psync import Catalogue, extract
from tests.diagnose.scenario import DEFAULT_SSO, USERS, Scenario
from tests.diagnose.test_scope_status_properties import START, events_of
from tests.support.work import LINEAR, doubling_ratio, work
from tests.test_psync import record

HOSTS = tuple(f"h{n:03d}" for n in range(40))


def dense_site(accounts: int) -> list:
    """Every account sent to every host through two DCs; one host in ten refuses an
    account in three, as a dense log of many pair problems does."""
    attempts = []
    for a in range(accounts):
        for h, host in enumerate(HOSTS):
            refused = h % 10 == 0 and a % 3 == 0
            dc = ("DC01.corp.example.com", "DC02.corp.example.com")[(a + h) % 2]
            attempts.append((f"u{a:05d}", host, dc, "denied" if refused else "ok", a % 500))
    return events_of(list(enumerate(attempts)), "dc.evtx")


def diagnosis_calls(
    events: list[PsyncEvent],
    windows: WindowsSide | None = None,
    inventory: Inventory | None = None,
) -> int:
    return work(diagnose, events, [], inventory, windows, [12291])


def test_doubling_the_events_at_most_doubles_the_work() -> None:
    small, large = dense_site(150), dense_site(300)
    assert len(large) == 2 * len(small)
    assert diagnosis_calls(large) <= 2 * diagnosis_calls(small)


def one_pair_through(dcs: int) -> list[PsyncEvent]:
    """Issue 26: one account sent to one host by ``dcs`` DCs, every other one refused
    (each DC's row was compared with the union of all the others: quadratic)."""
    attempts = [
        ("alice", "web01", f"DC{d:05d}.corp.example.com", "denied" if d % 2 else "ok", d % 500)
        for d in range(dcs)
    ]
    return events_of(list(enumerate(attempts)), "dc.evtx")


def forest(dcs: int, hosts: int = 3) -> list[PsyncEvent]:
    """DCs in threes: the first fails for its own four accounts on the first host only
    (the next DC gets them through there: a DC problem bound to the host), the second
    succeeds for three shared accounts everywhere, the third fails for its own four
    accounts on every host it sends to, all but the first (a DC-wide problem)."""
    attempts = []
    for d in range(dcs):
        dc, own = f"DC{d:05d}", [f"a{d}_{k}" for k in range(4)]
        for h in range(hosts):
            if d % 3 == 0:
                kinds = [(a, "denied" if h == 0 else "ok") for a in own]
            elif d % 3 == 1:
                before = [f"a{d - 1}_{k}" for k in range(4)] if h == 0 else []
                kinds = [(a, "ok") for a in ("s0", "s1", "s2", *before)]
            else:
                kinds = [(a, "denied") for a in own] if h > 0 else []
            attempts += [(account, f"h{h}", dc, kind, d % 500) for account, kind in kinds]
    return events_of(list(enumerate(attempts)), "dc.evtx")


def test_doubling_the_dcs_sending_one_account_at_most_doubles_the_work() -> None:
    assert doubling_ratio(lambda n: diagnosis_calls(one_pair_through(n)), 300) <= LINEAR


def test_doubling_the_dcs_of_a_forest_at_most_doubles_the_work() -> None:
    assert doubling_ratio(lambda n: diagnosis_calls(forest(n)), 100) <= LINEAR


def test_doubling_the_hosts_at_most_doubles_the_work(tmp_path: Path) -> None:
    """Configured hosts (one in three excludes an account in SYNC_USERS, some lack an
    account) that refuse everyone, an account refused everywhere, a DC one host in five
    refuses, and hosts that log failures naming no account (through one DC only)."""

    def work_at(hosts: int) -> int:
        (tmp_path / str(hosts)).mkdir()
        site = Scenario(tmp_path / str(hosts))
        attempts = []
        for h in range(hosts):
            name, users = f"h{h:05d}", USERS[: 3 + h % 3]
            excluded = h % 3 == 0
            sso = DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -bob")
            site.host(name, users=users, sso=sso if excluded else DEFAULT_SSO)
            for user in USERS:
                for d in range(2):
                    refused = (h % 4 == 0 or user not in users or (h % 5 == 1 and d == 1)
                               or (excluded and user == "bob"))  # fmt: skip
                    kind = "denied" if refused else "ok"
                    attempts.append((user, name, f"DC{d}", kind, h % 500))
        events = events_of(list(enumerate(attempts)), "dc.evtx") + unknown_hosts(hosts)
        return diagnosis_calls(events, inventory=load_inventory(str(site.hosts_dir)))

    assert doubling_ratio(work_at, 100) <= LINEAR


def test_doubling_the_accounts_at_most_doubles_the_work(tmp_path: Path) -> None:
    """Three configured hosts whose passwd lacks a fifth of the accounts and locks a
    seventh; accounts refused everywhere, a host refusing every other account, and
    accounts the DC refused before contacting any host."""

    def work_at(accounts: int) -> int:
        (tmp_path / str(accounts)).mkdir()
        site = Scenario(tmp_path / str(accounts))
        users = [f"u{a:05d}" for a in range(accounts)]
        locked = dict.fromkeys(users[::7], "!$6$FAKEsalt$FAKEhash")
        for h in range(3):
            site.host(f"h{h}", users=users[: accounts - accounts // 5], shadow=locked)
        attempts = [
            (user, f"h{h}", f"DC{a % 2}", "denied" if a % 3 == 0 or (h == 2 and a % 2) else "ok",
             a % 500)
            for a, user in enumerate(users)
            for h in range(3)
        ]  # fmt: skip
        events = events_of(list(enumerate(attempts)), "dc.evtx") + refusals(accounts, 12290)
        return diagnosis_calls(events, inventory=load_inventory(str(site.hosts_dir)))

    assert doubling_ratio(work_at, 300) <= LINEAR


def administrators(size: int) -> WindowsSide:
    """``size`` names in Administrators (through Domain Admins, a nested group) and in
    PasswordPropDeny, each listed twice."""
    names = tuple(f"user{n:06d}" for n in range(size)) * 2
    return WindowsSide(
        (
            GroupMembers("PasswordPropDeny", True, True, names, Place("PasswordPropDeny.txt")),
            GroupMembers("Administrators", True, True, ("Domain Admins",), Place("A.txt")),
            GroupMembers("Domain Admins", True, True, names, Place("Domain Admins.txt")),
        ),
        (),
        False,
    )


def test_doubling_the_refused_administrators_at_most_doubles_the_work() -> None:
    """Issue 26: N accounts refused for PasswordPropDeny (12289), each an administrator
    of an N-member group: the group was walked once per account."""

    def work(size: int) -> int:
        return diagnosis_calls(refusals(size, 12289), administrators(size))

    assert doubling_ratio(work, 400) <= LINEAR


def refusals(accounts: int, event_id: int) -> list[PsyncEvent]:
    """``event_id`` (12289 or 12290: refused by the DC, no host named) for ``accounts``
    accounts."""
    return _events([(event_id, (f"user{n:06d}",)) for n in range(accounts)])


def unknown_hosts(hosts: int) -> list[PsyncEvent]:
    """8200 (unknown host: names the host only) for every fifth host, through DC0 only."""
    return _events([(8200, (f"h{h:05d}",)) for h in range(0, hosts, 5)])


def _events(items: list[tuple[int, tuple[str, ...]]]) -> list[PsyncEvent]:
    records = [
        replace(record(event_id, *data), record_id=100_000 + index,
                time_created=START + timedelta(seconds=index))
        for index, (event_id, data) in enumerate(items)
    ]  # fmt: skip
    return extract(records, Catalogue([12291]))


def test_dc_reasons_name_a_few_other_dcs_and_say_there_are_more() -> None:
    """The reasons read a few names per host instead of every DC (see forest())."""
    problems = diagnose(forest(21), [], None, None, [12291]).problems
    bound = {p.dc: p.scope_reason for p in problems if p.scope == "dc" and p.host}
    wide = {p.dc: p.scope_reason for p in problems if p.scope == "dc" and not p.host}
    assert sorted(bound) == [f"DC{d:05d}" for d in range(0, 21, 3)]
    assert sorted(wide) == [f"DC{d:05d}" for d in range(2, 21, 3)]
    others = "DC00000, DC00001, DC00003, DC00004, DC00006"
    assert bound["DC00018"].endswith(f"4 of them get through {others} and 8 more")
    assert bound["DC00000"].endswith("get through DC00001, DC00003, DC00004, DC00006, "
                                     "DC00007 and 8 more")  # fmt: skip
    assert wide["DC00002"].endswith(f"while {others} and others succeed(s) on them")
