"""What the commands say on stderr about a run: the inputs read, those refused, the
files written, the verdict. Every value from an input is made printable first."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from evtdiag.bundle import Configurations
from evtdiag.document import counted_in
from evtdiag.errors import ExitCode
from evtdiag.logs.formats import SKIPPED
from evtdiag.pipeline import LogsRead
from evtdiag.progress import speed_text
from evtdiag.render.events import coverage_text
from evtdiag.render.summary import terminal_summary
from evtdiag.render.terminal import printable, printable_line

if TYPE_CHECKING:  # publishing imports the renderers, which `events` never needs
    from evtdiag.publish.targets import Published


def say_read(read: LogsRead) -> None:
    """What was read from each input, how successes were recognised, and how fast."""
    click.echo(coverage_text(read.result.inputs), err=True, nl=False)
    for sentence in (*read.successes.notes, *read.successes.warnings):
        click.echo(printable(sentence), err=True)
    say_speed(read)


def say_configurations(found: Configurations, redact: Callable[[str], str] = str) -> None:
    """Which folders were taken as configurations, and what a bundle held unused; with
    the names of a redacted report replaced (its paths may hold them)."""
    for taken in found.taken:
        click.echo(printable_line(redact(taken.sentence)), err=True)
    for note in found.notes:
        click.echo(f"Warning: {printable_line(redact(note))}", err=True)


def say_speed(read: LogsRead) -> None:
    click.echo(speed_text(read.result.inputs, read.seconds), err=True)


def say_skipped(read: LogsRead) -> None:
    """One line per input that was not a log, so that none is left out unsaid (the
    report's coverage lists them too, but a report in a file is not read at once)."""
    for coverage in read.result.inputs:
        if coverage.format == SKIPPED:
            note = f": {coverage.note}" if coverage.note else ""
            click.echo(f"Skipped: {printable_line(coverage.path + note)}", err=True)


def say_refused(read: LogsRead) -> int:
    """Report every input a reader refused; return how many there were."""
    for coverage in read.refused:
        click.echo(f"Error: {printable_line(coverage.note or coverage.path)}", err=True)
    return len(read.refused)


def say_published(published: Published) -> None:
    if published.report is not None:
        click.echo(f"Report written to {printable_line(str(published.report))}", err=True)
    if published.mapping is not None:
        click.echo(
            f"Redaction key and mapping written to {printable_line(str(published.mapping))} "
            "(keep it; do not send it)",
            err=True,
        )


def say_events_written(path: Path, count: int) -> None:
    click.echo(f"{count} events written to {printable_line(str(path))}", err=True)


def summary_wanted(published: Published) -> bool:
    """Whether the stderr summary adds to what the terminal shows: not when the report
    itself went to standard output and stderr is a terminal. On that terminal the
    report's own verdict is on screen already (once is enough); through a pipe
    (``| less``) the summary would land on top of the pager's screen. Redirected to a
    file (``> report.txt``), the report is not on screen: the summary is."""
    return published.report is not None or not _isatty(sys.stderr) or _is_file(sys.stdout)


def _is_file(stream: Any) -> bool:
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return False


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no stream, or a closed one
        return False


def say_summary(
    document: dict[str, Any], *, every: bool = False, full_report: Path | None = None
) -> None:
    """The verdict and the open problems on stderr (every one with ``every``, else the
    first lines and where the rest are: ``full_report``), in colour on a terminal unless
    NO_COLOR is set; after what standard output holds is out, so that the two do not
    interleave on one terminal."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stdout.flush()
    colour = _isatty(sys.stderr) and not os.environ.get("NO_COLOR")
    where = printable_line(str(full_report)) if full_report is not None else None
    click.echo(
        terminal_summary(document, colour, every=every, full_report=where), err=True, nl=False
    )


def exit_code(document: dict[str, Any]) -> int:
    """1 while the report has a problem the verdict counts, 0 otherwise: the same for
    ``report`` and for ``render`` of its JSON."""
    return int(ExitCode.PROBLEMS_FOUND if counted_in(document) else ExitCode.OK)
