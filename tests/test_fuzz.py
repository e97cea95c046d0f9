"""Time-bounded mutation fuzzing of every reader and parser, on every test run.

Each target of tests/support/fuzz_targets.py (the EVTX, XML, CSV and archive readers through
format detection and every renderer; every configuration parser and check-config's
text; the collect script on sso.conf, checked for keys that leave) runs its committed
seeds (fuzz/corpus/<target>/), then mutants of them until its share of the budget is
spent; the targets share the cores in worker processes, and a
line after the run gives the cases each one ran.

``EVTDIAG_FUZZ_SECONDS`` (default 30: the wall-clock time of the whole run) and
``EVTDIAG_FUZZ_SEED`` (default 0) make longer or other runs; fuzz/fuzz_evtdiag.py
(atheris) makes coverage-guided ones. Keep what a run finds as a regression test.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from multiprocessing import get_context

import pytest

from evtdiag.logs.pool import default_jobs
from tests.support.fuzz_targets import CORPUS, TARGETS, FuzzRun, corpus, fuzz

SECONDS = float(os.environ.get("EVTDIAG_FUZZ_SECONDS", "30"))
SEED = int(os.environ.get("EVTDIAG_FUZZ_SEED", "0"))


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest) -> dict[str, FuzzRun]:
    """Every target fuzzed, in parallel ("spawn": forking a test process is unsafe)."""
    workers = min(len(TARGETS), default_jobs())
    per_target = SECONDS * workers / len(TARGETS)
    started = time.monotonic()
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        done = list(pool.map(fuzz, TARGETS, repeat(per_target), repeat(SEED)))
    counts = ", ".join(f"{run.target} {run.cases:,}" for run in done)
    findings = sum(len(run.findings) for run in done)
    summary = (
        f"fuzz (seed {SEED}): {sum(run.cases for run in done):,} cases in "
        f"{time.monotonic() - started:.0f} s on {workers} core(s), {findings} finding(s): {counts}"
    )
    capture = request.config.pluginmanager.getplugin("capturemanager")
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    if reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(summary)
    return {run.target: run for run in done}


def test_every_corpus_folder_is_a_target() -> None:
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert folders == set(TARGETS)
    assert all(corpus(target) for target in TARGETS)


@pytest.mark.parametrize("target", TARGETS)
def test_target_survives_fuzzing(
    target: str, runs: dict[str, FuzzRun], record_property: pytest.RecordProperty
) -> None:
    run = runs[target]
    record_property("fuzz_cases", run.cases)
    assert run.cases > len(corpus(target)), "no mutant was run"
    assert not run.findings, "\n\n".join(run.findings.values())
