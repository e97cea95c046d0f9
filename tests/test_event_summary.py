"""What a report keeps of its events (``evtdiag.event_summary``), against the events
themselves: the bounds hold, and every figure the summary gives is the one the full list
gives, or says it cannot be told."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evtdiag import event_summary
from evtdiag.compare import _later_count
from evtdiag.document import moment
from evtdiag.event_summary import LANE_MARKS, EventSummary, iso

START = datetime(2026, 9, 1, tzinfo=timezone.utc)


def summary_of(events: list[tuple[int, str, str, str, str]]) -> EventSummary:
    """Events as (minute, outcome, user, host, dc), fed in the order given."""
    found = EventSummary(lambda host: (host or "").casefold())
    for minute, outcome, user, host, dc in events:
        when = START + timedelta(minutes=minute)
        found.add(when, outcome, 12294, user, host, dc)
    return found


def row(found: EventSummary, *key: str) -> dict:
    (match,) = [r for r in found.attempts()["rows"] if event_summary.row_key(r) == key]
    return match


def test_a_lane_of_a_year_of_failures_keeps_a_few_hundred_times_and_the_exact_counts() -> None:
    events = [(minute, "failure", "u", "web01", "DC01") for minute in range(0, 525_600, 5)]
    events += [(minute, "success", "u", "web01", "DC01") for minute in range(3, 525_600, 50)]
    (lane,) = summary_of(events).host_lanes()["lanes"]
    assert (lane["failures"], lane["successes"]) == (105_120, 10_512)
    assert len(lane["failure_times"]) <= LANE_MARKS + 1
    assert lane["failure_times"][0] == iso(START)
    assert lane["failure_times"][-1] == iso(START + timedelta(minutes=525_595))
    assert lane["failure_times"] == sorted(lane["failure_times"])


def test_every_failing_scope_is_listed_and_the_latest_others_fill_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(event_summary, "ATTEMPT_ROWS", 12)
    events = [(n, "success", f"ok{n}", "web01", "DC01") for n in range(20)]
    events.append((30, "failure", "bad", "db02", "DC02"))
    attempts = summary_of(events).attempts()
    kinds = [(r["scope"], r["account"], r["host"]) for r in attempts["rows"]]
    assert attempts["complete"] is False and len(kinds) == 12
    # 20 pairs and 20 accounts on web01, its host, host-dc and DC scopes; five for "bad"
    assert attempts["scopes"] == 20 + 20 + 3 + 5
    assert {("pair", "bad", "db02"), ("account", "bad", ""), ("host", "", "db02")} <= set(kinds)
    assert ("pair", "ok19", "web01") in kinds and ("pair", "ok0", "web01") not in kinds


_ATTEMPTS = st.lists(
    st.tuples(st.integers(0, 200), st.sampled_from(["failure", "success"])),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(attempts=_ATTEMPTS, order=st.randoms(use_true_random=False))
def test_the_first_success_after_the_last_failure_is_exact_or_unknown(attempts, order) -> None:
    """Whatever the order the events are read in (DCs one after the other), the first
    success after the last failure is the true one, or null while a later success exists
    (compare then names the last one): never a wrong one."""
    events = [(minute, outcome, "kim", "web01", "DC01") for minute, outcome in attempts]
    order.shuffle(events)
    found = row(summary_of(events), "pair", "kim", "web01")
    failures = [m for m, outcome, *_ in events if outcome == "failure"]
    last = max(failures, default=-1)
    after = sorted(m for m, outcome, *_ in events if outcome == "success" and m > last)
    first = found["first_success"]
    if first is None and after:
        assert found["last_success"]["time"] == iso(START + timedelta(minutes=after[-1]))
    elif first is not None:
        assert first["time"] == iso(START + timedelta(minutes=after[0]))
    if sorted(events) == events:  # read in time order: always known
        assert (first is None) == (not after)


@settings(max_examples=300, deadline=None)
@given(attempts=_ATTEMPTS, end=st.integers(-1, 201), order=st.randoms(use_true_random=False))
def test_failures_and_attempts_since_a_moment_are_counted_exactly_or_not_at_all(
    attempts, end, order
) -> None:
    events = [(minute, outcome, "kim", "web01", "DC01") for minute, outcome in attempts]
    order.shuffle(events)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(event_summary, "RECENT_ATTEMPTS", 5)  # fewer than the events, often
        found = summary_of(events)
    since = START + timedelta(minutes=end)
    failures = [m for m, outcome, *_ in events if outcome == "failure"]
    if failures:
        scope = row(found, "pair", "kim", "web01")
        count = _later_count(scope["failures"], scope["recent_failures"], since)
        assert count in (None, sum(1 for m in failures if m > end))
        if sum(1 for m in failures if m > end) < len(scope["recent_failures"]):
            assert count is not None
    latest = found.events()["latest_attempts"]
    total = sum(found.events()["by_day"].values())
    count = _later_count(total, latest, since)
    assert count in (None, sum(1 for m, *_ in events if m > end))
    assert all(moment(text) for text in latest)
