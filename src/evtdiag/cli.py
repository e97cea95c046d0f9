"""The command line: parse options, call the stages in order, render, exit.

This is the only module that prints or exits; the stages report progress and
warnings through callbacks and raise :class:`evtdiag.errors.EvtdiagError`.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

import click

from evtdiag import __version__
from evtdiag.errors import EvtdiagError, ExitCode, NoUsableInput, Terminated, UsageError
from evtdiag.render.terminal import printable, printable_line

# Everything else is imported by the command that uses it: `evtdiag --version` and
# `--help` take a fifth of the time then (the diagnosis, jinja2 and the log readers cost
# some 200 ms to import), and `events` never imports the diagnosis or the report
# renderers. tests/test_startup.py fails when a module-level import brings one back.
if TYPE_CHECKING:
    from evtdiag.hosts.model import WindowsSide
    from evtdiag.logs import LogReadResult
    from evtdiag.logs.sources import ReadOptions
    from evtdiag.model import EventRecord, InputCoverage, PsyncEvent, SuccessIdentification
    from evtdiag.render.timefmt import TimeFormatter

REPORT_FORMAT_NAMES = ("html", "json", "text")
COMPARE_FORMAT_NAMES = ("text", "json", "html")
"""The choices of the two --format options: the keys of
REPORT_FORMATS and COMPARE_FORMATS, written out because importing those registries would
import the readers and renderers with the CLI (tests/test_startup.py checks they agree)."""


class _Group(click.Group):
    """Turns whatever ends a command early into a message and its own exit code.

    An :class:`EvtdiagError` exits with its code; Ctrl-C, SIGTERM and SIGHUP with 128 +
    the signal's number; a reader of standard output that went away (``| head``) quietly
    with 141; any other exception, a bug, with 4 and where its traceback was saved. None
    exits 1, which scripts read as "problems found". click's own exceptions (usage errors,
    exit 2) and SystemExit go on to click.
    """

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
    from evtdiag.render.output import save_traceback

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
    Example:
        evtdiag events sample_logs/
    """


def _stacked(command: Callable[..., Any], *decorators: Callable[..., Any]) -> Callable[..., Any]:
    """``command`` with ``decorators`` applied as if written above it, the first on top."""
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


@dataclass(frozen=True)
class LogSource:
    """The logs a command reads and how: what the shared log options asked for."""

    logs: tuple[str, ...]
    providers: tuple[str, ...]
    success_ids: tuple[int, ...]
    infer_successes: bool
    """False with ``--no-success-inference``: only given ids (and the text) make successes."""
    quiet: bool
    jobs: int | None
    options: ReadOptions

    def read(self) -> tuple[LogReadResult, float]:
        """Every input's records and coverage, and the seconds it took.

        :raises NoUsableInput: when no input is a readable log.
        """
        from evtdiag.logs import DEFAULT_PROVIDERS, ProviderMatcher, discover, read_files
        from evtdiag.logs.formats import REFUSED, SKIPPED
        from evtdiag.progress import ProgressLine

        started = time.monotonic()
        files = discover(self.logs)
        total = sum(_size(path) for path in files)
        progress = ProgressLine(total, enabled=not self.quiet)
        try:
            result = read_files(
                files,
                ProviderMatcher((*DEFAULT_PROVIDERS, *self.providers)),
                progress,
                self.options,
                jobs=self.jobs,
            )
        finally:
            progress.close()
        if not any(c.format not in (SKIPPED, REFUSED) for c in result.inputs):
            raise NoUsableInput(_nothing_readable(result.inputs))
        return result, time.monotonic() - started

    def psync_events(
        self, records: Sequence[EventRecord]
    ) -> tuple[list[PsyncEvent], SuccessIdentification]:
        """The PSync events of ``records`` and how their successes were identified.

        The success id is inferred from every record read, so this runs after
        :meth:`read`, never per input: one log alone could make a different guess.
        """
        from evtdiag.psync import Catalogue, extract, identify_successes

        successes = identify_successes(records, self.success_ids, infer=self.infer_successes)
        return extract(records, Catalogue.identified(successes)), successes


