"""The diagnosis does work linear in the events: doubling the input at most doubles the
Python function calls it makes (counted with the profiler, not timed)."""

from __future__ import annotations

import cProfile
import pstats

from evtdiag.diagnose import diagnose
from tests.diagnose.test_v2_properties import events_of

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


def calls(events: list) -> int:
    profile = cProfile.Profile()
    profile.runcall(diagnose, events, [], None, None, [12291])
    return sum(stat[1] for stat in pstats.Stats(profile).stats.values())  # primitive calls


def test_doubling_the_events_at_most_doubles_the_work() -> None:
    small, large = dense_site(150), dense_site(300)
    assert len(large) == 2 * len(small)
    assert calls(large) <= 2 * calls(small)
