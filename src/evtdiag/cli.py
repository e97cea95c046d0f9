"""The command line: parse options, call the stages in order, render, exit.

This is the only module that prints or exits; the stages report progress and
warnings through callbacks and raise :class:`evtdiag.errors.EvtdiagError`.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from evtdiag import __version__
from evtdiag.errors import EvtdiagError, ExitCode, NoUsableInput
from evtdiag.hosts import load_inventory, load_windows
from evtdiag.hosts.collector import collect_script
from evtdiag.hosts.report import format_inventory, format_windows
from evtdiag.logs import DEFAULT_PROVIDERS, LogReadResult, ProviderMatcher, discover, read_logs
from evtdiag.logs.formats import ReadOptions
from evtdiag.logs.inputs import REFUSED
from evtdiag.progress import ProgressLine
from evtdiag.psync import Catalogue, extract
from evtdiag.render.events import coverage_text, events_csv, events_json, events_table
from evtdiag.render.terminal import printable


class _Group(click.Group):
    """Turns an :class:`EvtdiagError` raised by any command into a message and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EvtdiagError as error:
            click.echo(f"Error: {printable(str(error))}", err=True)
            ctx.exit(int(error.exit_code))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evtdiag")
def cli() -> None:
    """Diagnose Windows-to-UNIX password synchronization (IDMU PSync) failures.

    \b
    Exit codes: 0 no problems, 1 problems found, 2 usage error, 3 no usable input.

    \b
    Example:
        evtdiag events sample_logs/ --success-id 12291
    """


def log_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that reads event logs shares."""

    @click.argument("logs", nargs=-1, required=True)
    @click.option(
        "--provider",
        "providers",
        multiple=True,
        metavar="NAME",
        help="Also treat events of this provider as PSync (older Services for UNIX "
        "source names). Repeatable.",
    )
    @click.option(
        "--success-id",
        "success_ids",
        multiple=True,
        type=click.IntRange(0, 0xFFFF),
        metavar="ID",
        help="Event id of 'Successfully changed password' (Microsoft does "
        "not document it). Repeatable.",
    )
    @click.option(
        "--carve",
        is_flag=True,
        help="Also read stale records left in chunk slack (after a chunk's free-space "
        "offset); they are flagged unverified in the output and the coverage.",
    )
    @click.option(
        "--csv-date-format",
        metavar="FORMAT",
        default=None,
        help="strptime format of the 'Date and Time' column of Event Viewer CSV/TXT "
        "exports, e.g. '%d/%m/%Y %H:%M:%S'. Needed when the dates are ambiguous.",
    )
    @click.option("-q", "--quiet", is_flag=True, help="No progress line.")
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    return wrapper


def _read(
    logs: tuple[str, ...], providers: tuple[str, ...], quiet: bool, options: ReadOptions
) -> LogReadResult:
    files = discover(logs)
    progress = ProgressLine(sum(_size(path) for path in files), enabled=not quiet)
    try:
        result = read_logs(
            [str(path) for path in files],
            ProviderMatcher((*DEFAULT_PROVIDERS, *providers)),
            progress,
            options,
        )
    finally:
        progress.close()
    if not any(c.format not in ("skipped", REFUSED) for c in result.inputs):
        reasons = "; ".join(f"{c.path}: {c.note}" for c in result.inputs)
        raise NoUsableInput(f"no readable event log among the inputs ({reasons})")
    return result


def _refused_inputs(result: LogReadResult) -> int:
    """Report every input a reader refused, on stderr; return how many there were."""
    refused = [c for c in result.inputs if c.format == REFUSED]
    for coverage in refused:
        click.echo(f"Error: {printable(coverage.note or coverage.path)}", err=True)
    return len(refused)


def _size(path: os.PathLike[str]) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _catalogue(success_ids: tuple[int, ...]) -> Catalogue:
    try:
        return Catalogue(success_ids)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--success-id") from error


@cli.command()
@log_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="How to list the events.",
)
def events(
    logs: tuple[str, ...],
    providers: tuple[str, ...],
    success_ids: tuple[int, ...],
    carve: bool,
    csv_date_format: str | None,
    quiet: bool,
    output_format: str,
) -> None:
    """List the PSync events found in LOGS (files, folders or globs).

    Prints one line per event (time in UTC, DC, event id, kind, user, host,
    source file, EventRecordID), then on stderr what was read from each input.
    LOGS may be .evtx files, Event Viewer XML or CSV/TXT exports, .zip/.gz/.tar.gz
    archives of those, or - for standard input; formats are recognised by content.
    An input that cannot be read is reported and the others go on; the exit status
    is then 3.

    \b
    Example:
        evtdiag events sample_logs/ --success-id 12291
        evtdiag events 'exports/*.evtx' --format json > events.json
    """
    catalogue = _catalogue(success_ids)
    options = ReadOptions(carve=carve, csv_date_format=csv_date_format)
    result = _read(logs, providers, quiet, options)
    found = extract(result.events, catalogue)
    if output_format == "json":
        click.echo(events_json(found, result.inputs), nl=False)
    elif output_format == "csv":
        click.echo(events_csv(found), nl=False)
    else:
        click.echo(events_table(found), nl=False)
    click.echo(coverage_text(result.inputs), err=True, nl=False)
    if _refused_inputs(result):
        raise SystemExit(ExitCode.NO_USABLE_INPUT)


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
    click.echo(collect_script(), nl=False)


@cli.command("check-config")
@click.option(
    "--hosts",
    "hosts_dir",
    type=_DIR,
    required=True,
    help="Folder with one sub-folder or collector archive per UNIX host.",
)
@click.option(
    "--windows",
    "windows_dir",
    type=_DIR,
    default=None,
    help="Folder with PasswordPropAllow.txt, PasswordPropDeny.txt, net-accounts.txt...",
)
def check_config(hosts_dir: str, windows_dir: str | None) -> None:
    """Parse host configurations (and Windows settings) and show what was understood.

    Exit status: 0 everything parsed, 1 there were warnings, 2 bad path.

    \b
    Example:
        evtdiag check-config --hosts configs/ --windows dc-export/
    """
    inventory = load_inventory(os.fspath(hosts_dir))
    count = len(inventory.warnings) + sum(len(h.warnings) for h in inventory.hosts)
    click.echo(printable(format_inventory(inventory)))
    if windows_dir is not None:
        side = load_windows(os.fspath(windows_dir))
        count += len(side.warnings)
        click.echo(printable(format_windows(side)))
    click.echo(f"{count} warning(s)")
    raise SystemExit(ExitCode.PROBLEMS_FOUND if count else ExitCode.OK)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="evtdiag")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
