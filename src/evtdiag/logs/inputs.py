"""Find the inputs (files, folders, globs), recognise their format, read them all.

Formats are recognised by their first bytes, never by extension: admins rename and
zip things. Whatever is not a log is reported with a one-line reason, never
silently ignored, and exact duplicates from overlapping exports are dropped and
counted. Only regular files are opened: a FIFO or a device found among the inputs is
refused unopened, and standard input is spooled under a cap.
"""

from __future__ import annotations

import functools
import glob
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from evtdiag.errors import InputFormatError, UsageError
from evtdiag.logs.archives import read_archive, relabel, relabel_all, spool
from evtdiag.logs.csv_export import read_event_csv
from evtdiag.logs.digest import sha256_file
from evtdiag.logs.formats import SNIFF_SIZE, ReadOptions, sniff
from evtdiag.logs.parallel import ProgressCallback, auto_jobs, read_all, read_evtx_ranges
from evtdiag.logs.providers import ProviderMatcher
from evtdiag.logs.xml_export import read_xml_export
from evtdiag.model import EventRecord, InputCoverage


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
    options: ReadOptions | None = None,
    *,
    jobs: int | None = 1,
) -> LogReadResult:
    """Read every input named by ``specs`` and return the wanted records, deduplicated.

    :param jobs: worker processes (:mod:`evtdiag.logs.parallel`), None to choose from the
        inputs' size; the result is the same whatever the number. Standard input is
        always read in this process.
    """
    options = options or ReadOptions()
    events: list[EventRecord] = []
    coverages: list[InputCoverage] = []
    seen: set[tuple] = set()
    paths = discover(specs)
    if jobs is None:
        jobs = auto_jobs(sum(_size(path) for path in paths))
    if jobs > 1 and Path(STDIN) not in paths:
        read_whole = functools.partial(read_inputs, options=options)
        results: Iterable[tuple[InputCoverage, list[EventRecord]]] = read_all(
            paths, matcher, progress, jobs, read_whole, carve=options.carve
        )
    else:
        results = (
            result for path in paths for result in read_inputs(path, matcher, progress, options)
        )
    for coverage, records in results:
        unique = []
        for record in records:
            identity = record.identity
            if identity not in seen:
                seen.add(identity)
                unique.append(record)
        duplicates = len(records) - len(unique)
        if duplicates:
            coverage = replace(coverage, psync_events=len(unique), duplicates=duplicates)
        events.extend(unique)
        coverages.append(coverage)
    return LogReadResult(tuple(events), tuple(coverages))


STDIN = "-"
"""The input name that means standard input (spooled to a temporary file first)."""
STDIN_NAME = "(stdin)"
"""How standard input is named in the coverage."""
REFUSED = "refused"
"""The coverage format of an input a reader refused (:class:`InputFormatError`)."""


def read_inputs(
    path: Path,
    matcher: ProviderMatcher,
    progress: ProgressCallback | None = None,
    options: ReadOptions | None = None,
    *,
    name: str | None = None,
    depth: int = 0,
) -> list[tuple[InputCoverage, list[EventRecord]]]:
    """Read one input of any format; an archive (or stdin) gives one result per member."""
    if name is None and str(path) == STDIN:
        return _read_stdin(matcher, progress, options)
    name = name or str(path)
    special = _not_regular(path, name)
    if special is not None:
        return [special]
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_SIZE)
    except OSError:
        return [read_input(path, matcher, progress, options, name=name)]
    kind = sniff(head)
    if kind not in ("zip", "gzip", "tar"):
        return [read_input(path, matcher, progress, options, name=name)]

    def member(inner: Path, label: str, level: int) -> list:
        return read_inputs(inner, matcher, None, options, name=label, depth=level)

    try:
        return read_archive(path, name, kind, member, depth)
    except InputFormatError as error:
        return [_refused(path, name, error)]


def _read_stdin(
    matcher: ProviderMatcher, progress: ProgressCallback | None, options: ReadOptions | None
) -> list[tuple[InputCoverage, list[EventRecord]]]:
    """Standard input, spooled into a private temporary folder first (readers seek).

    The folder is removed however the run ends, by the ``with``: on an error, on Ctrl-C,
    and on SIGTERM or SIGHUP, which the command line turns into an exception too
    (:class:`evtdiag.errors.Terminated`); the spool is capped (:func:`spool`).
    """
    with tempfile.TemporaryDirectory(prefix="evtdiag-") as folder:
        try:
            spooled = spool(sys.stdin.buffer, Path(folder))
        except InputFormatError as error:
            return [_refused_unread(STDIN_NAME, str(error))]
        found = read_inputs(spooled, matcher, progress, options, name=STDIN_NAME)
        return relabel_all(found, spooled, STDIN_NAME)


_SPECIAL_FILES = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _not_regular(path: Path, name: str) -> tuple[InputCoverage, list] | None:
    """The refusal of an input that is not a regular file (nor a folder), else None.

    Looked at before anything opens it: opening a FIFO waits for a writer, reading a
    device such as ``/dev/zero`` never ends (nor does hashing it), and opening some
    devices does something of its own. A path that cannot be looked at is reported
    when it is opened.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = _SPECIAL_FILES.get(stat.S_IFMT(mode), "a special file")
    return _refused_unread(
        name,
        f"{name}: {kind}, not a regular file: not opened, as reading it could block or "
        "never end; copy what it holds into a file and give that file",
    )


def _refused_unread(name: str, note: str) -> tuple[InputCoverage, list]:
    """A refused input whose bytes are not even hashed (endless, or too many)."""
    return InputCoverage(name, "", REFUSED, 0, note=note), []


def _refused(path: Path, name: str, error: InputFormatError) -> tuple[InputCoverage, list]:
    try:
        size, digest = path.stat().st_size, sha256_file(path)
    except OSError:
        size, digest = 0, ""
    return InputCoverage(name, digest, REFUSED, size, note=str(error)), []


def read_input(
    path: Path,
    matcher: ProviderMatcher,
    progress: ProgressCallback | None = None,
    options: ReadOptions | None = None,
    *,
    name: str | None = None,
) -> tuple[InputCoverage, list[EventRecord]]:
    """Read one file of any supported format (archives: see :func:`read_inputs`)."""
    options = options or ReadOptions()
    name = name or str(path)
    special = _not_regular(path, name)
    if special is not None:
        return special
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(SNIFF_SIZE)
    except OSError as error:
        return InputCoverage(name, "", "skipped", 0, note=f"cannot be read: {error.strerror}"), []
    kind = sniff(head)
    try:
        if kind == "evtx":
            result = read_evtx_ranges(
                path, matcher, progress, carve=options.carve
            )
            return relabel(result, path, name) if name != str(path) else result
        if kind == "xml":
            return read_xml_export(path, matcher, name=name)
        if kind == "csv":
            return read_event_csv(path, matcher, name=name, date_format=options.csv_date_format)
    except InputFormatError as error:
        return _refused(path, name, error)
    if kind is not None:
        reason = f"{kind} archive: read it with read_inputs"
    elif size == 0:
        reason = "empty file"
    else:
        reason = "not an event log (no EVTX, XML or CSV event export signature)"
    return InputCoverage(name, sha256_file(path), "skipped", size, note=reason), []


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
