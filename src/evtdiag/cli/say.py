"""What the commands say on stderr about a run: the inputs read, those refused, the
files written, the verdict. Every value from an input is made printable first."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from evtdiag.document import counted_in
from evtdiag.errors import ExitCode
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


def say_speed(read: LogsRead) -> None:
    click.echo(speed_text(read.result.inputs, read.seconds), err=True)


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


def say_summary(document: dict[str, Any]) -> None:
    """The verdict and the open problems on stderr, in colour on a terminal unless
    NO_COLOR is set."""
    colour = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
    click.echo(terminal_summary(document, colour), err=True, nl=False)


def exit_code(document: dict[str, Any]) -> int:
    """1 while the report has a problem the verdict counts, 0 otherwise: the same for
    ``report`` and for ``render`` of its JSON."""
    return int(ExitCode.PROBLEMS_FOUND if counted_in(document) else ExitCode.OK)
