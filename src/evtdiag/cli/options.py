"""The option groups the commands share, each declared once as a decorator.

Every group hands its command one value (a :class:`~evtdiag.pipeline.LogRequest`, a
:class:`~evtdiag.publish.targets.ReportTarget`...) instead of a dozen keywords, checked before
any log is read: a report that could not be written is refused at once, not after a
long read.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

import click

from evtdiag.render.problems import TOP_PROBLEMS
from evtdiag.render.timefmt import TimeFormatter

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def stacked(command: Callable[..., Any], *decorators: Decorator) -> Callable[..., Any]:
    """``command`` with ``decorators`` applied as if written above it, the first on top."""
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


# -- help by sections ---------------------------------------------------------------------

CONFIGURATIONS_SECTION = "Configurations"
OUTPUT_SECTION = "Output"
READING_SECTION = "Reading the logs"
OTHER_SECTION = "Options"
SECTION_ORDER = (CONFIGURATIONS_SECTION, OUTPUT_SECTION, OTHER_SECTION, READING_SECTION)
"""The order ``--help`` lists the option sections in: what a first run needs before the
fine points of reading."""
SUGGESTION_RATIO = 0.75
"""How alike (difflib's ratio) a mistyped option must be to a real one to be suggested:
``--host`` is 0.91 to ``--hosts``, 0.67 to ``--jobs``."""


class SectionOption(click.Option):
    """An option that knows the help section it is listed in."""

    def __init__(self, *args: Any, section: str = OTHER_SECTION, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section = section


class SectionedCommand(click.Command):
    """A command whose ``--help`` lists its options by section (:data:`SECTION_ORDER`),
    and whose unknown-option error suggests only options close to the one typed."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            if not isinstance(param, click.Option):
                continue  # the usage line names the arguments
            record = param.get_help_record(ctx)
            if record is not None:
                rows.setdefault(getattr(param, "section", OTHER_SECTION), []).append(record)
        for section in sorted(rows, key=SECTION_ORDER.index):
            with formatter.section(section):
                formatter.write_dl(rows[section])

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as error:
            names = [n for p in self.get_params(ctx) for n in (*p.opts, *p.secondary_opts)]
            possibilities = closest_options(error.option_name, names)
            raise click.NoSuchOption(error.option_name, possibilities=possibilities,
                                     ctx=ctx) from None  # fmt: skip


def closest_options(typed: str, names: list[str]) -> list[str]:
    """The options ``typed`` was probably meant to be: those it begins (``--host`` for
    ``--hosts``), else the single most alike above :data:`SUGGESTION_RATIO`."""
    if not typed.startswith("--"):
        return []
    longs = [n for n in names if n.startswith("--")]
    begun = sorted(n for n in longs if n.startswith(typed))
    return begun or difflib.get_close_matches(typed, longs, n=1, cutoff=SUGGESTION_RATIO)


def option(section: str, *names: str, **kwargs: Any) -> Decorator:
    """``click.option`` listed under ``section`` in a :class:`SectionedCommand`'s help."""
    return click.option(*names, cls=SectionOption, section=section, **kwargs)


# -- parameter types ---------------------------------------------------------------------


class Moment(click.ParamType[datetime]):
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
        if moment.tzinfo is None:
            return moment.replace(tzinfo=timezone.utc)
        try:  # compared with the events' UTC times and written as UTC in the report
            return moment.astimezone(timezone.utc)
        except OverflowError:
            self.fail(f"{text!r} lies outside the years 1 to 9999 in UTC", param, ctx)


Made = TypeVar("Made")


class MadeFrom(click.ParamType[Made]):
    """A value made from the option's text by ``make``, whose ValueError (an unknown zone,
    a bad offset) is the usage error, in the option's words."""

    def __init__(self, name: str, kind: type[Any], make: Callable[[str], Made]) -> None:
        self.name = name
        self.kind = kind
        self.make = make

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Made:
        if isinstance(value, self.kind):  # click converts a value it made again
            return cast(Made, value)
        try:
            return self.make(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


def _export_zone(text: str) -> tzinfo:
    """:func:`evtdiag.logs.exports.dates.export_zone`, imported when the option is given:
    commands that read no log never load the readers."""
    from evtdiag.logs.exports.dates import export_zone

    return export_zone(text)


TIME_ZONE = MadeFrom("zone", TimeFormatter, TimeFormatter)
"""``--tz``: an IANA zone name or ``local``, as the :class:`TimeFormatter` of it."""
EXPORT_ZONE = MadeFrom("zone", tzinfo, _export_zone)
"""``--export-tz``: an IANA zone name or a UTC offset."""


class OutputFilePath(click.Path):
    """A file to write, as a :class:`Path`; a name ending in a separator (or . or ..) is
    refused: converted, ``dir/`` would be ``dir``, and the report a file named so."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and os.path.basename(value) in ("", ".", ".."):
            self.fail(f"{value!r} names a folder; give a file name", param, ctx)
        return super().convert(value, param, ctx)


OUTPUT_FILE = OutputFilePath(dir_okay=False, path_type=Path, allow_dash=True)
CONFIGURATIONS = click.Path(exists=True, file_okay=True, dir_okay=True, readable=True)
"""A folder of configurations, or an archive of one (:mod:`evtdiag.bundle`)."""
REPORT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
"""A saved JSON report to read."""

REPORT_FORMAT_NAMES = ("html", "json", "text")
COMPARE_FORMAT_NAMES = ("text", "json", "html")
"""The choices of the two --format options: the keys of REPORT_FORMATS and
COMPARE_FORMATS, written out because importing those registries would import the
renderers with every command (tests/cli/test_startup.py checks they agree)."""


# -- log options ---------------------------------------------------------------------------


def log_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that reads event logs shares; the command receives
    them as one ``request`` (:class:`~evtdiag.pipeline.LogRequest`) and ``quiet``."""

    @functools.wraps(command)
    def with_request(
        *,
        logs: tuple[str, ...],
        providers: tuple[str, ...],
        success_ids: tuple[int, ...],
        no_success_inference: bool,
        carve: bool,
        csv_date_format: str | None,
        export_tz: tzinfo | None,
        jobs: int | None,
        **rest: Any,
    ) -> Any:
        from evtdiag.logs.sources import ReadOptions
        from evtdiag.pipeline import LogRequest

        options = ReadOptions(carve=carve, csv_date_format=csv_date_format, export_tz=export_tz)
        request = LogRequest(logs, providers, success_ids, not no_success_inference, jobs,
                             options)  # fmt: skip
        return command(request=request, **rest)

    return stacked(
        with_request,
        click.argument("logs", nargs=-1, required=True),
        option(
            READING_SECTION,
            "--provider",
            "providers",
            multiple=True,
            metavar="NAME",
            help="Also treat events of this provider as PSync (older Services for UNIX "
            "source names). Repeatable.",
        ),
        option(
            READING_SECTION,
            "--success-id",
            "success_ids",
            multiple=True,
            type=click.IntRange(0, 0xFFFF),
            callback=_refuse_failure_ids,
            metavar="ID",
            help="Event id of 'Successfully changed password'. Without it evtdiag infers it "
            "(see --no-success-inference); give it to confirm the id the report names, or when "
            "nothing was inferred. Microsoft does not document it. Repeatable.",
        ),
        option(
            READING_SECTION,
            "--no-success-inference",
            is_flag=True,
            help="Do not infer the success id from the logs (the one undocumented PSync id "
            "logged at Information level with a user and a host): without --success-id, only "
            "exports whose rendered text reads 'Successfully changed password' show successes.",
        ),
        option(
            READING_SECTION,
            "--carve",
            is_flag=True,
            help="Also read stale records left in chunk slack (after a chunk's free-space "
            "offset); they are flagged unverified in the output and the coverage.",
        ),
        option(
            READING_SECTION,
            "--csv-date-format",
            metavar="FORMAT",
            default=None,
            help="strptime format of the 'Date and Time' column of Event Viewer CSV/TXT "
            "exports, e.g. '%d/%m/%Y %H:%M:%S'. Needed when the dates are ambiguous.",
        ),
        option(
            READING_SECTION,
            "--export-tz",
            type=EXPORT_ZONE,
            default=None,
            metavar="ZONE",
            help="The time zone of the computer that wrote a local-time export (CSV, "
            "Export-Csv, wevtutil text): an IANA name (Europe/Berlin) or an offset "
            "(+02:00). Without it such times are read as UTC.",
        ),
        quiet_option("No progress line."),
        option(
            READING_SECTION,
            "-j",
            "--jobs",
            type=click.IntRange(1, 256),
            default=None,
            metavar="N",
            help="Worker processes reading the logs (default: all cores). The result "
            "does not depend on it.",
        ),
    )


def _refuse_failure_ids(
    ctx: click.Context, param: click.Parameter, success_ids: tuple[int, ...]
) -> tuple[int, ...]:
    """Refuse a documented failure id as a success id, as a usage error."""
    from evtdiag.psync import check_success_ids

    try:
        check_success_ids(success_ids)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from error
    return success_ids


def quiet_option(help_text: str) -> Decorator:
    return click.option("-q", "--quiet", is_flag=True, help=help_text)


# -- configuration options --------------------------------------------------------------


def config_options(*, hosts_required: bool = False) -> Decorator:
    """``--hosts`` and ``--windows``: the folders of the UNIX hosts' and the Windows
    settings (``report`` and ``check-config``)."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        return stacked(
            command,
            option(
                CONFIGURATIONS_SECTION,
                "--hosts",
                "hosts_dir",
                type=CONFIGURATIONS,
                required=hosts_required,
                help="Folder (or .zip/.tar.gz of it) with one sub-folder or collector "
                "archive per UNIX host. Found by content in LOGS folders and archives.",
            ),
            option(
                CONFIGURATIONS_SECTION,
                "--windows",
                "windows_dir",
                type=CONFIGURATIONS,
                help="Folder (or .zip of it) with PasswordPropAllow.txt, PasswordPropDeny.txt, "
                "the admin groups and net-accounts.txt. Found by content in LOGS too.",
            ),
        )

    return decorate


# -- output options ----------------------------------------------------------------------


def output_options(formats: tuple[str, ...], default: str, format_help: str, output_help: str
                   ) -> Decorator:  # fmt: skip
    """``--format``, ``-o``, ``--force`` and ``--tz``, for every command that writes a
    rendering; the command receives ``output_format``, ``output``, ``force`` and ``times``."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        return stacked(
            command,
            option(
                OUTPUT_SECTION,
                "--format",
                "output_format",
                type=click.Choice(formats),
                default=default,
                show_default=True,
                help=format_help,
            ),
            option(OUTPUT_SECTION, "-o", "--output", type=OUTPUT_FILE, help=output_help),
            option(
                OUTPUT_SECTION, "--force", is_flag=True, help="Overwrite an existing output file."
            ),
            option(
                OUTPUT_SECTION,
                "--tz",
                "times",
                type=TIME_ZONE,
                default="UTC",
                show_default=True,
                help="Time zone for text and HTML (IANA name or 'local'); JSON is always UTC.",
            ),
        )

    return decorate


def report_output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The output options ``report`` and ``render`` share, with redaction; the command
    receives them as one ``target`` (:class:`~evtdiag.publish.targets.ReportTarget`), checked
    before any log is read."""

    @functools.wraps(command)
    def with_target(
        *,
        output_format: str,
        output: Path | None,
        force: bool,
        times: TimeFormatter,
        redact: bool,
        redact_key: Path | None,
        every: bool,
        **rest: Any,
    ) -> Any:
        from evtdiag.cli.paths import command_paths
        from evtdiag.publish.targets import report_target

        target = report_target(
            output_format,
            output,
            times,
            force=force,
            redact=redact,
            redact_key=redact_key,
            command_paths=command_paths,
            every=every,
        )
        return command(target=target, **rest)

    return stacked(
        with_target,
        output_options(
            REPORT_FORMAT_NAMES,
            "html",
            "Report format: one self-contained HTML file, JSON (evtdiag/2) or text.",
            "Write the report to this file (default: evtdiag-report-<UTC time>.html "
            "in the current folder for HTML, standard output for JSON and text).",
        ),
        option(
            OUTPUT_SECTION,
            "--redact",
            is_flag=True,
            help="Replace user, host, DC and domain names and IP addresses by stable "
            "pseudonyms everywhere; the key and mapping go to <report>.redaction.json (0600).",
        ),
        option(
            OUTPUT_SECTION,
            "--redact-key",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Reuse the key of an earlier .redaction.json (or a hex key file), so two "
            "redacted reports use the same pseudonyms. Implies --redact.",
        ),
        option(
            OUTPUT_SECTION,
            "--all",
            "every",
            is_flag=True,
            help=f"List every problem in the text report and the summary on stderr (by "
            f"default the first {TOP_PROBLEMS} lines by impact, then how many more).",
        ),
    )
