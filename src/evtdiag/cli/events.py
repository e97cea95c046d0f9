"""``evtdiag events``: list the PSync events of the logs."""

from __future__ import annotations

import click

from evtdiag.cli.options import log_options
from evtdiag.cli.say import say_read, say_refused
from evtdiag.errors import ExitCode
from evtdiag.pipeline import LogRequest, read_logs
from evtdiag.progress import progress_line
from evtdiag.publish.output import write_stdout
from evtdiag.render.events import events_csv, events_json, events_table

LISTINGS = {"table": events_table, "csv": events_csv}


@click.command()
@log_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="How to list the events.",
)
def events(request: LogRequest, quiet: bool, output_format: str) -> None:
    """List the PSync events found in LOGS (files, folders or globs).

    Prints one line per event (time in UTC, DC, event id, kind, user, host,
    source file, EventRecordID), then on stderr what was read from each input
    and which id was taken as the success event when it was inferred.
    LOGS may be .evtx files, Event Viewer XML or CSV/TXT exports, .zip/.gz/.tar.gz
    archives of those, or - for standard input; formats are recognised by content.
    An input that cannot be read is reported and the others go on; the exit status
    is then 3.

    \b
    Example:
        evtdiag events sample_logs/
        evtdiag events 'exports/*.evtx' --format json > events.json
    """
    read = read_logs(request, progress_line(enabled=not quiet))
    if output_format == "json":
        write_stdout([events_json(read.events, read.result.inputs)])
    else:
        write_stdout([LISTINGS[output_format](read.events)])
    say_read(read)
    if say_refused(read):
        raise SystemExit(ExitCode.NO_USABLE_INPUT)
