"""The engine: the stages wired in order, apart from the command line.

``read_logs`` reads the logs and gives every PSync record its meaning; ``build_report``
adds the configurations, the diagnosis and the report document. The command line parses
options into a :class:`LogRequest` or :class:`ReportRequest` and calls these, and so do
the bench (``bench/stages.py``) and the rule tests: there is one wiring of the stages,
and whatever the command line adds (progress, messages, exit codes) stays there.

The diagnosis is imported by :func:`build_report` alone: ``evtdiag events`` reads the
logs through this module and never pays for importing the diagnosis.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evtdiag.bundle import Configurations, configurations, set_aside
from evtdiag.errors import NoUsableInput
from evtdiag.hosts import load_inventory, load_windows
from evtdiag.hosts.inventory import EXPECTED
from evtdiag.logs import DEFAULT_PROVIDERS, ProviderMatcher, discover, read_files
from evtdiag.logs.formats import REFUSED, SKIPPED
from evtdiag.logs.inputs import LogReadResult
from evtdiag.logs.sources import ProgressCallback, ReadOptions
from evtdiag.model import InputCoverage, PsyncEvent, SuccessIdentification
from evtdiag.psync import Catalogue, extract, identify_successes, within

if TYPE_CHECKING:
    from evtdiag.diagnose.model import Diagnosis

ProgressFactory = Callable[[int], contextlib.AbstractContextManager[ProgressCallback | None]]
"""Makes the progress callback of a read, given the bytes to read; the caller's context
closes it (the command line's progress line erases itself)."""


@dataclass(frozen=True)
class LogRequest:
    """Which logs to read and how: what the log options of a command asked for."""

    logs: tuple[str, ...]
    providers: tuple[str, ...] = ()
    """Providers read as PSync besides :data:`DEFAULT_PROVIDERS`."""
    success_ids: tuple[int, ...] = ()
    infer_successes: bool = True
    """False with ``--no-success-inference``: only given ids (and the text) make successes."""
    jobs: int | None = None
    options: ReadOptions = field(default_factory=ReadOptions)
    set_aside: tuple[str, ...] = ()
    """Inputs (and what lies below them) taken as configurations in an evidence bundle
    (:mod:`evtdiag.bundle`): read by neither the log readers' coverage nor the events."""


@dataclass(frozen=True)
class LogsRead:
    """The logs read: every input's coverage, the PSync events, how successes were known."""

    result: LogReadResult
    events: list[PsyncEvent]
    successes: SuccessIdentification
    seconds: float

    @property
    def refused(self) -> tuple[InputCoverage, ...]:
        """The inputs a reader refused as a whole: the report covers the others."""
        return tuple(c for c in self.result.inputs if c.format == REFUSED)


def read_logs(request: LogRequest, progress: ProgressFactory | None = None) -> LogsRead:
    """Read every input of ``request`` and extract its PSync events.

    The success id is inferred from every record read, never per input: one log alone
    could make a different guess.

    :raises NoUsableInput: when no input is a readable log.
    """
    started = time.monotonic()
    files = discover(request.logs)
    total = sum(_size(path) for path in files)
    with cycle_collection_eased():
        with progress(total) if progress else contextlib.nullcontext() as callback:
            result = read_files(
                files,
                ProviderMatcher((*DEFAULT_PROVIDERS, *request.providers)),
                callback,
                request.options,
                jobs=request.jobs,
            )
        if request.set_aside:
            sources = result.events.field_of_each("source")
            result = LogReadResult(
                result.events.take(
                    i
                    for i, source in enumerate(sources)
                    if not set_aside(source, request.set_aside)
                ),
                tuple(c for c in result.inputs if not set_aside(c.path, request.set_aside)),
            )
        if not any(c.format not in (SKIPPED, REFUSED) for c in result.inputs):
            raise NoUsableInput(_nothing_readable(result.inputs, request))
        successes = identify_successes(
            result.events, request.success_ids, infer=request.infer_successes
        )
        events = extract(result.events, Catalogue.identified(successes))
    return LogsRead(result, events, successes, time.monotonic() - started)


@dataclass(frozen=True)
class ReportRequest:
    """What ``evtdiag report`` asked for, less how the report is published."""

    logs: LogRequest
    hosts_dir: str | None = None
    """``--hosts`` as given: a folder or an archive; None: look for one among the logs."""
    windows_dir: str | None = None
    """``--windows`` as given, likewise."""
    since: datetime | None = None
    until: datetime | None = None
    run: dict[str, Any] = field(default_factory=dict)
    """How the run was made (command line, time zone), written into the document."""


@dataclass(frozen=True)
class ReportRun:
    """One run of the report: the logs read, the diagnosis and its JSON document."""

    read: LogsRead
    diagnosis: Diagnosis
    document: dict[str, Any]
    configurations: Configurations
    """Where the configurations were taken from (given, or found in a bundle)."""


def build_report(request: ReportRequest, progress: ProgressFactory | None = None) -> ReportRun:
    """Find the configurations (given, or in an evidence bundle among the logs), read,
    extract, keep the period, load the configurations, diagnose, and build the report
    document (schema ``evtdiag/2``).

    :raises NoUsableInput: when no input is a readable log.
    :raises UsageError: when ``--hosts`` or ``--windows`` names an archive without them.
    """
    from evtdiag.diagnose import diagnose
    from evtdiag.event_summary import iso
    from evtdiag.render.json_report import report_document

    with configurations(request.logs.logs, request.hosts_dir, request.windows_dir) as found:
        read = read_logs(replace(request.logs, set_aside=found.set_aside), progress)
        events = within(read.events, request.since, request.until)
        inventory = (
            load_inventory(found.hosts_dir, found.host_entries) if found.hosts_dir else None
        )
        windows = load_windows(found.windows_dir) if found.windows_dir else None
        run = {
            **request.run,
            "configurations": [taken.as_json() for taken in found.taken],
            "since": iso(request.since),
            "until": iso(request.until),
        }
        with cycle_collection_paused():
            diagnosis = diagnose(
                events,
                read.result.inputs,
                inventory,
                windows,
                request.logs.success_ids,
                len(read.events) - len(events),
                successes=read.successes,
            )
            document = report_document(diagnosis, run=run, inventory=inventory, windows=windows)
    return ReportRun(read, diagnosis, document, found)


def _nothing_readable(inputs: Sequence[InputCoverage], request: LogRequest) -> str:
    """Why no input could be read, short even for a folder of many files."""
    given = ", ".join(request.logs)
    if not inputs and request.set_aside:
        return (f"no event log in {given}: it holds configurations only; add the exported "
                "event logs (.evtx, .xml, .csv)")  # fmt: skip
    if not inputs:
        return f"no file in {given}: the folder is empty; give the exported event logs"
    if len(inputs) <= 3:
        reasons = "; ".join(f"{c.path}: {c.note}" for c in inputs)
        message = f"no readable event log among the inputs ({reasons})"
    else:
        names = [Path(c.path).name for c in inputs]
        message = (f"none of the {len(names)} inputs is an event log "
                   f"({', '.join(names[:5])} and {len(names) - 5} more)")  # fmt: skip
    host_files = {Path(name).name for name in EXPECTED} | {"hosts.toml"}
    if any(Path(c.path).name in host_files or c.path.endswith(".tar.gz") for c in inputs):
        message += (
            "; this looks like host configurations: give that folder with --hosts, and the "
            "exported event logs (.evtx, .xml, .csv) as LOGS"
        )
    return message


def _size(path: os.PathLike[str]) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


# -- the cycle collector ------------------------------------------------------------------

YOUNG_OBJECTS_PER_COLLECTION = 50_000
"""Allocations between two collections of the youngest generation (Python's default
is 700), and a full collection every 2,000 of those instead of every 100. Reading a log of
200,000 PSync events keeps every event alive, and the default thresholds made the
collector traverse them again and again: 15 to 20 % of the reading time
(``bench/out/dense-templated.evtx``, one run). Cycles are still collected: the
python-evtx fallback and exceptions do make some while reading."""


@contextlib.contextmanager
def cycle_collection_eased() -> Iterator[None]:
    """Collect cycles less often while the logs are read and their events extracted
    (see :data:`YOUNG_OBJECTS_PER_COLLECTION`); the thresholds are restored after."""
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS_PER_COLLECTION, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextlib.contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the report is diagnosed and rendered.

    Those stages allocate millions of small objects (groups, causes, event references,
    the document's dicts) that form no reference cycles and live until the report is
    written, yet every collection the allocations trigger traverses all objects alive,
    the events read included: for 200,000 events that was a third of the stages' time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
