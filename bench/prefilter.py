"""The chunk prefilter's speed against a plain ``mmap.find`` of the provider name, over
the same bytes; prints one line per input.

    python bench/prefilter.py [LOG...] [--repeat N]

Without LOG, the bench's 1 GiB *sparse* input and the corpus stitched into one file
(``bench/out/``, built as ``run.py`` builds them, and reused). Each file is mapped whole
and read once before timing, so that both sides run on cached pages (the reader's own
page faults, one map window per 16 MiB range, are left out of both). Then, in turn,
several times: :func:`candidate_chunks` for the default provider over every full chunk,
and the scan ``run.py`` calls the physical limit (``mmap.find`` of the name as UTF-16LE,
hit after hit). Also shown: ``find`` of the name less its last byte (a NUL: CPython's
``find`` is much faster on a needle that does not end with one, so this is the fastest
exact-case ``find``), ``chunk_may_hold`` chunk by chunk (what the prefilter
replaces), and SHA-256 of the same bytes (the coverage's digest: one core's floor for a
file). GB/s are medians; ratios are medians of the per-round ratios.
"""

from __future__ import annotations

import argparse
import hashlib
import mmap
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build
from evtdiag.logs.evtx.layout import CHUNK_SIZE, FILE_HEADER_SIZE
from evtdiag.logs.evtx.prefilter import candidate_chunks
from evtdiag.logs.providers import ProviderMatcher

PROVIDER = "Microsoft-Windows-IDMU-PSync"


def _find_all(buf: mmap.mmap, needle: bytes) -> int:
    hits, pos = 0, buf.find(needle)
    while pos != -1:
        hits += 1
        pos = buf.find(needle, pos + 1)
    return hits


def measure(path: Path, repeat: int = 7) -> dict[str, object]:
    """Seconds (median) of each way over the whole file, and the figures found."""
    matcher = ProviderMatcher([PROVIDER])
    needle = PROVIDER.encode("utf-16-le")
    with path.open("rb") as handle:
        buf = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        count = max(0, (len(buf) - FILE_HEADER_SIZE) // CHUNK_SIZE)
        ways: dict[str, Callable[[], int]] = {
            "prefilter": lambda: len(candidate_chunks(matcher, buf, FILE_HEADER_SIZE, count) or ()),
            "find": lambda: _find_all(buf, needle),
            "find less NUL": lambda: _find_all(buf, needle[:-1]),
            "sha256": lambda: len(hashlib.sha256(buf).digest()),
        }
        _find_all(buf, b"\xff\xfe\xfd")  # read every page once
        times: dict[str, list[float]] = {way: [] for way in ways}
        results: dict[str, int] = {}
        for _ in range(repeat):
            for way, run in ways.items():
                started = time.perf_counter()
                results[way] = run()
                times[way].append(time.perf_counter() - started)
        started = time.perf_counter()
        view = memoryview(buf)
        try:
            reference = sum(
                matcher.chunk_may_hold(view[FILE_HEADER_SIZE + i * CHUNK_SIZE :][:CHUNK_SIZE])
                for i in range(count)
            )
        finally:
            view.release()
        per_chunk = time.perf_counter() - started
        size = len(buf)
    finally:
        buf.close()
    assert results["prefilter"] == reference, (results, reference)
    pairs = zip(times["prefilter"], times["find"], strict=True)
    return {
        "size": size,
        "seconds": {way: statistics.median(t) for way, t in times.items()},
        "per_chunk": per_chunk,
        "ratio": statistics.median(a / b for a, b in pairs),
        "candidates": results["prefilter"],
        "hits": results["find"],
    }


def line(label: str, figures: dict) -> str:
    gb = figures["size"] / 1e9
    rate = {way: gb / s for way, s in figures["seconds"].items()}
    return (
        f"{label}: {figures['size'] / 1e6:,.0f} MB, prefilter {rate['prefilter']:.2f} GB/s "
        f"({figures['candidates']} candidate chunks), mmap.find of the name "
        f"{rate['find']:.2f} GB/s ({figures['hits']} hits): prefilter time / find time "
        f"{figures['ratio']:.2f}; find of the name less its last NUL "
        f"{rate['find less NUL']:.2f} GB/s; chunk_may_hold per chunk "
        f"{gb / figures['per_chunk']:.2f} GB/s; SHA-256 {rate['sha256']:.2f} GB/s (one core)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("logs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=7, help="rounds (7)")
    args = parser.parse_args(argv)
    logs = args.logs
    if not logs:
        try:
            real = build.corpus_chunks()
        except build.CorpusMissing as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        logs = [
            build.stitched(build.OUT / "sparse-1024.evtx", 1024, 300, real).path,
            build.stitched(
                build.OUT / "corpus-all.evtx", len(real) * CHUNK_SIZE / build.MB, 0, real
            ).path,
        ]
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start", flush=True)
    for path in logs:
        print(line(path.name, measure(path, args.repeat)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
