"""Find the inputs (files, folders, globs), recognise their format, read them all.

Formats are recognised by their first bytes, never by extension: admins rename and
zip things. Whatever is not a log is reported with a one-line reason, never
silently ignored, and exact duplicates from overlapping exports are dropped and
counted.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from evtdiag.errors import UsageError
from evtdiag.logs.evtx import FILE_MAGIC
from evtdiag.logs.parallel import read_all, read_evtx_ranges
from evtdiag.logs.providers import ProviderMatcher
from evtdiag.model import EventRecord, InputCoverage

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(path, bytes_done_in_file, file_size)`` while reading."""


@dataclass(frozen=True)
class LogReadResult:
    """Every wanted record of every input, and what was read from each input."""

    events: tuple[EventRecord, ...]
    inputs: tuple[InputCoverage, ...]


def discover(specs: Sequence[str]) -> list[Path]:
    """Expand files, folders (recursively) and glob patterns into a sorted file list.

    :raises UsageError: for a path that does not exist or a glob that matches nothing.
    """
    found: dict[str, Path] = {}
    for spec in specs:
        if any(ch in spec for ch in "*?[") and not os.path.exists(spec):
            matches = sorted(glob.glob(spec, recursive=True))
            if not matches:
                raise UsageError(f"{spec}: no file matches this pattern")
            candidates: Iterable[str] = matches
        elif os.path.exists(spec):
            candidates = [spec]
        else:
            raise UsageError(f"{spec}: no such file or folder")
        for candidate in candidates:
            for path in _walk(Path(candidate)):
                found.setdefault(os.path.realpath(path), path)
    return sorted(found.values(), key=str)


def _walk(path: Path) -> Iterable[Path]:
    """Files below ``path``; symbolic links to folders are not followed (no loops)."""
    if not path.is_dir():
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            yield Path(root) / name


def read_logs(
    specs: Sequence[str],
    matcher: ProviderMatcher,
    progress: ProgressCallback | None = None,
    *,
    jobs: int = 1,
) -> LogReadResult:
    """Read every input named by ``specs`` and return the wanted records, deduplicated.

    :param jobs: worker processes (:mod:`evtdiag.logs.parallel`); the result is the
        same whatever the number.
    """
    events: list[EventRecord] = []
    coverages: list[InputCoverage] = []
    seen: set[tuple] = set()
    paths = discover(specs)
    if jobs > 1:
        readings: Iterable[tuple[InputCoverage, list[EventRecord]]] = read_all(
            paths, matcher, progress, jobs, read_input
        )
    else:
        readings = (read_input(path, matcher, progress) for path in paths)
    for coverage, records in readings:
        unique = []
        for record in records:
            if record.identity in seen:
                continue
            seen.add(record.identity)
            unique.append(record)
        duplicates = len(records) - len(unique)
        if duplicates:
            coverage = replace(coverage, psync_events=len(unique), duplicates=duplicates)
        events.extend(unique)
        coverages.append(coverage)
    return LogReadResult(tuple(events), tuple(coverages))


def read_input(
    path: Path, matcher: ProviderMatcher, progress: ProgressCallback | None = None
) -> tuple[InputCoverage, list[EventRecord]]:
    """Read one file of any supported format."""
    name = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        return InputCoverage(name, "", "skipped", 0, note=f"cannot be read: {error.strerror}"), []
    if head == FILE_MAGIC:
        return read_evtx(path, matcher, progress)
    reason = "empty file" if size == 0 else "not an event log (no EVTX signature)"
    return InputCoverage(name, _sha256_file(path), "skipped", size, note=reason), []


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_evtx(
    path: Path, matcher: ProviderMatcher, progress: ProgressCallback | None = None
) -> tuple[InputCoverage, list[EventRecord]]:
    """Read every physical chunk of an .evtx file (range by range: flat memory)."""
    return read_evtx_ranges(path, matcher, progress)
