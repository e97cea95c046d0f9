"""Where the time of one report goes: each stage of ``evtdiag report --format json``,
timed in one process.

    python bench/stages.py LOG... [--jobs N]

The stages are those the CLI wires (read, extract, diagnose, build the JSON document,
write it); the cycle collector is set as the CLI sets it. The JSON goes to /dev/null.
After the times: this process's resident memory after each stage, and its peak.
Use it on the bench's inputs (``bench/out/dense-templated.evtx`` ...) to see which
stage a change speeds up; one run, so compare runs made one after the other.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import time
from collections.abc import Callable
from typing import Any

from evtdiag.cli import cycle_collection_paused, tune_cycle_collector
from evtdiag.diagnose import diagnose
from evtdiag.logs import ProviderMatcher, discover, read_files
from evtdiag.psync import Catalogue, extract
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
    thresholds = gc.get_threshold()
    tune_cycle_collector()
    try:
        times: dict[str, tuple[float, int]] = {}
        read = timed(
            "read",
            lambda: read_files(discover(args.logs), ProviderMatcher(), jobs=args.jobs),
            times,
        )
        events = timed("extract", lambda: extract(read.events, Catalogue()), times)
        with cycle_collection_paused():
            found = timed("diagnose", lambda: diagnose(events, read.inputs, None, None), times)
            document = timed("document", lambda: report_document(found, run={}), times)
            with open(os.devnull, "w", encoding="utf-8") as sink:
                timed("write", lambda: sink.writelines(document_parts(document)), times)
        print(
            f"{len(events):,} PSync events, {len(found.problems):,} problems; "
            + ", ".join(f"{label} {seconds:.2f} s" for label, (seconds, _) in times.items())
            + f"; total {sum(seconds for seconds, _ in times.values()):.2f} s (--jobs {args.jobs})"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(
            "resident MB after "
            + ", ".join(f"{label} {mb:,}" for label, (_, mb) in times.items())
            + f"; peak {peak:,} (this process; reader workers not counted)"
        )
    finally:
        gc.set_threshold(*thresholds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
