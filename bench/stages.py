"""Where the time of one report goes: each stage of ``evtdiag report --format json``,
timed in one process.

    python bench/stages.py LOG... [--jobs N]

The stages are those the engine wires (``evtdiag.pipeline``: read and extract, diagnose,
build the JSON document) and the write; the cycle collector is set as the engine sets
it. The JSON goes to /dev/null.
After the times: this process's resident memory after each stage, and its peak;
``--json`` prints both as one JSON line instead (:class:`Stages`, read back by
``bench/run.py --scale`` to name the stage that costs a missed target). Successes are
inferred as the report infers them.
Use it on the bench's inputs (``bench/out/dense-templated.evtx`` ...) to see which
stage a change speeds up; one run, so compare runs made one after the other.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from evtdiag.diagnose import diagnose
from evtdiag.pipeline import LogRequest, cycle_collection_paused, read_logs
from evtdiag.render.json_report import document_parts, report_document


@dataclass(frozen=True)
class Stage:
    seconds: float
    resident_mb: int
    """This process's resident memory after the stage."""
    peak_mb: int
    """This process's peak resident memory so far (the stage's own peak included)."""


@dataclass
class Stages:
    """One report's stages, in order, and what it found."""

    events: int = 0
    problems: int = 0
    jobs: int | None = None
    stages: dict[str, Stage] = field(default_factory=dict)

    def timed(self, label: str, step: Callable[[], Any]) -> Any:
        """Run one stage; record its seconds and the memory after it."""
        started = time.perf_counter()
        result = step()
        self.stages[label] = Stage(time.perf_counter() - started, _resident_mb(), _peak_mb())
        return result

    def slowest(self) -> tuple[str, Stage]:
        return max(self.stages.items(), key=lambda item: item[1].seconds)

    def hungriest(self) -> tuple[str, int]:
        """The stage that raised the peak resident memory most, and by how many MB (the
        first stage counts from the interpreter's start, imports included)."""
        raised: dict[str, int] = {}
        before = 0
        for label, stage in self.stages.items():
            raised[label] = stage.peak_mb - before
            before = stage.peak_mb
        label = max(raised, key=raised.__getitem__)
        return label, raised[label]

    def lines(self) -> list[str]:
        """The times, then the memory, as people read them."""
        total = sum(stage.seconds for stage in self.stages.values())
        return [
            f"{self.events:,} PSync events, {self.problems:,} problems; "
            + ", ".join(f"{label} {stage.seconds:.2f} s" for label, stage in self.stages.items())
            + f"; total {total:.2f} s (--jobs {self.jobs})",
            "resident MB after "
            + ", ".join(f"{label} {stage.resident_mb:,}" for label, stage in self.stages.items())
            + f"; peak {_peak_mb():,} (this process; reader workers not counted)",
        ]

    def as_json(self) -> str:
        """One line for another program (``bench/run.py --scale``) to read back."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Stages:
        data = json.loads(text)
        stages = {label: Stage(**stage) for label, stage in data.pop("stages").items()}
        return cls(**data, stages=stages)


def _resident_mb() -> int:
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return kb // 1024


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def measure(logs: list[str], jobs: int | None) -> Stages:
    """Every stage of one report over ``logs``, successes inferred as the report does."""
    stages = Stages(jobs=jobs)
    read = stages.timed("read and extract", lambda: read_logs(LogRequest(tuple(logs), jobs=jobs)))
    with cycle_collection_paused():
        found = stages.timed(
            "diagnose",
            lambda: diagnose(read.events, read.result.inputs, None, None, successes=read.successes),
        )
        document = stages.timed("document", lambda: report_document(found, run={}))
        with open(os.devnull, "w", encoding="utf-8") as sink:
            stages.timed("write", lambda: sink.writelines(document_parts(document)))
    stages.events, stages.problems = len(read.events), len(found.problems)
    return stages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("logs", nargs="+")
    parser.add_argument("--jobs", type=int, default=None, help="reader processes (auto)")
    parser.add_argument("--json", action="store_true", help="one JSON line instead")
    args = parser.parse_args(argv)
    stages = measure(args.logs, args.jobs)
    print(stages.as_json() if args.json else "\n".join(stages.lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
