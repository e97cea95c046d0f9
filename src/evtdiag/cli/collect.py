"""``evtdiag collect-script``: the collector to run on each UNIX host."""

from __future__ import annotations

import click

from evtdiag.hosts.collector import collect_script as unix_script
from evtdiag.hosts.collector import windows_collect_script


@click.command("collect-script")
@click.option(
    "--windows",
    is_flag=True,
    help="Print the Windows PowerShell 5.1 collector for a domain controller instead.",
)
def collect_script(windows: bool) -> None:
    """Print the POSIX sh collector to run as root on a UNIX host.

    It writes <hostname>.tar.gz with sso.conf, passwd, shadow and policy files,
    sanitised on the host: no ENCRYPT_KEY and no password hash leave it. With
    --windows, the read-only PowerShell script for each domain controller: PSync
    events (.evtx), group members and password policy, zipped for --windows.

    \b
    Example:
        evtdiag collect-script > collect.sh
        sudo sh collect.sh -o /tmp          # on each UNIX host
        evtdiag collect-script --windows > collect-windows.ps1
    """
    click.echo(windows_collect_script() if windows else unix_script(), nl=False)
