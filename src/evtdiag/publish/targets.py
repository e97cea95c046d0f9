"""Output targets: a document or a rendering, from the engine to the files the user asked for.

The output options (``-o FILE``, ``-o -``, the default report name, ``--force``) checked
before any log is read, redaction when asked, and every file written whole or not at
all. Nothing here prints: the command line says what was written, from the
:class:`Published` it gets back.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evtdiag.errors import UsageError
from evtdiag.publish.output import (
    OutputFile,
    default_report_name,
    exists,
    write_files,
    write_report,
    write_stdout,
)
from evtdiag.publish.redact import Redactor, load_key, mapping_document, redact_document
from evtdiag.publish.redact_paths import CommandPaths
from evtdiag.render import formats
from evtdiag.render.terminal import printable_line
from evtdiag.render.timefmt import TimeFormatter

if TYPE_CHECKING:
    from evtdiag.model import PsyncEvent

STDOUT = Path("-")
"""``-o -``: write to standard output."""


@dataclass(frozen=True)
class ReportTarget:
    """Where and how a report is written: what the output options asked for, checked
    before any log is read."""

    output_format: str
    times: TimeFormatter
    output: Path | None
    """None: standard output."""
    mapping: Path | None
    """Where the redaction key and mapping go; None when not redacting."""
    force: bool
    redact_key: bytes | None
    """The key of ``--redact-key``; None: a new key."""
    command_paths: CommandPaths
    """Which arguments of a recorded command line are paths (the command line knows)."""
    every: bool = False
    """``--all``: the text report and the terminal summary list every problem."""

    @property
    def full_report(self) -> Path | None:
        """The report file written (HTML or JSON), where a bounded listing points for the
        rest: the JSON holds every problem, the HTML page the first of each scope; None
        when the report went elsewhere or is text."""
        return self.output if self.output_format != "text" else None


@dataclass(frozen=True)
class Published:
    """What was written where, and what the terminal may show of it: under
    ``--redact``, the redacted document and the names of any other line (a warning)
    replaced the same way, so that a terminal pasted into a ticket holds no name either."""

    report: Path | None
    """None: the report went to standard output."""
    mapping: Path | None
    document: dict[str, Any]
    redact: Callable[[str], str] = str


def report_target(
    output_format: str,
    output: Path | None,
    times: TimeFormatter,
    *,
    force: bool = False,
    redact: bool = False,
    redact_key: Path | None = None,
    command_paths: CommandPaths,
    every: bool = False,
) -> ReportTarget:
    """Where a report and its redaction mapping go (``-o -``: standard output; HTML
    without ``-o``: a new file named after the time), refusing, before any log is read,
    to overwrite without ``force`` and a folder that cannot take the file.
    ``command_paths`` finds the paths of the command line a redacted document records.

    :raises UsageError: naming the option at fault.
    """
    if output == STDOUT:
        output = None
    elif output is None and output_format == "html":
        output = default_report_name()
    mapping = None
    if redact or redact_key is not None:
        mapping = (
            Path(f"{output}.redaction.json")
            if output
            else default_report_name(suffix="redaction.json")
        )
    for path, option in ((output, "--output"), (mapping, "--redact")):
        if path is not None:
            _check_writable(path, option, force)
    key = load_key(redact_key) if redact_key is not None else None
    return ReportTarget(output_format, times, output, mapping, force, key, command_paths, every)


def _check_writable(path: Path, option: str, force: bool) -> None:
    """Refuse a file that exists (without ``force``), or whose folder is missing or not
    writable."""
    if exists(path) and not force:
        raise _invalid(option, f"{printable_line(str(path))} already exists; use --force to "
                       "overwrite it")  # fmt: skip
    folder = path.parent
    shown = printable_line(str(folder))
    if not folder.is_dir():
        raise _invalid(option, f"{shown} is not an existing folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _invalid(option, f"cannot write in {shown}: permission denied")


def _invalid(option: str, reason: str) -> UsageError:
    return UsageError(f"Invalid value for '{option}': {reason}")


def events_target(path: Path, target: ReportTarget) -> Path:
    """Where ``report --events`` writes every event, checked before any log is read: a
    ``.jsonl`` or ``.csv`` file (:data:`~evtdiag.render.events.EVENT_FILES`) that may be
    written, not the report itself, and never beside a redacted report.

    :raises UsageError: naming ``--events``.
    """
    from evtdiag.render.events import EVENT_FILES

    if target.mapping is not None:
        raise _invalid("--events", "the events file names every account, host and DC as "
                       "logged and cannot be redacted: leave --events out of a redacted "
                       "run, or write it in a run of its own")  # fmt: skip
    if path.suffix.casefold() not in EVENT_FILES:
        raise _invalid("--events", f"{printable_line(str(path))} must end in "
                       f"{' or '.join(EVENT_FILES)} (JSON Lines or CSV)")  # fmt: skip
    if target.output is not None and os.path.abspath(path) == os.path.abspath(target.output):
        raise _invalid("--events", "it names the report's own file (--output)")
    _check_writable(path, "--events", target.force)
    return path


def events_file(path: Path, events: Iterable[PsyncEvent]) -> OutputFile:
    """The events file of ``report --events``, in the form its extension names, rendered
    as it is written."""
    from evtdiag.render.events import EVENT_FILES

    return OutputFile(path, EVENT_FILES[path.suffix.casefold()](events))


def publish(
    document: dict[str, Any], target: ReportTarget, beside: Sequence[OutputFile] = ()
) -> Published:
    """Redact (when asked), render, and write the mapping and the report.

    The mapping goes first, and neither file is written unless both can be: a disk
    with room for the report and not for its key would leave a report nobody can
    decode. On standard output the report follows the mapping written. ``beside`` (the
    events file) is written with them, all or nothing.
    """
    files: list[OutputFile] = []
    redact: Callable[[str], str] = str
    if target.mapping is not None:
        key = target.redact_key if target.redact_key is not None else Redactor.new_key()
        document, redactor = redact_document(document, key, target.command_paths)
        redact = redactor.redact_text
        mapping_text = json.dumps(mapping_document(redactor), indent=2, ensure_ascii=False)
        files.append(OutputFile(target.mapping, (mapping_text + "\n",), mode=0o600))
    parts = formats.render_document(document, target.output_format, target.times, target.every)
    if target.output is not None:
        files.append(OutputFile(target.output, parts))
    write_files([*files, *beside], force=target.force)
    if target.output is None:
        write_stdout(parts)
    return Published(target.output, target.mapping, document, redact)


def write_output(parts: Iterable[str], output: Path | None, *, force: bool = False) -> Path | None:
    """Write a rendering (a comparison, a listing) to ``output`` whole, or to standard
    output when it is None or ``-``; return the file written, if any."""
    if output is None or output == STDOUT:
        write_stdout(parts)
        return None
    write_report(output, parts, force=force)
    return output


def write_folder(folder: Path, files: dict[str, str], *, force: bool = False) -> list[Path]:
    """Write ``files`` (name -> text) into ``folder``, made when missing (its parent must
    exist): all of them or none, never over a file without ``force``.

    :raises UsageError: when the folder cannot be made or a file exists.
    """
    try:
        folder.mkdir(exist_ok=True)
    except FileNotFoundError as error:
        raise _invalid("--output", f"{folder.parent} is not an existing folder") from error
    except (FileExistsError, NotADirectoryError) as error:
        raise _invalid("--output", f"{folder} exists and is not a folder") from error
    except OSError as error:
        raise _invalid("--output", f"cannot make {folder}: {error.strerror}") from error
    paths = [folder / name for name in files]
    write_files(
        [OutputFile(path, (text,)) for path, text in zip(paths, files.values(), strict=True)],
        force=force,
    )
    return paths
