"""The command line: parse options, call the stages in order, render, exit.

This is the only module that prints or exits; the stages report progress and
warnings through callbacks and raise :class:`evtdiag.errors.EvtdiagError`.
"""

from __future__ import annotations

import os

import click

from evtdiag import __version__
from evtdiag.errors import ExitCode


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evtdiag")
def cli() -> None:
    """Diagnose Windows-to-UNIX password synchronization (IDMU PSync) failures.

    \b
    Example:
        evtdiag events sample_logs/
    """


_DIR = click.Path(exists=True, file_okay=False, dir_okay=True, readable=True)


@cli.command("collect-script")
def collect_script_cmd() -> None:
    """Print the POSIX sh collector to run as root on a UNIX host.

    It writes <hostname>.tar.gz with sso.conf, passwd, shadow and policy files,
    sanitised on the host: no ENCRYPT_KEY and no password hash leave it.

    \b
    Example:
        evtdiag collect-script > collect.sh
        sudo sh collect.sh -o /tmp          # on each UNIX host
    """
    from evtdiag.hosts.collector import collect_script

    click.echo(collect_script(), nl=False)


@cli.command("check-config")
@click.option("--hosts", "hosts_dir", type=_DIR, required=True,
              help="Folder with one sub-folder or collector archive per UNIX host.")
@click.option("--windows", "windows_dir", type=_DIR, default=None,
              help="Folder with PasswordPropAllow.txt, PasswordPropDeny.txt, net-accounts.txt...")
def check_config(hosts_dir: str, windows_dir: str | None) -> None:
    """Parse host configurations (and Windows settings) and show what was understood.

    Exit status: 0 everything parsed, 1 there were warnings, 2 bad path.

    \b
    Example:
        evtdiag check-config --hosts configs/ --windows dc-export/
    """
    from evtdiag.hosts import load_inventory, load_windows
    from evtdiag.hosts.report import format_inventory, format_windows

    inventory = load_inventory(os.fspath(hosts_dir))
    count = len(inventory.warnings) + sum(len(h.warnings) for h in inventory.hosts)
    click.echo(format_inventory(inventory))
    if windows_dir is not None:
        side = load_windows(os.fspath(windows_dir))
        count += len(side.warnings)
        click.echo(format_windows(side))
    click.echo(f"{count} warning(s)")
    raise SystemExit(ExitCode.PROBLEMS_FOUND if count else ExitCode.OK)


def main() -> None:
    """Console-script entry point."""
    cli()
