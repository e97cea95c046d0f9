"""``evtdiag report``: diagnose the logs against the configurations, publish the report."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from evtdiag.cli.options import (
    OUTPUT_SECTION,
    READING_SECTION,
    Moment,
    OutputFilePath,
    SectionedCommand,
    config_options,
    log_options,
    option,
    report_output_options,
)
from evtdiag.cli.say import (
    exit_code,
    say_configurations,
    say_events_written,
    say_published,
    say_refused,
    say_skipped,
    say_speed,
    say_summary,
    summary_wanted,
)
from evtdiag.errors import ExitCode
from evtdiag.pipeline import LogRequest, ReportRequest, build_report, cycle_collection_paused
from evtdiag.progress import progress_line
from evtdiag.publish.targets import ReportTarget, events_file, events_target, publish
from evtdiag.render.terminal import printable_line


@click.command(cls=SectionedCommand)
@log_options
@config_options()
@report_output_options
@option(
    OUTPUT_SECTION,
    "--events",
    "events_path",
    type=OutputFilePath(dir_okay=False, path_type=Path),
    help="Also write every PSync event to this file, one per line: JSON Lines (.jsonl) or "
    "CSV (.csv). The report keeps counts and each problem's first and last events.",
)
@option(
    READING_SECTION,
    "--since",
    type=Moment(),
    help="Only events from this moment on (ISO date or 7d).",
)
@option(
    READING_SECTION,
    "--until",
    type=Moment(),
    help="Only events before this moment (ISO date or 7d).",
)
@click.option("-v", "--verbose", is_flag=True, help="Also say how fast the logs were read.")
def report(
    request: LogRequest,
    quiet: bool,
    verbose: bool,
    hosts_dir: str | None,
    windows_dir: str | None,
    target: ReportTarget,
    since: datetime | None,
    until: datetime | None,
    events_path: Path | None,
) -> None:
    """Diagnose the PSync failures in LOGS against the hosts' and Windows' settings.

    Explains every failure with evidence, sorts failures into host, account, DC and
    pair problems, audits the best practices and gives a verdict.

    \b
    Exit codes: 0 no open problems (operational, or no PSync events), 1 open problems found,
    2 usage error, 3 no usable input (or an input that could not be read at all:
    the report covers the others).

    The default is one self-contained HTML file (evtdiag-report-<UTC time>.html);
    --format json keeps every finding (evtdiag render rebuilds the page from it);
    --events FILE writes every event beside it.

    LOGS are files, folders or archives (.zip, .tar.gz); host configurations and
    Windows settings among them are recognised by their content and read as --hosts
    and --windows would be.

    \b
    Example:
        evtdiag report sample_logs/ -o report.html
        evtdiag report evidence.zip
        evtdiag report sample_logs/*.evtx --hosts sample_logs/hosts \\
            --windows sample_logs/windows -o report.html
        evtdiag report logs/ --hosts hosts/ --redact -o for-support.html
    """
    if since is not None and until is not None and since >= until:
        raise click.BadParameter(
            f"--since ({since.isoformat()}) must come before --until ({until.isoformat()})",
            param_hint="--since",
        )
    if events_path is not None:
        events_path = events_target(events_path, target)
    run = build_report(
        ReportRequest(
            request,
            hosts_dir,
            windows_dir,
            since,
            until,
            run={"command": ["evtdiag", *sys.argv[1:]], "time_zone": target.times.zone_name},
        ),
        progress_line(enabled=not quiet),
    )
    if verbose:
        say_speed(run.read)
    say_skipped(run.read)
    with cycle_collection_paused():
        beside = [events_file(events_path, run.diagnosis.events)] if events_path else []
        published = publish(run.document, target, beside)
    say_published(published)
    if events_path:
        say_events_written(events_path, len(run.diagnosis.events))
    say_configurations(run.configurations, published.redact)
    for alert in run.diagnosis.alerts:
        click.echo(f"Warning: {printable_line(published.redact(alert))}", err=True)
    if not quiet and summary_wanted(published):
        say_summary(published.document, every=target.every, full_report=target.full_report)
    if say_refused(run.read):  # the report covers the other inputs; say what it lacks
        sys.exit(int(ExitCode.NO_USABLE_INPUT))
    sys.exit(exit_code(run.document))
