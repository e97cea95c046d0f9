"""Find the inputs (files, folders, globs), recognise their format, read them all.

Formats are recognised by their first bytes, never by extension: admins rename and
zip things. Whatever is not a log is reported with a one-line reason, never
silently ignored, and exact duplicates from overlapping exports are dropped and
counted. Only regular files are opened: a FIFO or a device found among the inputs is
refused unopened, and standard input is spooled under a cap.
"""

from __future__ import annotations

import contextlib
import glob
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from evtdiag import archives
from evtdiag.errors import InputFormatError, UsageError
from evtdiag.logs.formats import (
    ARCHIVE_KINDS,
    open_source,
    read_source,
    refused_unread,
    refused_when_nothing_read,
)
from evtdiag.logs.pool import auto_jobs, read_all
from evtdiag.logs.providers import ProviderMatcher
from evtdiag.logs.sources import ProgressCallback, ReadContext, ReadOptions, Result, Source
from evtdiag.logs.store import RecordStore, as_store
from evtdiag.model import EventIdentity, EventRecord, InputCoverage


@dataclass(frozen=True)
class LogReadResult:
    """Every wanted record of every input, and what was read from each input."""

    events: RecordStore
    inputs: tuple[InputCoverage, ...]


def discover(specs: Sequence[str]) -> list[Path]:
    """Expand files, folders (recursively) and glob patterns into a sorted file list.

    :raises UsageError: for a path that does not exist or a glob that matches nothing.
    """
    found: dict[str, Path] = {}
    for spec in specs:
        if spec == STDIN:
            found.setdefault(STDIN, Path(STDIN))
            continue
        if any(ch in spec for ch in "*?[") and not os.path.exists(spec):
            matches = sorted(glob.glob(spec, recursive=True))
            if not matches:
                raise UsageError(f"{spec}: no file matches this pattern")
            candidates: Iterable[str] = matches
        elif os.path.lexists(spec):  # a dangling link or a loop is reported when read
            candidates = [spec]
        else:
            raise UsageError(f"{spec}: no such file or folder")
        for candidate in candidates:
            for path in _walk(Path(candidate)):
                if str(path) == STDIN:  # a file named "-" ("./-"), not standard input
                    path = path.absolute()
                found.setdefault(os.path.realpath(path), path)
    return sorted(found.values(), key=str)


def _walk(path: Path) -> Iterable[Path]:
    """Files below ``path``; symbolic links to folders are not followed (no loops), but
    listed, as are folders that cannot be listed: reading them says why, so that no
    part of a folder given is left out unsaid."""
    if not path.is_dir():
        yield path
        return
    unlisted: list[Path] = []
    for root, dirs, files in os.walk(
        path, onerror=lambda error: unlisted.append(Path(error.filename))
    ):
        dirs.sort()
        links = [name for name in dirs if os.path.islink(os.path.join(root, name))]
        for name in sorted([*files, *links]):
            yield Path(root) / name
    yield from unlisted


def read_files(
    paths: Sequence[Path],
    matcher: ProviderMatcher,
    progress: ProgressCallback | None = None,
    options: ReadOptions | None = None,
    *,
    jobs: int | None = 1,
) -> LogReadResult:
    """Read the files :func:`discover` found and return the wanted records, deduplicated.

    :param jobs: worker processes (:mod:`evtdiag.logs.pool`), None to choose from the
        inputs' size; the result is the same whatever the number. Standard input is
        always read in this process.

    Every temporary copy (standard input, archive members, in this process or a worker)
    lies in one folder this process removes however reading ends: a worker killed by a
    signal sent to the whole process group leaves nothing behind. The folder is made
    only when there is something to copy: plain logs are read where no file can be
    written (a read-only or full temporary folder, ``ulimit -f 0``).
    """
    options = options or ReadOptions()
    with contextlib.ExitStack() as cleanup:

        def make_scratch() -> str:
            return cleanup.enter_context(tempfile.TemporaryDirectory(prefix="evtdiag-"))

        stdin = Path(STDIN) in paths
        scratch = make_scratch() if stdin else None
        opened = [
            _open_stdin(Path(scratch)) if scratch is not None and str(p) == STDIN else _open(p)
            for p in paths
        ]
        sources = [item for item in opened if isinstance(item, Source)]
        if scratch is None and any(source.kind in ARCHIVE_KINDS for source in sources):
            scratch = make_scratch()
        context = ReadContext(matcher, options, progress, scratch)
        if jobs is None:
            jobs = auto_jobs(sum(source.size for source in sources))
        if jobs > 1 and sources and not stdin:
            done = read_all(sources, context, jobs)
            results = (next(done) if isinstance(item, Source) else [item] for item in opened)
            return _deduplicated(result for found in results for result in found)
        return _deduplicated(_read_here(opened, context))


def _read_here(opened: Sequence[Source | Result], context: ReadContext) -> Iterator[Result]:
    """Read every source in this process, in order."""
    for item in opened:
        if isinstance(item, Source):
            yield from read_source(item, context)
        else:
            yield item


def count_origins(records: Sequence[EventRecord]) -> tuple[tuple[str, int], ...]:
    """How many records take user and host from each origin, commonest first."""
    counts = Counter(origin or "none" for origin in as_store(records).origins())
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _deduplicated(results: Iterable[Result]) -> LogReadResult:
    """Every result's records, each record kept once (overlapping exports), counted; an
    input of which nothing could be read is refused here, whatever its format and
    whichever process read it (:func:`refused_when_nothing_read`)."""
    events = RecordStore()
    coverages: list[InputCoverage] = []
    seen: set[EventIdentity] = set()
    for coverage, records in results:
        coverage = refused_when_nothing_read(coverage)
        store = as_store(records)
        unique = []
        for index, identity in enumerate(store.identities()):
            if identity not in seen:
                seen.add(identity)
                unique.append(index)
        duplicates = len(store) - len(unique)
        if duplicates:
            store = store.take(unique)
            coverage = replace(coverage, psync_events=len(unique), duplicates=duplicates)
        if unique:
            coverage = replace(coverage, origins=count_origins(store))
        events.absorb(store)
        coverages.append(coverage)
    events.settle()
    return LogReadResult(events, tuple(coverages))


STDIN = "-"
"""The input name that means standard input (spooled to a temporary file first)."""
STDIN_NAME = "(stdin)"
"""How standard input is named in the coverage."""


def _open(path: Path) -> Source | Result:
    return open_source(path, str(path))


def _open_stdin(folder: Path) -> Source | Result:
    """Standard input, spooled into ``folder`` first (readers seek).

    The caller's folder is removed however the run ends: on an error, on Ctrl-C, and on
    SIGTERM or SIGHUP, which the command line turns into an exception too
    (:class:`evtdiag.errors.Terminated`); the spool is capped (:func:`archives.spool`).
    """
    if sys.stdin is None:  # started with standard input closed (<&-)
        return refused_unread(STDIN_NAME, f"{STDIN_NAME}: standard input is closed")
    try:
        spooled = archives.spool(sys.stdin.buffer, folder)
    except InputFormatError as error:
        return refused_unread(STDIN_NAME, str(error))
    return open_source(spooled, STDIN_NAME)
