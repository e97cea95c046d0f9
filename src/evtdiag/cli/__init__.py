"""The command line: the group, its exit codes and signals; one module per command.

This package is the only code that prints or exits. A command parses its options into
the engine's requests (:mod:`evtdiag.pipeline`), publishes what it gets back
(:mod:`evtdiag.publish`) and says what happened; the stages report progress through
callbacks and failures by raising :class:`evtdiag.errors.EvtdiagError`.

Commands are loaded when they are run (click's lazy-group pattern): ``evtdiag --version``
imports click and this module, ``evtdiag events`` never imports the diagnosis, and no
command needs imports tucked inside its functions to start fast.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
from types import FrameType
from typing import Any, NoReturn

import click

from evtdiag import __version__
from evtdiag.errors import EvtdiagError, ExitCode, Terminated
from evtdiag.render.terminal import printable_line

COMMANDS: dict[str, tuple[str, str]] = {
    "report": (
        "evtdiag.cli.report:report",
        "Diagnose the PSync failures in LOGS against the hosts' and Windows' settings.",
    ),
    "events": (
        "evtdiag.cli.events:events",
        "List the PSync events found in LOGS (files, folders or globs).",
    ),
    "render": (
        "evtdiag.cli.render:render",
        "Rebuild a report from a saved JSON report (FINDINGS), without the original inputs.",
    ),
    "compare": (
        "evtdiag.cli.compare:compare",
        "Compare the problems of two JSON reports of one site, BEFORE and AFTER fixes.",
    ),
    "fixes": (
        "evtdiag.cli.fixes:fixes",
        "Write the fixes of a saved JSON report (FINDINGS): a patch and a script per UNIX "
        "host, windows.ps1 and VERIFY.md.",
    ),
    "check-config": (
        "evtdiag.cli.check_config:check_config",
        "Parse host configurations (and Windows settings) and show what was understood.",
    ),
    "collect-script": (
        "evtdiag.cli.collect:collect_script",
        "Print the POSIX sh collector to run as root on a UNIX host.",
    ),
    "unredact": (
        "evtdiag.cli.unredact:unredact",
        "Put the real names back into TEXT (a file, words, or standard input) using a "
        "redaction MAPPING.",
    ),
}
"""Command name -> (``module:attribute`` of its click command, imported when it runs;
the first paragraph of its help, which ``evtdiag --help`` lists without importing every
command). Listed in the order ``--help`` shows them; tests/test_docs.py checks each
summary against its command's help."""


class _Group(click.Group):
    """Loads a command only when it is run or listed, and turns whatever ends a command
    early into a message and its own exit code.

    An :class:`EvtdiagError` exits with its code; Ctrl-C, SIGTERM and SIGHUP with 128 +
    the signal's number; a reader of standard output that went away (``| head``) quietly
    with 141; any other exception, a bug, with 4 and where its traceback was saved. None
    exits 1, which scripts read as "problems found". click's own exceptions (usage errors,
    exit 2) and SystemExit go on to click.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name][0].split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command), COMMANDS[cmd_name][0]
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands with their whole summaries, none imported to list it."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EvtdiagError as error:
            _fail(ctx, printable_line(str(error)), error.exit_code)
        except Terminated as error:
            _fail(ctx, f"stopped by {error.signal_name}", error.exit_code)
        except KeyboardInterrupt:
            _fail(ctx, "interrupted", ExitCode.INTERRUPTED)
        except BrokenPipeError:
            _discard_stdout()
            ctx.exit(int(ExitCode.BROKEN_PIPE))
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            _fail(ctx, _internal_error(error), ExitCode.FAILED)


def _fail(ctx: click.Context, message: str, code: ExitCode) -> NoReturn:
    """Say on stderr why evtdiag stops, and exit with ``code``."""
    click.echo(f"Error: {message}", err=True)
    ctx.exit(int(code))


def _internal_error(error: Exception) -> str:
    """A bug, in one line: the exception, and the private file its traceback was saved to
    (it may hold names from the logs)."""
    from evtdiag.publish.output import save_traceback

    summary = printable_line(f"{type(error).__name__}: {error}")
    try:
        saved = f"its traceback is in {printable_line(str(save_traceback(error)))}"
    except OSError as failure:
        saved = f"its traceback could not be saved ({failure.strerror})"
    return f"internal error ({summary}); {saved}: please report it"


def _discard_stdout() -> None:
    """Point standard output at the null device: its reader has gone, and Python's last
    flush of what is left in its buffers would fail with a message of its own."""
    with contextlib.suppress(OSError):  # no file descriptor (a test's captured output)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evtdiag")
def cli() -> None:
    """Diagnose Windows-to-UNIX password synchronization (IDMU PSync) failures.

    \b
    Exit codes: 0 no open problems, 1 open problems found, 2 usage error, 3 no usable input,
    4 evtdiag failed (an internal error, or an output it could not write in full),
    128 + N stopped by signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP, 141 closed pipe).

    \b
    Examples:
        evtdiag report sample_logs/*.evtx --hosts sample_logs/hosts \\
            --windows sample_logs/windows -o report.html
        evtdiag events sample_logs/
    """


def main() -> None:
    """Console-script entry point."""
    fill_closed_streams()
    stop_on_signals()
    cli(prog_name="evtdiag")


def fill_closed_streams() -> None:
    """Put the null device on each standard descriptor the process was started without
    (``<&-``, ``>&-``, ``2>&-``), so that no file opened later (the report, a log) gets
    descriptor 0, 1 or 2 and what is written there.

    A closed stderr becomes a quiet one: the report is still written, its messages go
    nowhere. A closed stdin or stdout stays None in :mod:`sys`: an input or a report
    asked of them is refused with a message (the report is never silently dropped).
    """
    for descriptor in (0, 1, 2):
        try:
            os.fstat(descriptor)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != descriptor:
                os.dup2(null, descriptor)
                os.close(null)
    if sys.stderr is None:
        # Open for the whole run, as the stream it stands for would be.
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def stop_on_signals() -> None:
    """Make SIGTERM and SIGHUP raise :class:`Terminated` in this process, as Ctrl-C raises
    KeyboardInterrupt, so that the cleanups run: by default they kill at once, leaving
    the temporary file of a report half written.

    Worker processes forked from this one die as by default: they have nothing to clean
    up, and would print a traceback each.
    """
    parent = os.getpid()

    def stop(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != parent:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Terminated(signum)

    for name in ("SIGTERM", "SIGHUP"):  # Windows has no SIGHUP
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


if __name__ == "__main__":  # pragma: no cover
    main()
