"""Smoke test of the benchmark's input builders (the benchmark itself is not run here):
stitched files are valid logs in which the reader finds exactly the records expected."""

from __future__ import annotations

import importlib.util
import platform
import sys
from collections import Counter
from pathlib import Path

import pytest

from evtdiag.logs import ProviderMatcher
from evtdiag.logs.evtx.layout import read_file_header
from tests.conftest import CORPUS, REPO, needs_corpus
from tests.logs.reading import read_logs
from tests.support.dense import bench_build


@needs_corpus
def test_bench_inputs_are_valid_logs(tmp_path: Path) -> None:
    build = bench_build()
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
    build = bench_build()
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
    up in sys.modules); bench/ on the path, where its modules import each other."""
    monkeypatch.syspath_prepend(str(REPO / "bench"))
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


def test_scale_inputs_are_valid_logs_of_the_shape_asked(tmp_path: Path, monkeypatch) -> None:
    """Dense: only failures; realistic: a site's successes (the id evtdiag infers) and
    failures of every planted kind from three DCs; each with its first half, the same
    events cut in two. Built again, they are reused."""
    build = _bench_module("build", monkeypatch)
    inputs = build.build_scale(tmp_path, events=(20_000,))
    assert [(i.label, i.events) for i in inputs] == [
        ("dense 20,000", 20_000),
        ("realistic 20,000", 20_000),
    ]
    events = {}
    for scale_input in inputs:
        whole = read_logs([str(scale_input.whole.path)], ProviderMatcher(), jobs=1)
        half = read_logs([str(scale_input.first_half.path)], ProviderMatcher(), jobs=1)
        assert whole.inputs[0].psync_events == scale_input.whole.psync_events == 20_000
        assert half.inputs[0].psync_events == scale_input.first_half.psync_events == 10_000
        assert whole.inputs[0].skipped == half.inputs[0].skipped == ()
        fields = [(e.event_id, e.time_created, e.computer, e.data) for e in whole.events]
        assert fields[:10_000] == [
            (e.event_id, e.time_created, e.computer, e.data) for e in half.events
        ]
        assert [t for _, t, _, _ in fields] == sorted(t for _, t, _, _ in fields)
        events[scale_input.shape] = whole.events
    assert {e.event_id for e in events["dense"]} <= {12294, 12289, 12290, 8200}  # failures
    realistic = events["realistic"]
    ids = Counter(e.event_id for e in realistic)
    # Mostly successes: 98 % at 200,000 events; the few hundred problems weigh more here.
    assert ids.most_common(1)[0][0] == 12291 and ids[12291] / len(realistic) > 0.8
    assert {12294, 8204, 8203, 8200, 12289, 12290} <= set(ids)
    assert len({e.computer for e in realistic}) == 3
    assert all(e.level == 4 and len(e.data) == 2 for e in realistic if e.event_id == 12291)
    assert build.build_scale(tmp_path, events=(20_000,)) == inputs


def _figures(scale, build, shape: str, events: int, **figures):
    """A scale input's figures, made up, as scale.Figures holds them."""
    run = scale.Run
    defaults = {
        "report": run(10.0, 200.0, "", 10.0),
        "rust": run(1.0, 20.0, "", 1.0),
        "json_bytes": 4_000_000,
        "html_bytes": 2_000_000,
        "text_bytes": 150_000,
        "compare": run(0.5, 80.0, "", 0.5),
        "redact_seconds": 11.0,
        "json_shares": {"problems": 0.7, "events": 0.2, "counts": 0.1},
    }
    log = build.Built(Path(f"{shape}-{events}.evtx"), events, events)
    return scale.Figures(build.ScaleInput(shape, events, log, log), **{**defaults, **figures})


def test_scale_targets_are_met_or_missed_by_the_figures_and_name_what_costs_them(
    monkeypatch,
) -> None:
    scale = _bench_module("scale", monkeypatch)
    build = sys.modules["build"]
    stages = sys.modules["stages"]
    costly = stages.Stages(200_000, 900, 2, {
        "read and extract": stages.Stage(14.0, 700, 710),
        "diagnose": stages.Stage(3.0, 800, 900),
        "document": stages.Stage(1.0, 820, 905),
    })  # fmt: skip
    dense = _figures(scale, build, "dense", 200_000, report=scale.Run(43.0, 600.0, "", 43.0))
    dense.stages = costly  # as stages.py --json would find them
    realistic = _figures(scale, build, "realistic", 200_000)
    flat = _figures(scale, build, "realistic", 1_000_000, report=scale.Run(50, 250.0, "", 50))
    steep = _figures(scale, build, "dense", 1_000_000, report=scale.Run(90, 1_800.0, "", 90),
                     json_bytes=6_000_000, redact_seconds=120.0)  # fmt: skip
    steep.stages = costly
    rows = {row["target"]: row for c in scale.checks([dense, realistic, flat, steep], jobs=2)
            for row in [c.row()]}  # fmt: skip
    missed = {target: row["costs it"] for target, row in rows.items() if row["result"] != "met"}
    assert missed == {
        "dense 200,000: report ÷ Rust full read ≤ 10x": "read and extract 14.0 s of 18.0 s "
        "(stages.py)",
        "dense 200,000: peak RSS ≤ 250 MB": "read and extract +710 MB peak (stages.py)",
        "dense 1,000,000: report ÷ Rust full read ≤ 10x": "read and extract 14.0 s of 18.0 s "
        "(stages.py)",
        "dense 1,000,000: peak RSS ÷ at 200,000 ≤ 1.3x": "read and extract +710 MB peak "
        "(stages.py)",
        "dense 1,000,000: JSON report ≤ 5 MB": "'problems': 70.0% of it",
        "dense 1,000,000: --redact over the report ≤ 20 %": "-",
    }
    # Five times the events: against the same shape's peak at 200,000 (1,800 ÷ 600).
    assert rows["dense 1,000,000: peak RSS ÷ at 200,000 ≤ 1.3x"]["measured"] == "3.00x"
    assert rows["realistic 1,000,000: peak RSS ÷ at 200,000 ≤ 1.3x"]["result"] == "met"
    assert rows["realistic 200,000: compare time ≤ 1 s"]["result"] == "met"
    assert len(rows) == 4 * 7 + 2  # seven targets per input, the Rust ratio for dense ones


def test_scale_section_measures_each_input_and_checks_each_target(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """``run.py --scale`` end to end on a small input: its figures, then the targets; the
    old table is not run (it would need the corpus)."""
    run = _bench_module("run", monkeypatch)
    monkeypatch.setattr(run.build, "build_all", None)  # calling it would fail the test
    argv = ["--scale", "--scale-events", "1000", "--scale-shapes", "realistic", "--repeat", "1",
            "--out", str(tmp_path)]  # fmt: skip
    assert run.main(argv) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("|")]
    (figures,) = [line for line in lines if line.split("|")[1].strip() == "realistic 1,000"]
    cells = [cell.strip() for cell in figures.split("|")[2:-1]]
    assert len(cells) == 12 and "-" not in cells  # the Rust parser's figures too
    targets = [line for line in lines if line.split("|")[1].strip().startswith("realistic 1,000:")]
    assert len(targets) == 7  # no Rust ratio target: not dense
    assert all(" met " in line or " MISSED " in line for line in targets)
    assert any("HTML report ≤ 3 MB" in line and " met " in line for line in targets)
