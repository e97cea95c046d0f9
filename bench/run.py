"""Benchmark evtdiag against the physical limit and other parsers; prints one table.

    python bench/run.py [--sizes MB...] [--jobs N] [--dense-records N] [--files N]

Inputs are built deterministically into bench/out/ (see build.py) and reused while
their parameters do not change. Every timing is the wall time of a fresh subprocess
(interpreter start included, evtdiag's bytecode compiled first as an install does:
:func:`compile_evtdiag`), best of ``--repeat`` runs; peak RSS is sampled every
10 ms from /proc over the whole process tree in one more run, not timed (workers
included; pages shared after fork are counted once per process, so this overstates).
python-evtx is too slow to run on everything: it renders a sample of records, one
64 KiB chunk buffer at a time, and its time is extrapolated (marked ``~``). The first
line names the machine (cores, Python, load average at start); a warning follows it,
and the table, when the machine was busy. Notes under the table give the chunk
prefilter's speed against ``mmap.find`` of the provider name over the largest sparse
input (``prefilter.py``), that input with one job, and the many files with one job;
then each target of the speed issue, met or missed, from the figures of this run
(:func:`targets`; start-up is measured by ``startup.py``).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build
import prefilter

EVTDIAG = ["report", "--format", "json", "-q"]
"""The measured command: the whole diagnosis, JSON to standard output (discarded)."""
BUSY_LOAD_PER_CORE = 0.5
"""A load average above this per core means other work competed with the bench for the
cores: the times, and the ratios between them, are then noise rather than a result."""
PROVIDER = "Microsoft-Windows-IDMU-PSync"

RAW_SCAN = """
import mmap, sys
needle = sys.argv[1].encode("utf-16-le")
hits = 0
for name in sys.argv[2:]:
    with open(name, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        pos = m.find(needle)
        while pos != -1:
            hits += 1
            pos = m.find(needle, pos + 1)
print(hits)
"""

RUST = """
import sys
from evtx import PyEvtxParser
count = errors = 0
for name in sys.argv[1:]:
    for record in PyEvtxParser(name).records():
        if isinstance(record, dict) and "data" in record:
            count += 1
        else:
            errors += 1
print(count, errors)
"""


@dataclass
class Run:
    seconds: float
    rss_mb: float
    stdout: str
    cpu: float
    """CPU seconds (user and system) of the process tree in the fastest run."""


def _tree_rss_kb(root: int) -> int:
    """Sum of VmRSS over ``root`` and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def measure(command: list[str], repeat: int = 1) -> Run:
    """Best wall time of ``repeat`` runs, then the peak RSS of the process tree in one
    more run: sampling /proc every 10 ms costs a good part of a core, which would slow
    a command that uses every core more than one that uses one."""
    best, cpu, out = float("inf"), 0.0, ""
    for _ in range(repeat):
        before = _children_cpu()
        started = time.perf_counter()
        out = _run(command)
        elapsed = time.perf_counter() - started
        if elapsed < best:
            best, cpu = elapsed, _children_cpu() - before
    peak = {"kb": 0}
    _run(command, lambda pid: peak.__setitem__("kb", max(peak["kb"], _tree_rss_kb(pid))))
    return Run(best, peak["kb"] / 1024, out, cpu)


def _children_cpu() -> float:
    """User and system seconds of every finished child process and its own waited-for
    children (a command's worker processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(command: list[str], sample: Callable[[int], None] | None = None) -> str:
    """Run ``command`` to its end (exit 0 or 1) calling ``sample(pid)`` every 10 ms
    meanwhile; the start of its standard output."""
    with tempfile.TemporaryFile() as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE)

        def sampling() -> None:
            while sample and process.poll() is None:
                sample(process.pid)
                time.sleep(0.01)

        sampler = threading.Thread(target=sampling)
        sampler.start()
        _, err = process.communicate()
        sampler.join()
        if process.returncode not in (0, 1):
            raise RuntimeError(f"{command[:4]} failed: {err.decode(errors='replace')[-500:]}")
        sink.seek(0)
        return sink.read(4000).decode(errors="replace")


def evtdiag(files: list[Path], jobs: int, repeat: int) -> Run:
    """The whole report."""
    return measure([sys.executable, "-m", "evtdiag", *EVTDIAG, "--jobs", str(jobs),
                    *map(str, files)], repeat)  # fmt: skip


def raw_scan(files: list[Path], repeat: int) -> Run:
    return measure([sys.executable, "-c", RAW_SCAN, PROVIDER, *map(str, files)], repeat)


def rust(files: list[Path]) -> Run | None:
    """The Rust ``evtx`` parser reading every record (the test extra installs it)."""
    try:
        import evtx  # noqa: F401
    except ImportError:
        return None
    return measure([sys.executable, "-c", RUST, *map(str, files)])


def python_evtx_rate(files: list[Path], sample: int) -> tuple[float, int]:
    """Records per second python-evtx renders to XML (failures included), over about
    ``sample`` records taken from chunks spread evenly over the input; and failures."""
    from Evtx.Evtx import ChunkHeader, Record

    chunks = []
    for path in files:
        size = path.stat().st_size
        count = (size - build.FILE_HEADER_SIZE) // build.CHUNK_SIZE
        chunks.extend((path, i) for i in range(count))
    step = max(1, len(chunks) // max(1, sample // 20))
    done = failed = 0
    started = time.perf_counter()
    for path, index in chunks[::step]:
        with path.open("rb") as handle:
            handle.seek(build.FILE_HEADER_SIZE + index * build.CHUNK_SIZE)
            buffer = handle.read(build.CHUNK_SIZE)
        header, offset = ChunkHeader(buffer, 0), 512
        for _ in range(20):
            magic, size = struct.unpack_from("<II", buffer, offset)
            if magic != 0x2A2A or size < 28 or offset + size > len(buffer):
                break
            try:
                Record(buffer, offset, header).xml()
            except Exception:  # python-evtx fails in many ways; a failure costs time too
                failed += 1
            offset += size
            done += 1
            if done >= sample:
                break
        if done >= sample:
            break
    return done / (time.perf_counter() - started), failed


def compile_evtdiag() -> None:
    """Compile evtdiag's modules to bytecode first, as installing the package does.

    An editable install run with ``PYTHONDONTWRITEBYTECODE`` set (as some sandboxes and
    containers do) never caches the bytecode of ``src/``: every process would compile
    every module it imports again, about 0.05 s that no installed evtdiag pays.
    """
    import compileall

    import evtdiag

    compileall.compile_dir(Path(evtdiag.__file__).parent, quiet=1)


def machine(load: float, cores: int) -> tuple[str, str | None]:
    """The line naming the machine the table is measured on, and a warning when it was
    busy (None when it was quiet).

    ``load`` is the 1-minute load average before the bench starts: once running, the
    bench keeps every core busy itself.
    """
    line = (
        f"machine: {cores} cores, Python {platform.python_version()}, "
        f"load average {load:.2f} at start"
    )
    if load <= BUSY_LOAD_PER_CORE * cores:
        return line, None
    return line, (
        f"WARNING: the machine was busy at start (load average over {BUSY_LOAD_PER_CORE} per "
        "core): the times of this run are noise, not a result; run again on a quiet machine"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=float, nargs="+", default=[256, 1024], help="sparse logs, MiB (256 1024)"
    )
    parser.add_argument("--jobs", type=int, default=None, help="evtdiag --jobs (all cores)")
    parser.add_argument("--dense-records", type=int, default=200_000)
    parser.add_argument("--files", type=int, default=50, help="many-files count (50)")
    parser.add_argument("--file-size", type=float, default=20, help="many-files MiB (20)")
    parser.add_argument("--sample", type=int, default=300, help="python-evtx sample records")
    parser.add_argument("--repeat", type=int, default=3, help="best of N for short runs")
    parser.add_argument("--out", type=Path, default=build.OUT)
    parser.add_argument(
        "--scale", action="store_true", help="the scale section instead (scale.py, issue 24)"
    )
    parser.add_argument("--scale-events", type=int, nargs="+", default=list(build.SCALE_EVENTS))
    parser.add_argument(
        "--scale-shapes", nargs="+", choices=build.SCALE_SHAPES, default=list(build.SCALE_SHAPES)
    )
    args = parser.parse_args(argv)
    jobs = args.jobs or len(os.sched_getaffinity(0))
    line, busy = machine(os.getloadavg()[0], os.cpu_count() or 1)
    print(line, flush=True)
    if busy:
        print(busy, flush=True)
    compile_evtdiag()
    if args.scale:
        return scale_section(args, jobs, busy)
    try:
        inputs = build.build_all(
            args.out, sparse_mb=args.sizes, dense_records=args.dense_records,
            files=args.files, file_mb=args.file_size,
        )  # fmt: skip
    except build.CorpusMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rows = []
    notes = []
    runs: dict[str, tuple[Run, Run]] = {}
    one_job: dict[str, Run] = {}
    largest_sparse = build.sparse_label(max(args.sizes))
    for label, built in inputs.items():
        files = [b.path for b in built]
        records = sum(b.records for b in built)
        size_mb = sum(b.size for b in built) / 1e6
        print(f"... {label}: {len(files)} file(s), {size_mb:,.0f} MB", file=sys.stderr)
        repeat = args.repeat if size_mb * 1 < 2000 and "dense" not in label else 1
        raw = raw_scan(files, args.repeat)
        py_rate, py_failed = python_evtx_rate(files, args.sample)
        theirs = rust(files)
        ours = evtdiag(files, jobs, repeat)
        runs[label] = (ours, raw)
        rows.append(
            {
                "input": label,
                "MB": f"{size_mb:,.0f}",
                "records": f"{records:,}",
                "evtdiag s": f"{ours.seconds:.2f}",
                "rec/s": f"{records / ours.seconds:,.0f}",
                "MB/s": f"{size_mb / ours.seconds:,.0f}",
                "RSS MB": f"{ours.rss_mb:,.0f}",
                "raw scan s": f"{raw.seconds:.2f}",
                "÷raw": f"{ours.seconds / raw.seconds:.2f}",
                "py-evtx s": f"~{records / py_rate:,.0f}" + ("*" if py_failed else ""),
                "x py-evtx": f"{records / py_rate / ours.seconds:,.0f}",
                "Rust s": f"{theirs.seconds:.2f}" if theirs else "-",
                "rate÷Rust": f"{theirs.seconds / ours.seconds:.2f}" if theirs else "-",
            }
        )
        if py_failed:
            notes.append(f"* {label}: python-evtx failed on {py_failed} of the sampled records")
        if label == largest_sparse:
            notes.append(prefilter.line(label, prefilter.measure(files[0])))
        if label in (largest_sparse, "many files"):
            one = one_job[label] = evtdiag(files, 1, repeat)
            notes.append(
                f"{label}: --jobs 1 {one.seconds:.2f} s (÷raw {one.seconds / raw.seconds:.2f},"
                f" CPU {one.cpu:.2f} s, RSS {one.rss_mb:,.0f} MB), --jobs {jobs}"
                f" {ours.seconds:.2f} s (CPU {ours.cpu:.2f} s, {ours.cpu / ours.seconds:.2f} of"
                f" {jobs} cores busy): speed-up {one.seconds / ours.seconds:.2f}x"
            )
    print(table(rows))
    for note in notes:
        print(note)
    print(table(targets(runs, one_job, jobs)))
    print(
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, evtdiag --jobs {jobs}; times are "
        f"wall seconds of a subprocess (best of {args.repeat} except dense); ÷raw = "
        "evtdiag time / mmap+find scan time; x py-evtx = python-evtx full XML render of every "
        "record (extrapolated from a sample, ~) / evtdiag time; rate÷Rust = evtdiag records/s "
        "/ Rust evtx records/s; RSS = peak sum over the process tree."
    )
    if busy:
        print(busy)  # under the table too, where it is read
    return 0


def scale_section(args: argparse.Namespace, jobs: int, busy: str | None) -> int:
    """The scale section alone (``--scale``): its figures, then its targets."""
    import scale

    figures, checked = scale.section(
        args.scale_events, args.scale_shapes, jobs, args.repeat, args.out
    )
    print(figures)
    print(checked)
    print(
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, evtdiag --jobs {jobs}; times are "
        f"wall seconds of a subprocess (best of {args.repeat}); RSS = peak sum over the "
        "process tree; ÷Rust = report time / Rust evtx full read time; sizes decimal (MB = "
        "10^6 bytes); compare = report of the input's first half against the report of all; "
        "redact +% = --redact time over the plain report's."
    )
    if busy:
        print(busy)
    return 0


def targets(
    runs: dict[str, tuple[Run, Run]], one_job: dict[str, Run], jobs: int
) -> list[dict[str, str]]:
    """Each target of the speed issue measured in this run, met or missed (those whose
    input was not built this run are left out)."""
    checks: list[tuple[str, float, str, str, float]] = []  # name, value, unit, ≤ or ≥, limit
    for mb, limit in ((256, 1.8), (1024, 1.3)):
        label = build.sparse_label(mb)
        if label in runs:
            ours, raw = runs[label]
            checks.append(
                (f"{label}, --jobs {jobs}: ÷raw", ours.seconds / raw.seconds, "x", "≤", limit)
            )
    label = build.sparse_label(1024)
    if label in one_job:
        ours, raw = runs[label]
        one = one_job[label].seconds / raw.seconds
        checks.append((f"{label}, --jobs 1: ÷raw", one, "x", "≤", 2.0))
        checks.append((f"{label}: peak RSS, process tree", ours.rss_mb, " MB", "≤", 150))
    if "dense, templates" in runs:
        dense = runs["dense, templates"][0]
        checks.append(("dense, templates: whole report", dense.seconds, " s", "≤", 8))
        checks.append(("dense, templates: peak RSS", dense.rss_mb, " MB", "≤", 350))
    if "many files" in one_job:
        speedup = one_job["many files"].seconds / runs["many files"][0].seconds
        checks.append((f"many files: --jobs 1 ÷ --jobs {jobs}", speedup, "x", "≥", 1.8))
    return [
        {
            "target": f"{name} {sign} {limit:g}{unit}",
            "measured": f"{value:,.2f}{unit}",
            "result": "met" if (value <= limit if sign == "≤" else value >= limit) else "MISSED",
        }
        for name, value, unit, sign, limit in checks
    ]


def table(rows: list[dict[str, str]]) -> str:
    """A Markdown table, so that README.md can show it as printed."""
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(r[k]) for r in rows)) for k in keys}
    lines = ["| " + " | ".join(k.ljust(widths[k]) for k in keys) + " |"]
    lines.append("|" + "|".join("-" * (widths[k] + 2) for k in keys) + "|")
    for row in rows:
        lines.append("| " + " | ".join(row[k].rjust(widths[k]) for k in keys) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
