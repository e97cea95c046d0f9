"""Write a report safely: atomically, and never over an existing file unless asked."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from evtdiag.errors import UsageError


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

    :raises UsageError: when ``path`` exists and ``force`` is false, or cannot be written.
    """
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise UsageError(f"cannot write in {folder}: {error.strerror}") from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.writelines(parts)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename in (None, temporary, str(path)):
            raise UsageError(f"cannot write {path}: {error.strerror}") from error
        raise  # not a failure to write (rendering a part failed): shown as it is


def default_report_name(now: datetime | None = None, suffix: str = "html") -> Path:
    """``evtdiag-report-YYYYMMDDTHHMMSSZ.html`` (UTC) in the current folder."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return Path(f"evtdiag-report-{moment:%Y%m%dT%H%M%SZ}.{suffix}")
