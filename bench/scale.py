"""The scale section of the bench (issue 24): what a report of hundreds of thousands of
PSync events costs, and each target of the issue met or missed.

    python bench/run.py --scale [--scale-events N...] [--scale-shapes SHAPE...] [--jobs N]

For each scale input (``build.build_scale``: dense and realistic, at each number of
events), in fresh subprocesses: ``evtdiag report --format json`` (time, best of
``--repeat``, and the peak RSS of its process tree: ``run.measure``), the Rust parser's
full read of the same file and the ratio; the sizes of the JSON, HTML and text reports;
``evtdiag compare`` of the report of the input's first half with the report of all of it
(time and peak RSS); and the time of the same JSON report with ``--redact``. Then the
issue's targets (:data:`TARGETS`), each met or missed with its figure; a missed time or
memory target names the stage that costs it, from ``bench/stages.py --json`` run on that
input, and a missed JSON size the member that fills the document most.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import build
from run import Run, _run, measure, rust, table
from stages import Stages

BENCH = Path(__file__).resolve().parent
MB = 1_000_000
KB = 1_000
"""Output sizes are decimal, as attachment limits are."""


@dataclass(frozen=True)
class Targets:
    """The targets of issue 24 (Scale), each a limit this run is checked against."""

    dense_times_rust: float = 10.0
    """A dense report's time ÷ the Rust parser's full read of the same file."""
    rss_mb: float = 250.0
    rss_events: int = 200_000
    """Peak RSS limit at this many events..."""
    rss_growth: float = 1.3
    """...and at more events, at most this many times the peak at :attr:`rss_events`
    (or than :attr:`rss_mb` when that size was not measured): memory flat in events."""
    json_mb: float = 5.0
    html_mb: float = 3.0
    text_kb: float = 200.0
    compare_seconds: float = 1.0
    compare_mb: float = 100.0
    redact_percent: float = 20.0


TARGETS = Targets()

JSON_SHARES = """
import json, sys
document = json.load(open(sys.argv[1], encoding="utf-8"))
total = len(json.dumps(document))
print(json.dumps({key: len(json.dumps(value)) / total for key, value in document.items()}))
"""
"""Each top-level member's share of a JSON report (in a child: the document can be
gigabytes in memory)."""


@dataclass
class Figures:
    """What one scale input cost."""

    input: build.ScaleInput
    report: Run
    rust: Run | None
    json_bytes: int
    html_bytes: int
    text_bytes: int
    compare: Run
    redact_seconds: float
    json_shares: dict[str, float]
    stages: Stages | None = None

    @property
    def redact_percent(self) -> float:
        return (self.redact_seconds / self.report.seconds - 1) * 100

    @property
    def times_rust(self) -> float | None:
        return self.report.seconds / self.rust.seconds if self.rust else None

    def row(self) -> dict[str, str]:
        size_mb = self.input.whole.size / 1e6
        return {
            "input": self.input.label,
            "MB": f"{size_mb:,.0f}",
            "report s": f"{self.report.seconds:.2f}",
            "RSS MB": f"{self.report.rss_mb:,.0f}",
            "Rust s": f"{self.rust.seconds:.2f}" if self.rust else "-",
            "÷Rust": f"{self.times_rust:.1f}" if self.times_rust else "-",
            "JSON MB": f"{self.json_bytes / MB:,.2f}",
            "HTML MB": f"{self.html_bytes / MB:,.2f}",
            "text KB": f"{self.text_bytes / KB:,.0f}",
            "compare s": f"{self.compare.seconds:.2f}",
            "compare MB": f"{self.compare.rss_mb:,.0f}",
            "--redact s": f"{self.redact_seconds:.2f}",
            "redact +%": f"{self.redact_percent:+.0f}",
        }


def evtdiag(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "evtdiag", *arguments]


def report(log: Path, out: Path, jobs: int, *extra: str) -> list[str]:
    fmt = {".json": "json", ".html": "html", ".txt": "text"}[out.suffix]
    return evtdiag("report", "--format", fmt, "-q", "--force", "--jobs", str(jobs),
                   *extra, "-o", str(out), str(log))  # fmt: skip


def best_seconds(command: list[str], repeat: int) -> float:
    """The best wall time of ``repeat`` runs of ``command``."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        _run(command)
        best = min(best, time.perf_counter() - started)
    return best


def figures(scale_input: build.ScaleInput, jobs: int, repeat: int, work: Path) -> Figures:
    """Every figure of one input, each from fresh subprocesses."""
    log = scale_input.whole.path
    after, before = work / "report.json", work / "first-half.json"
    print(f"... {scale_input.label}: {scale_input.whole.size / 1e6:,.0f} MB", file=sys.stderr)
    plain = measure(report(log, after, jobs), repeat)
    theirs = rust([log])
    _run(report(log, work / "report.html", jobs))
    _run(report(log, work / "report.txt", jobs))
    redact = best_seconds(report(log, work / "redacted.json", jobs, "--redact"), repeat)
    _run(report(scale_input.first_half.path, before, jobs))
    compared = measure(evtdiag("compare", str(before), str(after)), repeat)
    shares = json.loads(_run([sys.executable, "-c", JSON_SHARES, str(after)]))
    found = Figures(
        scale_input,
        plain,
        theirs,
        after.stat().st_size,
        (work / "report.html").stat().st_size,
        (work / "report.txt").stat().st_size,
        compared,
        redact,
        shares,
    )
    print(f"... {found.row()}", file=sys.stderr, flush=True)  # kept if a later input fails
    return found


