"""``evtdiag render``: rebuild a report from a saved JSON report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from evtdiag.cli.options import REPORT_FILE, quiet_option, report_output_options
from evtdiag.cli.say import exit_code, say_published, say_summary, summary_wanted
from evtdiag.document import read
from evtdiag.publish.targets import ReportTarget, publish


@click.command()
@click.argument("findings", type=REPORT_FILE)
@report_output_options
@quiet_option("No verdict summary on stderr.")
def render(findings: Path, target: ReportTarget, quiet: bool) -> None:
    """Rebuild a report from a saved JSON report (FINDINGS), without the original inputs.

    The exit code is the one 'report' gave for that document: 1 while it has open
    problems that count, 0 otherwise.

    \b
    Example:
        evtdiag report logs/ --hosts hosts/ --format json -o findings.json
        evtdiag render findings.json -o report.html
        evtdiag render findings.json --redact -o for-support.html
    """
    document = read(findings)
    published = publish(document, target)
    say_published(published)
    if not quiet and summary_wanted(published):
        say_summary(published.document, every=target.every, full_report=target.full_report)
    sys.exit(exit_code(document))
