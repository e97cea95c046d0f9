"""Write a report safely: atomically, and never over an existing file unless asked."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

from evtdiag.errors import UsageError

UNENCODABLE = "backslashreplace"
"""What becomes of text UTF-8 cannot encode (a file name's undecodable bytes, kept by
Python as lone surrogates): ``\\udcff`` escapes, which JSON reads back as the same
string."""


def write_report(
    path: Path, parts: Iterable[str], *, force: bool = False, mode: int = 0o644
) -> None:
    """Write the text ``parts`` one after the other to ``path`` through a temporary file in
    the same folder, then rename.

    A reader never sees half a report, and a crash leaves the old file intact; so does an
    error while the parts are being produced (they may be rendered as they are written,
    so that a large report is never held whole). The temporary file is created private
    (0600) and given ``mode`` before the rename, so a private file (a redaction key) is
    never readable by others, not even for a moment.

    Text that UTF-8 cannot encode (a file name's undecodable bytes, kept by Python as
    lone surrogates) is written as ``\\udcff`` escapes: in JSON that is the same string.

    :raises UsageError: when ``path`` exists and ``force`` is false, or cannot be written.
    """
    if exists(path) and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise UsageError(f"cannot write in {folder}: {error.strerror}") from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8", errors=UNENCODABLE, newline="\n") as out:
            for part in parts:  # an error while rendering a part propagates as it is
                _writing(path, out.write, part)
            _writing(path, out.flush)
        _writing(path, os.chmod, temporary, mode)
        _writing(path, os.replace, temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_stdout(parts: Iterable[str]) -> None:
    """Write text ``parts`` to standard output, encoded as :func:`write_report` encodes
    a file, so that a report piped elsewhere is the same bytes as one written with -o."""
    stream = sys.stdout.buffer
    for part in parts:
        stream.write(part.encode("utf-8", UNENCODABLE))
    stream.flush()


def _writing(path: Path, step: Callable[..., object], *args: object) -> None:
    """Do one step of writing ``path``; a failure is a usage error that names it."""
    try:
        step(*args)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from error


def exists(path: Path) -> bool:
    """Whether ``path`` exists; a name the system refuses (too long...) is a usage error."""
    try:
        return path.exists()
    except OSError as error:
        raise UsageError(f"cannot use {path} as an output: {error.strerror}") from error


def default_report_name(now: datetime | None = None, suffix: str = "html") -> Path:
    """``evtdiag-report-YYYYMMDDTHHMMSSZ.html`` (UTC) in the current folder."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return Path(f"evtdiag-report-{moment:%Y%m%dT%H%M%SZ}.{suffix}")
