"""Read one input the way :func:`evtdiag.logs.read_files` reads each of its inputs, but
without dropping duplicates across inputs: what the reader tests look at."""

from __future__ import annotations

from pathlib import Path

from evtdiag.logs.formats import open_source, read_source
from evtdiag.logs.providers import ProviderMatcher
from evtdiag.logs.sources import ProgressCallback, ReadOptions, Result, Source


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
    return read_source(opened, matcher, options or ReadOptions(), progress)


def read_input(
    path: Path,
    matcher: ProviderMatcher,
    progress: ProgressCallback | None = None,
    options: ReadOptions | None = None,
) -> Result:
    """The one result of an input that is not an archive."""
    (result,) = read_inputs(path, matcher, progress, options)
    return result
