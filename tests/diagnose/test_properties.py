"""Property tests: the problems found do not depend on event order, on how the events are
split over files, or on overlapping exports that repeat them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evtdiag.diagnose import diagnose, scope
from evtdiag.hosts import load_inventory
from evtdiag.logs import ProviderMatcher
from evtdiag.psync import Catalogue, extract
from tests.diagnose.scenario import DEFAULT_SSO, Scenario
from tests.logs.reading import read_logs
from tests.support.evtx_writer import write_evtx_file


def base_scenario(root: Path) -> Scenario:
    sc = Scenario(root)
    sc.host("app03", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=+alice"))
    sc.host(
        "web01",
        sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -frank"),
        users=("alice", "bob", "carol", "frank"),
    )
    sc.host(
        "db02",
        sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -frank"),
        users=("alice", "bob", "frank"),
    )
    for user in ("alice", "bob", "carol", "frank"):
        for host in ("app03", "web01", "db02"):
            refused = (
                user == "frank"
                or (host == "app03" and user != "alice")
                or (user == "carol" and host == "db02")
            )
            sc.attempt(
                user,
                host,
                ok=not refused,
                dc="DC01.corp.example.com" if user < "c" else "DC02.corp.example.com",
                times=2 if refused else 1,
            )
    sc.event(12289, "svc_backup", level=3)
    return sc


def summary(paths: list[Path], hosts: Path) -> list[tuple]:
    result = read_logs([str(p) for p in paths], ProviderMatcher())
    events = extract(result.events, Catalogue([12291]))
    with pytest.MonkeyPatch.context() as patch:  # every event of a problem, not a sample
        patch.setattr(scope, "EVENT_SAMPLE", len(events))
        diagnosis = diagnose(events, result.inputs, load_inventory(str(hosts)), None, [12291])
    return [
        (
            p.id,
            p.scope,
            p.account,
            p.host,
            p.cause.code,
            p.event_count,
            tuple(sorted((e.source.rsplit("/", 1)[-1][:4], e.record_id) for e in p.events)),
        )
        for p in diagnosis.problems
    ]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), parts=st.integers(1, 4), duplicates=st.integers(0, 3))
def test_order_split_and_duplicates_do_not_change_the_problems(
    tmp_path_factory, seed: int, parts: int, duplicates: int
) -> None:
    root = tmp_path_factory.mktemp("prop")
    sc = base_scenario(root)
    expected = summary(sc.write_logs(), sc.hosts_dir)
    rng = random.Random(seed)
    paths = []
    for dc, events in sorted(sc.events.items()):
        shuffled = events[:]
        rng.shuffle(shuffled)
        chunks = [shuffled[i::parts] for i in range(parts)]
        for index, chunk in enumerate(chunks):
            if chunk:
                paths.append(write_evtx_file(root / f"{dc[:4]}-{index}.evtx", chunk))
        for index in range(duplicates):  # overlapping exports repeat some events
            copy = rng.sample(events, k=max(1, len(events) // 3))
            paths.append(write_evtx_file(root / f"{dc[:4]}-dup{index}.evtx", copy))
    rng.shuffle(paths)
    got = summary(paths, sc.hosts_dir)
    strip = [(p[:6]) for p in expected]
    assert [(p[:6]) for p in got] == strip
