"""Where the time of one report goes: each stage of ``evtdiag report --format json``,
timed in one process.

    python bench/stages.py LOG... [--jobs N]

The stages are those the engine wires (``evtdiag.pipeline``: read and extract, diagnose,
build the JSON document) and the write; the cycle collector is set as the engine sets
it. The JSON goes to /dev/null.
After the times: this process's resident memory after each stage, and its peak.
Use it on the bench's inputs (``bench/out/dense-templated.evtx`` ...) to see which
stage a change speeds up; one run, so compare runs made one after the other.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable
from typing import Any

from evtdiag.diagnose import diagnose
from evtdiag.pipeline import LogRequest, cycle_collection_paused, read_logs
from evtdiag.render.json_report import document_parts, report_document


def timed(label: str, step: Callable[[], Any], stages: dict[str, tuple[float, int]]) -> Any:
    """Run one stage; record its seconds and the resident MB after it."""
    started = time.perf_counter()
    result = step()
    stages[label] = (time.perf_counter() - started, _resident_mb())
    return result


def _resident_mb() -> int:
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return kb // 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("logs", nargs="+")
    parser.add_argument("--jobs", type=int, default=None, help="reader processes (auto)")
    args = parser.parse_args(argv)
    times: dict[str, tuple[float, int]] = {}
    request = LogRequest(tuple(args.logs), jobs=args.jobs, infer_successes=False)
    read = timed("read and extract", lambda: read_logs(request), times)
    with cycle_collection_paused():
        found = timed(
            "diagnose", lambda: diagnose(read.events, read.result.inputs, None, None), times
        )
        document = timed("document", lambda: report_document(found, run={}), times)
        with open(os.devnull, "w", encoding="utf-8") as sink:
            timed("write", lambda: sink.writelines(document_parts(document)), times)
    print(
        f"{len(read.events):,} PSync events, {len(found.problems):,} problems; "
        + ", ".join(f"{label} {seconds:.2f} s" for label, (seconds, _) in times.items())
        + f"; total {sum(seconds for seconds, _ in times.values()):.2f} s (--jobs {args.jobs})"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        "resident MB after "
        + ", ".join(f"{label} {mb:,}" for label, (_, mb) in times.items())
        + f"; peak {peak:,} (this process; reader workers not counted)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
