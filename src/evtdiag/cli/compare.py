"""``evtdiag compare``: what changed between two JSON reports of one site."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from evtdiag.cli.options import COMPARE_FORMAT_NAMES, REPORT_FILE, output_options
from evtdiag.compare import compare_reports
from evtdiag.document import read
from evtdiag.errors import ExitCode
from evtdiag.publish.targets import write_output
from evtdiag.render.compare_report import COMPARE_FORMATS
from evtdiag.render.terminal import printable_line
from evtdiag.render.timefmt import TimeFormatter


@click.command()
@click.argument("before", type=REPORT_FILE)
@click.argument("after", type=REPORT_FILE)
@output_options(
    COMPARE_FORMAT_NAMES,
    "text",
    "Text, JSON (evtdiag-compare/1) or one self-contained HTML page.",
    "Write the comparison to this file (default: standard output).",
)
def compare(
    before: Path,
    after: Path,
    output_format: str,
    output: Path | None,
    force: bool,
    times: TimeFormatter,
) -> None:
    """Compare the problems of two JSON reports of one site, BEFORE and AFTER fixes.

    Only AFTER's attempts after BEFORE's last event count. Each problem is fixed (a
    success in its scope since), new (open in AFTER only), still failing (a failure in its
    scope since, no success after it), not yet verified (gone from AFTER or its cause no
    longer found there, nothing tried since: the retry to make is shown), unchanged
    (found as before, nothing tried since) or intended (refused on purpose). Problems
    match by id, else by scope and whom they name. A report compared with itself has
    nothing new to compare.

    \b
    Exit codes: 0 nothing still failing or new, 1 otherwise, 2 usage error.

    \b
    Example:
        evtdiag report logs/ --hosts hosts/ --until 2026-09-20 --format json -o before.json
        evtdiag report logs/ --hosts hosts/ --format json -o after.json
        evtdiag compare before.json after.json
    """
    comparison = compare_reports(
        read(before),
        read(after),
        TimeFormatter() if output_format == "json" else times,
        paths=(str(before), str(after)),
    )
    written = write_output(COMPARE_FORMATS[output_format](comparison, times), output, force=force)
    if written is not None:
        click.echo(f"Comparison written to {printable_line(str(written))}", err=True)
    sys.exit(int(ExitCode.OK if comparison.settled else ExitCode.PROBLEMS_FOUND))
