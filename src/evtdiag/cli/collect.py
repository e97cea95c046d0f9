"""``evtdiag collect-script``: the collector to run on each UNIX host."""

from __future__ import annotations

import click

from evtdiag.hosts.collector import collect_script as script_text


@click.command("collect-script")
def collect_script() -> None:
    """Print the POSIX sh collector to run as root on a UNIX host.

    It writes <hostname>.tar.gz with sso.conf, passwd, shadow and policy files,
    sanitised on the host: no ENCRYPT_KEY and no password hash leave it.

    \b
    Example:
        evtdiag collect-script > collect.sh
        sudo sh collect.sh -o /tmp          # on each UNIX host
    """
    click.echo(script_text(), nl=False)
