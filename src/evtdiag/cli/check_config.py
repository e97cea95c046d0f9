"""``evtdiag check-config``: show what evtdiag understood of the configurations."""

from __future__ import annotations

import click

from evtdiag.bundle import configurations
from evtdiag.cli.options import config_options
from evtdiag.errors import ExitCode, NoUsableInput
from evtdiag.hosts import load_inventory, load_windows
from evtdiag.render.config_text import format_inventory, format_windows
from evtdiag.render.terminal import printable


@click.command("check-config")
@config_options(hosts_required=True)
def check_config(hosts_dir: str, windows_dir: str | None) -> None:
    """Parse host configurations (and Windows settings) and show what was understood.

    Exit status: 0 everything parsed, 1 there were warnings, 2 bad path, 3 no host
    configuration in the folder.

    \b
    Example:
        evtdiag check-config --hosts configs/ --windows dc-export/
    """
    with configurations((), hosts_dir, windows_dir) as found:
        assert found.hosts_dir is not None  # --hosts is required
        inventory = load_inventory(found.hosts_dir, found.host_entries)
        side = load_windows(found.windows_dir) if found.windows_dir else None
    if not inventory.hosts:
        raise NoUsableInput(
            f"no host configuration in {hosts_dir}: give the folder that holds one folder "
            "(or collector archive) per UNIX host"
        )
    count = len(inventory.warnings) + sum(len(h.warnings) for h in inventory.hosts)
    click.echo(printable(format_inventory(inventory)))
    if side is not None:
        count += len(side.warnings)
        click.echo(printable(format_windows(side)))
    click.echo(f"{count} warning(s)")
    raise SystemExit(ExitCode.PROBLEMS_FOUND if count else ExitCode.OK)
