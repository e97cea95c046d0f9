"""Property tests of diagnosis v2 on random sites: the configurations never change where a
failure is scoped, and neither event order nor the files the events came in change the
scope or the status of any problem."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evtdiag.diagnose import diagnose, scope
from evtdiag.hosts import load_inventory
from evtdiag.model import EventRecord, Place, PsyncEvent
from evtdiag.psync import Catalogue, extract
from tests.diagnose.scenario import DEFAULT_SSO, Scenario

START = datetime(2026, 9, 1, tzinfo=timezone.utc)
DCS = ("DC01.corp.example.com", "DC02.corp.example.com", "DC03.corp.example.com")
ACCOUNTS = ("alice", "bob", "carol", "dave", "erin", "frank", "root")
HOSTS = ("web01", "db02", "app03", "fin04", "mail05")
IDS = {"denied": 12294, "key": 8203, "disabled": 8204, "ok": 12291}
Attempt = tuple[str, str, str, str, int]
"""(account, host, DC, event kind, minute)."""


def random_site(rng: random.Random) -> list[Attempt]:
    """(account, host, DC, event kind, minute) attempts with the shapes real sites show:
    a host that refuses everyone, an account refused everywhere, a DC one host (or every
    host) refuses, a few broken pairs, and fixes at random moments."""
    accounts = rng.sample(ACCOUNTS, rng.randint(2, len(ACCOUNTS)))
    hosts = rng.sample(HOSTS, rng.randint(1, len(HOSTS)))
    dcs = DCS[: rng.randint(1, len(DCS))]
    bad_host = rng.choice([*hosts, None])
    bad_account = rng.choice([*accounts, None])
    bad_dc = rng.choice([*dcs, None])
    dc_everywhere = rng.random() < 0.4
    dc_host = rng.choice(hosts)
    pairs = {(rng.choice(accounts), rng.choice(hosts)) for _ in range(rng.randint(0, 4))}
    fixed_at = {key: rng.randint(0, 400) for key in ("host", "account", "dc", "pair")}
    attempts = []
    for minute in sorted(rng.sample(range(500), rng.randint(5, 40))):
        account, dc = rng.choice(accounts), rng.choice(dcs)
        account_broken = account == bad_account and minute < fixed_at["account"]
        for host in hosts:
            dc_broken = dc == bad_dc and (dc_everywhere or host == dc_host)
            kind = "ok"
            if host == bad_host and minute < fixed_at["host"]:
                kind = rng.choice(("denied", "key"))
            elif account_broken or (dc_broken and minute < fixed_at["dc"]):
                kind = "denied"
            elif (account, host) in pairs and minute < fixed_at["pair"]:
                kind = rng.choice(("denied", "disabled"))
            if rng.random() < 0.05:
                kind = "denied"  # noise
            attempts.append((account, host, dc, kind, minute))
    return attempts


def events_of(numbered: list[tuple[int, Attempt]], source: str) -> list[PsyncEvent]:
    """The attempts as events of ``source``; attempt ``i`` is record ``1000 + i`` at the
    same moment whichever file it is put in."""
    records = [
        EventRecord(
            source=source,
            record_id=1000 + index,
            time_created=START + timedelta(minutes=minute, seconds=index % 60),
            provider="Microsoft-Windows-IDMU-PSync",
            event_id=IDS[kind],
            qualifiers=None,
            level=4 if kind == "ok" else 2,
            channel="Application",
            computer=dc,
            data=(account, host),
            data_names=("", ""),
            xml_source="<Event/>",
            place=Place(source),
        )
        for index, (account, host, dc, kind, minute) in numbered
    ]
    return extract(records, Catalogue([IDS["ok"]]))


def configurations(root: Path, rng: random.Random) -> Path:
    """Host folders that explain some failures and not others (excluded accounts, missing
    accounts, a DC left out of SYNC_HOSTS)."""
    sc = Scenario(root)
    for host in HOSTS:
        excluded = " ".join(f"-{a}" for a in ACCOUNTS if rng.random() < 0.2)
        sso = DEFAULT_SSO.replace("SYNC_USERS=-root", f"SYNC_USERS=-root {excluded}")
        if rng.random() < 0.3:
            sso = sso.replace(f"({DCS[1]})", "")
        users = tuple(a for a in ACCOUNTS if a != "root" and rng.random() < 0.85)
        sc.host(host, sso=sso, users=users)
    return sc.hosts_dir


def scope_by_failure(events: list[PsyncEvent], inventory) -> dict[tuple, tuple[str, str]]:
    """Each failure's problem scope and status. A problem keeps a sample of its events
    (``EVENT_SAMPLE`` first and last): here it keeps them all, to place every failure."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scope, "EVENT_SAMPLE", len(events))
        diagnosis = diagnose(events, [], inventory, None, [IDS["ok"]])
    return {
        (ref.source, ref.record_id): (problem.scope, problem.status)
        for problem in diagnosis.problems
        for ref in problem.events
    }


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(seed=st.integers(0, 2**32 - 1))
def test_dropping_the_configurations_never_changes_a_scope_or_a_status(
    tmp_path_factory, seed: int
) -> None:
    rng = random.Random(seed)
    events = events_of(list(enumerate(random_site(rng))), "dc.evtx")
    inventory = load_inventory(str(configurations(tmp_path_factory.mktemp("site"), rng)))
    with_configs = scope_by_failure(events, inventory)
    alone = scope_by_failure(events, None)
    assert with_configs == alone
    assert len(alone) == sum(1 for e in events if e.outcome.value == "failure")


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), parts=st.integers(2, 4))
def test_order_and_files_never_change_a_scope_or_a_status(seed: int, parts: int) -> None:
    rng = random.Random(seed)
    numbered = list(enumerate(random_site(rng)))
    expected = {key[1]: value for key, value in scope_by_failure(events_of(numbered, "dc.evtx"),
                                                                 None).items()}  # fmt: skip
    rng.shuffle(numbered)
    split = [e for part in range(parts) for e in events_of(numbered[part::parts], f"p{part}")]
    rng.shuffle(split)
    got = {key[1]: value for key, value in scope_by_failure(split, None).items()}
    assert got == expected
