"""Memory flat in the number of events (issue 24, Scale): a report of a large site's
year keeps to the bench's target.

A realistic site's log (``bench/scenario.py``: 10,000 accounts, 40 hosts, 3 DCs, mostly
successes, a few hundred problems) is written by the fast test writer into tmp_path (a
million events in seconds), then ``evtdiag report --format json --jobs 2`` runs in a
subprocess while the resident memory of its process tree (reader workers included) is
sampled every 10 ms, as ``bench/run.py`` measures it. A report that passes the limit is
stopped there, so a failure costs seconds, not the whole report.

Marked ``scale`` and skipped unless ``EVTDIAG_SCALE=1``: the million-event report takes
minutes while memory grows with the events. CI runs these tests only if they fit within
a minute (``EVTDIAG_SCALE=1 pytest -m scale``).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO

pytestmark = [
    pytest.mark.scale,
    pytest.mark.skipif(
        os.environ.get("EVTDIAG_SCALE") != "1", reason="scale test: set EVTDIAG_SCALE=1"
    ),
]

TARGET_MB = 250
"""Peak RSS of a report of 200,000 PSync events (issue 24)."""
GROWTH = 1.3
"""At most this many times more at five times the events: flat."""


def _bench(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/NAME.py (build.py, run.py); registered, as dataclasses need."""
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    return module


def _peak_mb(log: Path, out: Path, limit_mb: float, monkeypatch: pytest.MonkeyPatch) -> float:
    """The peak RSS (MB, process tree) of a JSON report of ``log``; the report is killed
    as soon as it passes ``limit_mb`` (the peak returned then is the first sample over
    the limit, not the peak the whole report would have reached)."""
    run = _bench("run", monkeypatch)
    peak = {"kb": 0}

    def sample(pid: int) -> None:
        peak["kb"] = max(peak["kb"], run._tree_rss_kb(pid))
        if peak["kb"] > limit_mb * 1024:
            os.killpg(pid, signal.SIGKILL)

    command = [sys.executable, "-m", "evtdiag", "report", "--format", "json", "-q",
               "--jobs", "2", "-o", str(out), str(log)]  # fmt: skip
    try:
        run._run(["setsid", *command], sample)  # its own process group, workers included
    except RuntimeError:
        if peak["kb"] <= limit_mb * 1024:
            raise  # failed, not killed over the limit
    else:
        assert out.stat().st_size > 0
    return peak["kb"] / 1024


def _realistic(tmp_path: Path, events: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    build = _bench("build", monkeypatch)
    built = build.scale(tmp_path / f"realistic-{events}.evtx", "realistic", events)
    assert built.records == events
    return built.path


def test_a_million_events_report_within_the_memory_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _realistic(tmp_path, 1_000_000, monkeypatch)
    limit = TARGET_MB * GROWTH
    peak = _peak_mb(log, tmp_path / "report.json", limit, monkeypatch)
    assert peak <= limit, f"1,000,000 events: stopped at {peak:,.0f} MB, over {limit:,.0f} MB"


def test_twice_the_events_take_little_more_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cheap check of flatness: 100,000 and 200,000 events of the same site."""
    small = _peak_mb(
        _realistic(tmp_path, 100_000, monkeypatch),
        tmp_path / "small.json",
        float("inf"),
        monkeypatch,
    )
    limit = small * GROWTH
    large = _peak_mb(
        _realistic(tmp_path, 200_000, monkeypatch), tmp_path / "large.json", limit, monkeypatch
    )
    assert large <= limit, (
        f"200,000 events: stopped at {large:,.0f} MB, over {GROWTH}x the {small:,.0f} MB of 100,000"
    )
