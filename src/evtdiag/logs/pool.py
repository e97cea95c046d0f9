"""Read many sources with worker processes; results in input order, whatever the number.

The tasks are per source: a large .evtx file is split into ranges of chunk slots
(:mod:`evtdiag.logs.evtx.ranges`) plus one hashing task, handed over as (path, first
slot, stop slot), so no bytes travel to the workers; every other source (a small .evtx
file, an export, an archive) is read whole by the format registry
(:func:`evtdiag.logs.formats.read_source`), in a batch with others. Results are merged
in source and slot order, so the output does not depend on ``jobs``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import replace

from evtdiag.logs.digest import sha256_file
from evtdiag.logs.evtx.chunk import Tally
from evtdiag.logs.evtx.layout import CHUNK_SIZE, FILE_HEADER_SIZE
from evtdiag.logs.evtx.ranges import RANGE_CHUNKS, evtx_coverage, range_end, ranges, read_range
from evtdiag.logs.formats import read_source, tell_done
from evtdiag.logs.sources import ProgressCallback, ReadContext, Result, Source


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def auto_jobs(total_bytes: int) -> int:
    """Worker processes for ``total_bytes`` of input: all cores, but one process when
    there are fewer than two ranges of work (starting workers would cost more)."""
    return default_jobs() if total_bytes > 2 * RANGE_CHUNKS * CHUNK_SIZE else 1


def _pool(jobs: int) -> Executor:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context)


SMALL_INPUT = FILE_HEADER_SIZE + RANGE_CHUNKS * CHUNK_SIZE
"""An .evtx file up to this size (one range) is read whole, like any other input, in a
batch with others: a task has a fixed cost (its submission, the matcher and the result
through a pipe, and a hashing task of its own for an .evtx file) worth paying only for
the ranges of a large file. With one task per range and one per hash, 200 files of
840 KB were reported to take 14.1 s with two workers against 8.5 s in one process."""
BATCHES_PER_WORKER = 8
"""The inputs read whole are shared into about this many tasks per worker: few enough
that the fixed cost is paid rarely, enough that the workers finish at about the same
time."""


def read_batch(sources: Sequence[Source], context: ReadContext) -> list[list[Result]]:
    """Read several sources whole, one after the other, in one task; results in order."""
    return [read_source(source, context) for source in sources]


def is_split(source: Source) -> bool:
    """Whether a source is read as ranges: an .evtx file larger than one range."""
    return source.kind == "evtx" and source.size > SMALL_INPUT


def batches(sizes: dict[int, int], jobs: int) -> list[list[int]]:
    """The inputs of ``sizes`` (index: size) in order, grouped so that a group holds about
    1 / (``jobs`` x :data:`BATCHES_PER_WORKER`) of their bytes, and no more than one range
    (:data:`SMALL_INPUT`), so that a batch's result is no larger than a range's. An input
    larger than that is a group of its own, or ends one."""
    share = sum(sizes.values()) // (jobs * BATCHES_PER_WORKER)
    budget = max(1, min(share, SMALL_INPUT))
    groups: list[list[int]] = [[]]
    filled = 0
    for index, size in sizes.items():
        groups[-1].append(index)
        filled += size
        if filled >= budget:
            groups.append([])
            filled = 0
    return [group for group in groups if group]


def read_all(sources: Sequence[Source], context: ReadContext, jobs: int) -> Iterator[list[Result]]:
    """Read every source with ``jobs`` worker processes; yield each source's results (one
    per member for an archive), in ``sources`` order.

    Ranges after the first identify the computer only if the ones before found none,
    exactly as a sequential read does. Progress is reported here, as results arrive.
    """
    progress = context.progress
    sent_context = replace(context, progress=None)
    groups = batches(
        {i: source.size for i, source in enumerate(sources) if not is_split(source)}, jobs
    )
    batch_of = {
        index: (number, place)
        for number, group in enumerate(groups)
        for place, index in enumerate(group)
    }
    with _pool(jobs) as pool:
        sent: dict[int, Future[list[list[Result]]]] = {}
        collect: list[Callable[[], list[Result]]] = []
        for index, source in enumerate(sources):  # in order: the first results come first
            if is_split(source):
                collect.append(_submit_ranges(pool, source, sent_context, progress))
                continue
            number, place = batch_of[index]
            if number not in sent:
                group = [sources[i] for i in groups[number]]
                sent[number] = pool.submit(read_batch, group, sent_context)
            collect.append(functools.partial(_batch_part, sent[number], place, source, progress))
        for results in collect:
            yield results()


def _batch_part(
    batch: Future[list[list[Result]]], place: int, source: Source, progress: ProgressCallback | None
) -> list[Result]:
    """The results of the source at ``place`` in a batch (:func:`read_batch`), told done."""
    results = batch.result()[place]
    if progress:
        tell_done(progress, source, results)
    return results


def _submit_ranges(
    pool: Executor, source: Source, context: ReadContext, progress: ProgressCallback | None
) -> Callable[[], list[Result]]:
    """Submit the hashing task and the range tasks of one large .evtx file; returns what
    merges their results (in slot order) into the file's one result."""
    read = functools.partial(
        read_range,
        source.path,
        matcher=context.matcher,
        label=source.label,
        carve=context.options.carve,
    )
    digest = pool.submit(sha256_file, source.path)
    parts = [
        (first, stop, pool.submit(read, first, stop, identify=first == 0))
        for first, stop in ranges(source.size)
    ]

    def merge() -> list[Result]:
        tallies: list[Tally] = []
        computer = None
        for first, stop, future in parts:
            tally = future.result()
            if computer is None and first != 0:
                tally = read(first, stop, identify=True)  # a sequential read still identifies
            computer = computer or tally.computer
            tallies.append(tally)
            if progress:
                done = range_end(source.size, stop)
                progress(source.label, done, source.size, records=tally.records)
        return [evtx_coverage(source, digest.result(), tallies)]

    return merge
