"""The command line: parse options, call the stages in order, render, exit.

This is the only module that prints or exits; the stages report progress and
warnings through callbacks and raise :class:`evtdiag.errors.EvtdiagError`.
"""

from __future__ import annotations

import click

from evtdiag import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evtdiag")
def cli() -> None:
    """Diagnose Windows-to-UNIX password synchronization (IDMU PSync) failures.

    \b
    Example:
        evtdiag events sample_logs/
    """


def main() -> None:
    """Console-script entry point."""
    cli()