def _nothing_readable(inputs: Sequence[InputCoverage]) -> str:
    """Why no input could be read, short even for a folder of many files."""
    if len(inputs) <= 3:
        reasons = "; ".join(f"{c.path}: {c.note}" for c in inputs)
        message = f"no readable event log among the inputs ({reasons})"
    else:
        names = [Path(c.path).name for c in inputs]
        message = (f"none of the {len(names)} inputs is an event log "
                   f"({', '.join(names[:5])} and {len(names) - 5} more)")  # fmt: skip
    if any(Path(c.path).name in CONFIG_FILES or c.path.endswith(".tar.gz") for c in inputs):
        message += (
            "; this looks like host configurations: give that folder with --hosts, and the "
            "exported event logs (.evtx, .xml, .csv) as LOGS"
        )
    return message


CONFIG_FILES = frozenset({"sso.conf", "passwd", "shadow", "login.defs", "hosts.toml"})


class ExportZone(click.ParamType):
    """``--export-tz``: an IANA zone name or a UTC offset."""

    name = "zone"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        from evtdiag.logs.exports.dates import export_zone

        try:
            return export_zone(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


def log_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that reads event logs shares; the command receives
    them as one ``source`` (:class:`LogSource`)."""

    @functools.wraps(command)
    def with_source(
        *,
        logs: tuple[str, ...],
        providers: tuple[str, ...],
        success_ids: tuple[int, ...],
        no_success_inference: bool,
        carve: bool,
        csv_date_format: str | None,
        export_tz: tzinfo | None,
        quiet: bool,
        jobs: int | None,
        **rest: Any,
    ) -> Any:
        from evtdiag.logs.sources import ReadOptions

        _check_success_ids(success_ids)
        options = ReadOptions(carve=carve, csv_date_format=csv_date_format, export_tz=export_tz)
        source = LogSource(logs, providers, success_ids, not no_success_inference, quiet, jobs,
                           options)  # fmt: skip
        return command(source=source, **rest)

    return _stacked(
        with_source,
        click.argument("logs", nargs=-1, required=True),
        click.option(
            "--provider",
            "providers",
            multiple=True,
            metavar="NAME",
            help="Also treat events of this provider as PSync (older Services for UNIX "
            "source names). Repeatable.",
        ),
        click.option(
            "--success-id",
            "success_ids",
            multiple=True,
            type=click.IntRange(0, 0xFFFF),
            metavar="ID",
            help="Event id of 'Successfully changed password'. Without it evtdiag infers it "
            "(see --no-success-inference); give it to confirm the id the report names, or when "
            "nothing was inferred. Microsoft does not document it. Repeatable.",
        ),
        click.option(
            "--no-success-inference",
            is_flag=True,
            help="Do not infer the success id from the logs (the one undocumented PSync id "
            "logged at Information level with a user and a host): without --success-id, only "
            "exports whose rendered text reads 'Successfully changed password' show successes.",
        ),
        click.option(
            "--carve",
            is_flag=True,
            help="Also read stale records left in chunk slack (after a chunk's free-space "
            "offset); they are flagged unverified in the output and the coverage.",
        ),
        click.option(
            "--csv-date-format",
            metavar="FORMAT",
            default=None,
            help="strptime format of the 'Date and Time' column of Event Viewer CSV/TXT "
            "exports, e.g. '%d/%m/%Y %H:%M:%S'. Needed when the dates are ambiguous.",
        ),
        click.option(
            "--export-tz",
            type=ExportZone(),
            default=None,
            metavar="ZONE",
            help="The time zone of the computer that wrote a local-time export (CSV, "
            "Export-Csv, wevtutil text): an IANA name (Europe/Berlin) or an offset "
            "(+02:00). Without it such times are read as UTC.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No progress line."),
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(1, 256),
            default=None,
            metavar="N",
            help="Worker processes reading the logs (default: all cores). The result "
            "does not depend on it.",
        ),
    )


def _refused_inputs(result: LogReadResult) -> int:
    """Report every input a reader refused, on stderr; return how many there were."""
    from evtdiag.logs.formats import REFUSED

    refused = [c for c in result.inputs if c.format == REFUSED]
    for coverage in refused:
        click.echo(f"Error: {printable_line(coverage.note or coverage.path)}", err=True)
    return len(refused)


def _size(path: os.PathLike[str]) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _check_success_ids(success_ids: tuple[int, ...]) -> None:
    """Refuse a failure id before any log is read, as a usage error."""
    from evtdiag.psync import check_success_ids

    try:
        check_success_ids(success_ids)
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
def events(source: LogSource, output_format: str) -> None:
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
    from evtdiag.progress import speed_text
    from evtdiag.render.events import coverage_text, events_csv, events_json, events_table
    from evtdiag.render.output import write_stdout

    result, elapsed = source.read()
    found, successes = source.psync_events(result.events)
    if output_format == "json":
        write_stdout([events_json(found, result.inputs)])
    elif output_format == "csv":
        write_stdout([events_csv(found)])
    else:
        write_stdout([events_table(found)])
    click.echo(coverage_text(result.inputs), err=True, nl=False)
    for sentence in (*successes.notes, *successes.warnings):
        click.echo(printable(sentence), err=True)
    click.echo(speed_text(result.inputs, elapsed), err=True)
    if _refused_inputs(result):
        raise SystemExit(ExitCode.NO_USABLE_INPUT)


class Moment(click.ParamType):
    """An ISO date or time (UTC unless it says otherwise), or a time ago: 7d, 12h, 30m, 2w."""

    name = "moment"
    _AGO = re.compile(r"^(\d+)([mhdw])$")
    _UNITS: ClassVar[dict[str, str]] = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        ago = self._AGO.match(text)
        if ago:
            try:
                return datetime.now(timezone.utc) - timedelta(**{self._UNITS[ago[2]]: int(ago[1])})
            except OverflowError:
                self.fail(f"{text!r} reaches too far into the past", param, ctx)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail(
                f"{text!r} is neither an ISO date (2026-09-01, 2026-09-01T08:00) "
                "nor a time ago (7d, 12h, 30m, 2w)",
                param,
                ctx,
            )
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


_DIR = click.Path(exists=True, file_okay=False, dir_okay=True, readable=True)


class OutputFilePath(click.Path):
    """A file to write, as a :class:`Path`; a name ending in a separator (or . or ..) is
    refused: converted, ``dir/`` would be ``dir``, and the report a file named so."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and os.path.basename(value) in ("", ".", ".."):
            self.fail(f"{value!r} names a folder; give a file name", param, ctx)
        return super().convert(value, param, ctx)


OUTPUT_FILE = OutputFilePath(dir_okay=False, path_type=Path, allow_dash=True)
STDOUT = Path("-")
"""``-o -``: write to standard output."""


def report_output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The output options ``report`` and ``render`` share."""

    @functools.wraps(command)
    def with_output(
        *,
        output_format: str,
        output: Path | None,
        force: bool,
        tz_name: str,
        redact: bool,
        redact_key: Path | None,
        **rest: Any,
    ) -> Any:
        from evtdiag.render.redact import load_key

        report, mapping = _targets(output_format, output, force, redact or redact_key is not None)
        key = load_key(redact_key) if redact_key is not None else None  # before any log is read
        target = ReportOutput(output_format, _times(tz_name), report, mapping, force, key)
        return command(out=target, **rest)

    return _stacked(
        with_output,
        click.option(
            "--format",
            "output_format",
            type=click.Choice(REPORT_FORMAT_NAMES),
            default="html",
            show_default=True,
            help="Report format: one self-contained HTML file, JSON (evtdiag/1) or text.",
        ),
        click.option(
            "-o",
            "--output",
            type=OUTPUT_FILE,
            help="Write the report to this file (default: evtdiag-report-<UTC time>.html "
            "in the current folder for HTML, standard output for JSON and text).",
        ),
        click.option("--force", is_flag=True, help="Overwrite an existing output file."),
        click.option(
            "--tz",
            "tz_name",
            default="UTC",
            show_default=True,
            help="Time zone for text and HTML (IANA name or 'local'); JSON is always UTC.",
        ),
        click.option(
            "--redact",
            is_flag=True,
            help="Replace user, host, DC and domain names and IP addresses by stable "
            "pseudonyms everywhere; the key and mapping go to <report>.redaction.json (0600).",
        ),
        click.option(
            "--redact-key",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Reuse the key of an earlier .redaction.json (or a hex key file), so two "
            "redacted reports use the same pseudonyms. Implies --redact.",
        ),
    )


def _times(tz_name: str) -> TimeFormatter:
    from evtdiag.render.timefmt import TimeFormatter

    try:
        return TimeFormatter(tz_name)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--tz") from error


def _targets(
    output_format: str, output: Path | None, force: bool, redact: bool
) -> tuple[Path | None, Path | None]:
    """Where the report and the redaction mapping go (``-o -``: standard output); refuses
    to overwrite without --force, and a folder that cannot take the file, before any log
    is read."""
    from evtdiag.render.output import default_report_name, exists

    if output == STDOUT:
        output = None
    elif output is None and output_format == "html":
        output = default_report_name()
    mapping = None
    if redact:
        mapping = (
            Path(f"{output}.redaction.json")
            if output
            else default_report_name(suffix="redaction.json")
        )
    for path, hint in ((output, "--output"), (mapping, "--redact")):
        if path is None:
            continue
        if exists(path) and not force:
            raise click.BadParameter(
                f"{path} already exists; use --force to overwrite it", param_hint=hint
            )
        _check_folder(path, hint)
    return output, mapping


def _check_folder(path: Path, hint: str) -> None:
    """Refuse, before the logs are read, a file whose folder is missing or not writable."""
    folder = path.parent
    if not folder.is_dir():
        raise click.BadParameter(f"{folder} is not an existing folder", param_hint=hint)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise click.BadParameter(f"cannot write in {folder}: permission denied", param_hint=hint)


@dataclass(frozen=True)
class ReportOutput:
    """Where and how a report is written: what the shared output options asked for."""

    output_format: str
    times: TimeFormatter
    output: Path | None
    """None: standard output."""
    mapping: Path | None
    """Where the redaction key and mapping go; None when not redacting."""
    force: bool
    redact_key: bytes | None
    """The key of ``--redact-key``, read before the logs; None: a new key."""

    def publish(self, document: dict[str, Any]) -> None:
        """Redact (when asked), render, and write the mapping and the report.

        The mapping goes first, and neither file is written unless both can be: a disk
        with room for the report and not for its key would leave a report nobody can
        decode. On standard output the report follows the mapping written.
        """
        import json

        from evtdiag.render.output import OutputFile, write_files, write_stdout
        from evtdiag.render.redact import Redactor, mapping_document, redact_document

        files: list[OutputFile] = []
        if self.mapping is not None:
            key = self.redact_key if self.redact_key is not None else Redactor.new_key()
            document, redactor = redact_document(document, key)
            mapping_text = json.dumps(mapping_document(redactor), indent=2, ensure_ascii=False)
            files.append(OutputFile(self.mapping, (mapping_text + "\n",), mode=0o600))
        parts = render_document(document, self.output_format, self.times)
        if self.output is not None:
            files.append(OutputFile(self.output, parts))
        write_files(files, force=self.force)
        if self.output is None:
            write_stdout(parts)
        else:
            click.echo(f"Report written to {self.output}", err=True)
        if self.mapping is not None:
            click.echo(
                f"Redaction key and mapping written to {self.mapping} (keep it; do not send it)",
                err=True,
            )


def render_document(
    document: dict[str, Any], output_format: str, times: TimeFormatter
) -> Iterable[str]:
    """:func:`evtdiag.render.formats.render_document`, imported when a report is rendered
    (its HTML renderer imports jinja2); also where tests make rendering fail."""
    from evtdiag.render import formats

    return formats.render_document(document, output_format, times)


def load_windows(directory: str) -> WindowsSide:
    """:func:`evtdiag.hosts.load_windows`, imported when Windows settings are read; also
    where tests count the scans of what it returns."""
    from evtdiag import hosts

    return hosts.load_windows(directory)


@cli.command()
@log_options
@click.option(
    "--hosts",
    "hosts_dir",
    type=_DIR,
    help="Folder with one sub-folder or collector archive per UNIX host.",
)
@click.option(
    "--windows",
    "windows_dir",
    type=_DIR,
    help="Folder with PasswordPropAllow.txt, PasswordPropDeny.txt, the admin groups "
    "and net-accounts.txt.",
)
@report_output_options
@click.option("--since", type=Moment(), help="Only events from this moment on (ISO date or 7d).")
@click.option("--until", type=Moment(), help="Only events before this moment (ISO date or 7d).")
def report(
    source: LogSource,
    hosts_dir: str | None,
    windows_dir: str | None,
    out: ReportOutput,
    since: datetime | None,
    until: datetime | None,
) -> None:
    """Diagnose the PSync failures in LOGS against the hosts' and Windows' settings.

    Explains every failure with evidence, sorts failures into host, account, DC and
    pair problems, audits the best practices and gives a verdict.

    \b
    Exit codes: 0 no open problems (operational, or no PSync events), 1 open problems found,
    2 usage error, 3 no usable input (or an input that could not be read at all:
    the report covers the others).

    The default is one self-contained HTML file (evtdiag-report-<UTC time>.html);
    --format json keeps everything (evtdiag render rebuilds the page from it).

    \b
    Example:
        evtdiag report sample_logs/*.evtx --hosts sample_logs/hosts \\
            --windows sample_logs/windows -o report.html
        evtdiag report logs/ --hosts hosts/ --redact -o for-support.html
    """
    from evtdiag.diagnose import diagnose
    from evtdiag.hosts import load_inventory
    from evtdiag.progress import speed_text
    from evtdiag.psync import within
    from evtdiag.render.fields import iso
    from evtdiag.render.json_report import report_document

    if since is not None and until is not None and since >= until:
        raise click.BadParameter(
            f"--since ({since.isoformat()}) must come before --until ({until.isoformat()})",
            param_hint="--since",
        )
    result, elapsed = source.read()
    if not source.quiet:
        click.echo(speed_text(result.inputs, elapsed), err=True)
    found, successes = source.psync_events(result.events)
    events = within(found, since, until)
    inventory = load_inventory(os.fspath(hosts_dir)) if hosts_dir else None
    windows = load_windows(os.fspath(windows_dir)) if windows_dir else None
    run = {
        "command": ["evtdiag", *sys.argv[1:]],
        "time_zone": out.times.zone_name,
        "since": iso(since),
        "until": iso(until),
    }
    with cycle_collection_paused():
        diagnosis = diagnose(
            events,
            result.inputs,
            inventory,
            windows,
            source.success_ids,
            len(found) - len(events),
            successes=successes,
        )
        document = report_document(diagnosis, run=run, inventory=inventory, windows=windows)
        out.publish(document)
    for alert in diagnosis.alerts:
        click.echo(f"Warning: {printable_line(alert)}", err=True)
    if not source.quiet:
        _summarise(document)
    if _refused_inputs(result):  # the report covers the other inputs; say what it lacks
        sys.exit(int(ExitCode.NO_USABLE_INPUT))
    sys.exit(_exit_code(document))


@contextlib.contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the report is diagnosed and rendered.

    Those stages allocate millions of small objects (groups, causes, event references,
    the document's dicts) that form no reference cycles and live until the report is
    written, yet every collection the allocations trigger traverses all objects alive,
    the events read included: for 200,000 events that was a third of the stages' time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _exit_code(document: dict[str, Any]) -> int:
    """1 while the report has a problem the verdict counts, 0 otherwise: the same for
    ``report`` and for ``render`` of its JSON."""
    from evtdiag.render.problems import counted_in

    return int(ExitCode.PROBLEMS_FOUND if counted_in(document) else ExitCode.OK)


def _summarise(document: dict[str, Any]) -> None:
    """The verdict and the open problems on stderr, in colour on a terminal unless
    NO_COLOR is set."""
    from evtdiag.render.summary import terminal_summary

    colour = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
    click.echo(terminal_summary(document, colour), err=True, nl=False)


@cli.command()
@click.argument("findings", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@report_output_options
@click.option("-q", "--quiet", is_flag=True, help="No verdict summary on stderr.")
def render(
    findings: Path,
    out: ReportOutput,
    quiet: bool,
) -> None:
    """Rebuild a report from a saved JSON report (FINDINGS), without the original inputs.

    The exit code is the one 'report' gave for that document: 1 while it has open
    problems that count, 0 otherwise.

    \b
    Example:
        evtdiag report logs/ --hosts hosts/ --format json -o findings.json
        evtdiag render findings.json -o report.html
        evtdiag render findings.json --redact -o for-support.html
    """
    import jinja2

    document = _saved_report(findings)
    try:
        out.publish(document)
    except (KeyError, TypeError, AttributeError, ValueError, jinja2.TemplateError) as error:
        raise UsageError(
            f"{findings} is not a complete evtdiag report ({type(error).__name__}: {error}); "
            "write a new one with 'evtdiag report ... --format json'"
        ) from error
    if not quiet:
        _summarise(document)
    sys.exit(_exit_code(document))


_REPORT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@cli.command("compare")
@click.argument("before", type=_REPORT_FILE)
@click.argument("after", type=_REPORT_FILE)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(COMPARE_FORMAT_NAMES),
    default="text",
    show_default=True,
    help="Text, JSON (evtdiag-compare/1) or one self-contained HTML page.",
)
@click.option(
    "-o",
    "--output",
    type=OUTPUT_FILE,
    help="Write the comparison to this file (default: standard output).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option(
    "--tz",
    "tz_name",
    default="UTC",
    show_default=True,
    help="Time zone for text and HTML (IANA name or 'local'); JSON is always UTC.",
)
def compare_cmd(
    before: Path, after: Path, output_format: str, output: Path | None, force: bool, tz_name: str
) -> None:
    """Compare the problems of two JSON reports of one site, BEFORE and AFTER fixes.

    Each problem is fixed (resolved in AFTER, or a success in its scope since its last
    failure), not yet verified (nothing tried in its scope since: retry a password change
    there), still failing, or new. Problems match by id, else by scope and whom they name
    (a cause may change once configurations are supplied).

    \b
    Exit codes: 0 nothing still failing or new, 1 otherwise, 2 usage error.

    \b
    Example:
        evtdiag report logs/ --hosts hosts/ --until 2026-09-20 --format json -o before.json
        evtdiag report logs/ --hosts hosts/ --format json -o after.json
        evtdiag compare before.json after.json
    """
    from evtdiag.compare import compare_reports
    from evtdiag.render.compare_report import COMPARE_FORMATS
    from evtdiag.render.output import write_report, write_stdout
    from evtdiag.render.timefmt import TimeFormatter

    times = _times(tz_name)
    comparison = compare_reports(
        _saved_report(before),
        _saved_report(after),
        TimeFormatter() if output_format == "json" else times,
        paths=(str(before), str(after)),
    )
    parts = COMPARE_FORMATS[output_format](comparison, times)
    if output is None or output == STDOUT:
        write_stdout(parts)
    else:
        write_report(output, parts, force=force)
        click.echo(f"Comparison written to {output}", err=True)
    sys.exit(int(ExitCode.OK if comparison.settled else ExitCode.PROBLEMS_FOUND))


def _saved_report(path: Path) -> dict[str, Any]:
    """The JSON report at ``path``, checked by :func:`load_document`."""
    from evtdiag.render.json_report import load_document

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path} cannot be read as a JSON report: {error}") from error
    return load_document(text, str(path))


@cli.command("unredact")
@click.argument("mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("text", nargs=-1)
def unredact_cmd(mapping: Path, text: tuple[str, ...]) -> None:
    """Put the real names back into TEXT (a file, words, or standard input) using a
    redaction MAPPING.

    \b
    Example:
        evtdiag unredact report.html.redaction.json "user-7f3a fails on host-2c91"
        evtdiag unredact report.html.redaction.json answer-from-support.txt
        evtdiag unredact report.html.redaction.json < answer-from-support.txt
    """
    from evtdiag.render.redact import load_mapping, unredact

    names = load_mapping(mapping)
    if len(text) == 1 and _is_file(text[0]):
        try:
            source = Path(text[0]).read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            raise UsageError(f"{text[0]}: {error.strerror}") from error
    elif text:
        source = " ".join(text) + "\n"
    else:
        source = click.get_text_stream("stdin").read()
    click.echo(unredact(source, names), nl=False)


def _is_file(text: str) -> bool:
    """Whether ``text`` names a file (a long answer pasted as one argument does not)."""
    try:
        return "\n" not in text and Path(text).is_file()
    except (OSError, ValueError):
        return False


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

    Exit status: 0 everything parsed, 1 there were warnings, 2 bad path, 3 no host
    configuration in the folder.

    \b
    Example:
        evtdiag check-config --hosts configs/ --windows dc-export/
    """
    from evtdiag.hosts import load_inventory
    from evtdiag.render.config_text import format_inventory, format_windows

    inventory = load_inventory(os.fspath(hosts_dir))
    if not inventory.hosts:
        raise NoUsableInput(
            f"no host configuration in {hosts_dir}: give the folder that holds one folder "
            "(or collector archive) per UNIX host"
        )
    count = len(inventory.warnings) + sum(len(h.warnings) for h in inventory.hosts)
    click.echo(printable(format_inventory(inventory)))
    if windows_dir is not None:
        side = load_windows(os.fspath(windows_dir))
        count += len(side.warnings)
        click.echo(printable(format_windows(side)))
    click.echo(f"{count} warning(s)")
    raise SystemExit(ExitCode.PROBLEMS_FOUND if count else ExitCode.OK)


YOUNG_OBJECTS_PER_COLLECTION = 50_000
"""Allocations between two collections of the youngest generation (Python's default
is 700), and a full collection every 2,000 of those instead of every 100. Reading a log of
200,000 PSync events keeps every event alive, and the default thresholds made the
collector traverse them again and again: 15 to 20 % of the reading time
(``bench/out/dense-templated.evtx``, one run). Cycles are still collected: the
python-evtx fallback and exceptions do make some while reading."""


def tune_cycle_collector() -> None:
    """Collect cycles as a run of evtdiag needs (see :data:`YOUNG_OBJECTS_PER_COLLECTION`)."""
    gc.set_threshold(YOUNG_OBJECTS_PER_COLLECTION, 20, 100)


def main() -> None:
    """Console-script entry point."""
    tune_cycle_collector()
    stop_on_signals()
    cli(prog_name="evtdiag")


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
    sys.exit(main())
