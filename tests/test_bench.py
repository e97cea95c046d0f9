"""Smoke test of the benchmark's input builders (the benchmark itself is not run here):
stitched files are valid logs in which the reader finds exactly the records expected."""

from __future__ import annotations

import importlib.util
import platform
import sys
from pathlib import Path

import pytest

from evtdiag.logs import ProviderMatcher
from evtdiag.logs.evtx.layout import read_file_header
from tests.conftest import CORPUS, REPO, needs_corpus
from tests.logs.reading import read_logs


def _build_module():
    spec = importlib.util.spec_from_file_location("bench_build", REPO / "bench" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@needs_corpus
def test_bench_inputs_are_valid_logs(tmp_path: Path) -> None:
    build = _build_module()
    inputs = build.build_all(
        tmp_path, sparse_mb=(3,), dense_records=300, files=2, file_mb=1, corpus=CORPUS
    )
    assert set(inputs) == {"corpus, largest file", "corpus, all chunks", "sparse 3 MiB",
                           "dense, templates", "dense, template-less", "many files"}  # fmt: skip
    (largest,) = inputs["corpus, largest file"]
    assert largest.path.parent.is_relative_to(CORPUS)  # measured where it lies, unchanged
    (every,) = inputs["corpus, all chunks"]
    assert every.records > 30_000
    for built in (b for group in inputs.values() for b in group if b is not largest):
        head = built.path.read_bytes()[:4096]
        header = read_file_header(head)
        assert header.valid and not header.dirty
        assert header.chunk_count == (built.size - 4096) // 65536
        for jobs in (1, 2):
            result = read_logs([str(built.path)], ProviderMatcher(), jobs=jobs)
            coverage = result.inputs[0]
            assert (coverage.records, coverage.psync_events) == (
                built.records,
                built.psync_events,
            ), built.path
            assert coverage.skipped == ()
    assert inputs["sparse 3 MiB"][0].psync_events == 300
    # A second build reuses the files.
    again = build.build_all(
        tmp_path, sparse_mb=(3,), dense_records=300, files=2, file_mb=1, corpus=CORPUS
    )
    assert again == inputs


def test_bench_says_clearly_when_the_corpus_is_missing(tmp_path: Path) -> None:
    build = _build_module()
    try:
        build.corpus_chunks(tmp_path / "nowhere")
    except build.CorpusMissing as error:
        assert "shared/evtx-samples" in str(error)
    else:
        raise AssertionError("no error")


@pytest.mark.parametrize(("load", "busy"), [(0.9, False), (1.1, True)])
def test_bench_names_its_machine_and_warns_when_it_was_busy(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], load: float, busy: bool
) -> None:
    """Two cores: busy above a load average of 1.0. The line comes first, before the
    inputs are built (here they cannot be: no corpus)."""
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    assert spec and spec.loader
    run = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, run)  # dataclasses look their module up there
    spec.loader.exec_module(run)

    def no_corpus(*args: object, **kwargs: object) -> None:
        raise run.build.CorpusMissing("no corpus here")

    monkeypatch.setattr(run.build, "build_all", no_corpus)
    monkeypatch.setattr(run.os, "getloadavg", lambda: (load, 0.0, 0.0))
    monkeypatch.setattr(run.os, "cpu_count", lambda: 2)
    assert run.main([]) == 2
    lines = capsys.readouterr().out.splitlines()
    python = platform.python_version()
    assert lines[0] == f"machine: 2 cores, Python {python}, load average {load:.2f} at start"
    assert lines[1:] == (
        ["WARNING: the machine was busy at start (load average over 0.5 per core): the times "
         "of this run are noise, not a result; run again on a quiet machine"] if busy else []
    )  # fmt: skip


def _bench_module(name: str, monkeypatch: pytest.MonkeyPatch):
    """bench/NAME.py, loaded as ``bench_NAME`` (registered: dataclasses look their module
    up in sys.modules)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_stage_timing_script_runs_every_stage_on_a_log(capsys, monkeypatch) -> None:
    stages = _bench_module("stages", monkeypatch)
    log = REPO / "sample_logs" / "DC01-Application.evtx"
    assert stages.main([str(log), "--jobs", "1"]) == 0
    line = capsys.readouterr().out
    assert line.startswith("284 PSync events")
    for stage in ("read", "extract", "diagnose", "document", "write", "total"):
        assert f"{stage} " in line


def test_stage_script_gives_its_stages_as_json_for_the_scale_bench(capsys, monkeypatch) -> None:
    """The demo's successes are inferred (as the report infers them), so its problems are
    the report's; the memory of each stage comes back with its time."""
    stages = _bench_module("stages", monkeypatch)
    log = REPO / "sample_logs" / "DC01-Application.evtx"
    assert stages.main([str(log), "--jobs", "1", "--json"]) == 0
    found = stages.Stages.from_json(capsys.readouterr().out)
    assert (found.events, found.jobs) == (284, 1)
    assert list(found.stages) == ["read and extract", "diagnose", "document", "write"]
    peaks = [stage.peak_mb for stage in found.stages.values()]
    assert peaks == sorted(peaks) and peaks[0] > 10  # a peak never falls; Python alone > 10
    assert all(0 < s.resident_mb <= s.peak_mb for s in found.stages.values())
    label, raised = found.hungriest()
    rises = [b - a for a, b in zip([0, *peaks], peaks, strict=False)]
    assert raised == rises[list(found.stages).index(label)] == max(rises)
    assert found.slowest()[1].seconds == max(s.seconds for s in found.stages.values())


def test_startup_bench_prints_its_machine_and_each_figure(capsys) -> None:
    spec = importlib.util.spec_from_file_location("bench_startup", REPO / "bench" / "startup.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--runs", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("machine: ")
    assert any(line.startswith("bare python ") and "evtdiag --version" in line for line in lines)
    assert any(line.startswith("render_html of the demo: cold cache ") for line in lines)