def stages(log: Path, jobs: int) -> Stages:
    """``bench/stages.py --json`` on one log, in a fresh process."""
    line = subprocess.run(
        [sys.executable, str(BENCH / "stages.py"), "--json", "--jobs", str(jobs), str(log)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return Stages.from_json(line)


@dataclass(frozen=True)
class Check:
    """One target checked against one figure."""

    name: str
    value: float
    unit: str
    limit: float
    cost: Callable[[], str] | None = None
    """What costs it (a stage of the report, the JSON's largest member), asked only when
    the target is missed: a stage costs one more report."""

    @property
    def met(self) -> bool:
        return self.value <= self.limit

    def row(self) -> dict[str, str]:
        return {
            "target": f"{self.name} ≤ {self.limit:,g}{self.unit}",
            "measured": f"{self.value:,.2f}{self.unit}",
            "result": "met" if self.met else "MISSED",
            "costs it": self.cost() if self.cost and not self.met else "-",
        }


def checks(all_figures: list[Figures], jobs: int, targets: Targets = TARGETS) -> list[Check]:
    """Each target against the figures of this run (inputs not built are left out)."""
    found: list[Check] = []
    for f in all_figures:
        label = f.input.label
        if f.input.shape == "dense" and f.times_rust is not None:
            found.append(Check(f"{label}: report ÷ Rust full read", f.times_rust, "x",
                               targets.dense_times_rust, partial(_slowest, f, jobs)))  # fmt: skip
        found.append(_rss_check(f, all_figures, targets, jobs))
        json_cost = partial(_largest_member, f.json_shares)
        found += [
            Check(f"{label}: JSON report", f.json_bytes / MB, " MB", targets.json_mb, json_cost),
            Check(f"{label}: HTML report", f.html_bytes / MB, " MB", targets.html_mb),
            Check(f"{label}: text report", f.text_bytes / KB, " KB", targets.text_kb),
            Check(f"{label}: compare time", f.compare.seconds, " s", targets.compare_seconds),
            Check(f"{label}: compare peak RSS", f.compare.rss_mb, " MB", targets.compare_mb),
            Check(f"{label}: --redact over the report", f.redact_percent, " %",
                  targets.redact_percent),
        ]  # fmt: skip
    return found


def _rss_check(f: Figures, all_figures: list[Figures], targets: Targets, jobs: int) -> Check:
    label = f.input.label
    cost = partial(_hungriest, f, jobs)
    if f.input.events <= targets.rss_events:
        return Check(f"{label}: peak RSS", f.report.rss_mb, " MB", targets.rss_mb, cost)
    reference = next(
        (
            g
            for g in all_figures
            if g.input.shape == f.input.shape and g.input.events == targets.rss_events
        ),
        None,
    )
    if reference is None:
        limit = targets.rss_mb * targets.rss_growth
        return Check(f"{label}: peak RSS", f.report.rss_mb, " MB", limit, cost)
    ratio = f.report.rss_mb / reference.report.rss_mb
    return Check(f"{label}: peak RSS ÷ at {targets.rss_events:,}", ratio, "x",
                 targets.rss_growth, cost)  # fmt: skip


def _stages_of(f: Figures, jobs: int) -> Stages:
    if f.stages is None:
        f.stages = stages(f.input.whole.path, jobs)
    return f.stages


def _slowest(f: Figures, jobs: int) -> str:
    found = _stages_of(f, jobs)
    label, stage = found.slowest()
    total = sum(s.seconds for s in found.stages.values())
    return f"{label} {stage.seconds:.1f} s of {total:.1f} s (stages.py)"


def _hungriest(f: Figures, jobs: int) -> str:
    label, raised = _stages_of(f, jobs).hungriest()
    return f"{label} +{raised:,} MB peak (stages.py)"


def _largest_member(shares: dict[str, float]) -> str:
    key = max(shares, key=shares.__getitem__)
    return f"'{key}': {shares[key]:.1%} of it"


def section(
    events: list[int], shapes: list[str], jobs: int, repeat: int, out: Path
) -> tuple[str, str]:
    """The scale table and the targets table."""
    inputs = build.build_scale(out, events, shapes)
    with tempfile.TemporaryDirectory(prefix="evtdiag-scale-") as work:
        measured = [figures(i, jobs, repeat, Path(work)) for i in inputs]
    return table([f.row() for f in measured]), table([c.row() for c in checks(measured, jobs)])
