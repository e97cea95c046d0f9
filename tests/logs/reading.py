"""Read inputs in tests: one input the way :func:`evtdiag.logs.read_files` reads each of
its inputs but without dropping duplicates across inputs (what the reader tests look
at), and whole command-line specs the way the command line does (:func:`read_logs`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from evtdiag.logs import LogReadResult, discover, read_files
from evtdiag.logs.formats import open_source, read_source
from evtdiag.logs.providers import ProviderMatcher
from evtdiag.logs.sources import ProgressCallback, ReadContext, ReadOptions, Result, Source


def read_inputs(
    path: Path,
    matcher: ProviderMatcher,
    progress: ProgressCallback | None = None,
    options: ReadOptions | None = None,
) -> list[Result]:
    """Every result of one input: one per member for an archive."""
    opened = open_source(path, str(path))
    if not isinstance(opened, Source):
        return [opened]
    return read_source(opened, ReadContext(matcher, options or ReadOptions(), progress))


def read_input(
    path: Path,
    matcher: ProviderMatcher,
    progress: ProgressCallback | None = None,
    options: ReadOptions | None = None,
) -> Result:
    """The one result of an input that is not an archive."""
    (result,) = read_inputs(path, matcher, progress, options)
    return result


def read_logs(
    specs: Sequence[str],
    matcher: ProviderMatcher,
    progress: ProgressCallback | None = None,
    options: ReadOptions | None = None,
    *,
    jobs: int | None = 1,
) -> LogReadResult:
    """Every input named by ``specs`` (files, folders, globs), found and read as the
    command line does: :func:`discover`, then :func:`read_files`."""
    return read_files(discover(specs), matcher, progress, options, jobs=jobs)
