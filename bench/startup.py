"""Start-up and template-cache figures the README quotes, as fresh processes.

    python bench/startup.py [--runs N]

Times, as the median of N fresh processes each (default 9): a bare interpreter,
``evtdiag --version``, ``import evtdiag.cli``, that and the reader, that and the stages
``report --format json`` imports after reading, and rendering the demo report's HTML from
its JSON with an empty template cache (cold), a filled one (warm) and none usable. The
machine line and its warning come first (``run.machine``): compare figures of one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import compile_evtdiag, machine

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_logs"
RENDER = (
    "import json, sys, time\n"
    "from evtdiag.render.html.page import render_html\n"
    "from evtdiag.render.timefmt import TimeFormatter\n"
    "document = json.loads(open(sys.argv[1], encoding='utf-8').read())\n"
    "started = time.perf_counter()\n"
    "render_html(document, TimeFormatter('UTC'))\n"
    "print(time.perf_counter() - started)\n"
)


READER = "evtdiag.logs"
REPORT_STAGES = "evtdiag.psync, evtdiag.hosts, evtdiag.diagnose, evtdiag.render.json_report"
"""What ``report --format json`` imports after reading."""


def wall(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Median wall seconds of ``command`` as a fresh process."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def render_seconds(document: Path, runs: int, cache: str, fresh: bool) -> float:
    """Median seconds of ``render_html`` alone in fresh processes, the cache folder at
    ``cache`` (emptied before each run when ``fresh``)."""
    times = []
    for _ in range(runs):
        if fresh:
            for entry in Path(cache).glob("evtdiag/*"):
                entry.unlink()
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        out = subprocess.run([sys.executable, "-c", RENDER, str(document)], check=True,
                             capture_output=True, text=True, env=env).stdout  # fmt: skip
        times.append(float(out))
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args(argv).runs
    line, busy = machine(os.getloadavg()[0], os.cpu_count() or 1)
    print(line)
    if busy:
        print(busy)
    compile_evtdiag()
    python = sys.executable
    bare = wall([python, "-c", "pass"], runs)
    version = wall([python, "-m", "evtdiag", "--version"], runs)
    imports = wall([python, "-c", "import evtdiag.cli"], runs)
    reader = wall([python, "-c", f"import evtdiag.cli, {READER}"], runs)
    report = wall([python, "-c", f"import evtdiag.cli, {READER}, {REPORT_STAGES}"], runs)
    print(f"bare python {bare:.3f} s, evtdiag --version {version:.3f} s, "
          f"import evtdiag.cli {imports:.3f} s, and the reader {reader:.3f} s, "
          f"and the report's later stages {report:.3f} s (medians of {runs})")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        document = Path(folder) / "demo.json"
        subprocess.run([python, "-m", "evtdiag", "report", *map(str, sorted(SAMPLE.glob("*.evtx"))),
                        "--hosts", str(SAMPLE / "hosts"), "--windows", str(SAMPLE / "windows"),
                        "--format", "json", "-q", "-o", str(document)], check=False)  # fmt: skip
        cache = Path(folder) / "cache"
        cache.mkdir()
        cold = render_seconds(document, runs, str(cache), fresh=True)
        warm = render_seconds(document, runs, str(cache), fresh=False)
        unusable = Path(folder) / "not-a-folder"
        unusable.write_text("")
        none = render_seconds(document, runs, str(unusable), fresh=False)
    print(f"render_html of the demo: cold cache {cold:.3f} s, warm {warm:.3f} s "
          f"({cold / warm:.1f}x), no usable cache {none:.3f} s (medians of {runs})")  # fmt: skip
    if busy:
        print(busy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
