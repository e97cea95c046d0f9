"""Write a report safely: all of it or an error, atomically, never over an existing file
unless asked, and only ever as a regular file.

Every byte is checked: a write may take only part of what it is given (a disk filling up,
``ulimit -f``) and Python's buffered streams then return the short count rather than fail,
so a report would be cut without a word. Here a write that is cut is retried, and the
retry fails with the reason.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from evtdiag.errors import OutputError, UsageError

UNENCODABLE = "backslashreplace"
"""What becomes of text UTF-8 cannot encode (a file name's undecodable bytes, kept by
Python as lone surrogates): ``\\udcff`` escapes, which JSON reads back as the same
string."""

CHUNK_BYTES = 1 << 16
"""Encoded parts are written in chunks of at least this size: a report rendered in many
small parts still takes few system calls, and none is held whole."""


@dataclass(frozen=True)
class OutputFile:
    """One file to write: where, what, and its mode (None: the mode of the file it
    replaces, else 0666 less the umask, as any program creating a file gives it)."""

    path: Path
    parts: Iterable[str]
    mode: int | None = None


@dataclass(frozen=True)
class _Staged:
    """A file written in full under a temporary name beside its target, not yet visible."""

    path: Path
    temporary: Path
    force: bool

    def commit(self) -> None:
        """Give the file its name: replace the target (with force), else create it with
        a hard link, which fails if the name was taken since the checks, so a report
        another run wrote meanwhile is never overwritten."""
        if self.force:
            _existing(self.path)  # a device or a FIFO put there while the file was written
            _writing(self.path, os.replace, self.temporary, self.path)
            return
        try:
            os.link(self.temporary, self.path)
        except FileExistsError as error:
            raise _already_exists(self.path) from error
        except OSError:  # no hard links here (FAT, some network shares)
            self._claim_then_replace()

    def _claim_then_replace(self) -> None:
        """Create without a hard link: claim the name with an exclusive create, which
        fails as the link does, then rename over the empty file. A reader may see it
        empty for a moment; another run's report is never lost."""
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError as error:
            raise _already_exists(self.path) from error
        except OSError as error:
            raise _cannot_write(self.path, error) from error
        try:
            os.replace(self.temporary, self.path)
        except OSError as error:
            self.path.unlink(missing_ok=True)  # the empty file claimed, not a report
            raise _cannot_write(self.path, error) from error

    def discard(self) -> None:
        """Remove the temporary file: after a failure, or once a link gave the target its
        content (a rename leaves nothing to remove)."""
        self.temporary.unlink(missing_ok=True)


def write_report(
    path: Path, parts: Iterable[str], *, force: bool = False, mode: int | None = None
) -> None:
    """Write the text ``parts`` one after the other to ``path`` (see :func:`write_files`).

    :raises UsageError: when ``path`` exists and ``force`` is false, or is not a regular file.
    :raises OutputError: when it cannot be written in full.
    """
    write_files([OutputFile(path, parts, mode)], force=force)


def write_files(files: Sequence[OutputFile], *, force: bool = False) -> None:
    """Write every file in full under a temporary name in its folder, then give each its
    name, in order.

    A reader never sees half a file, a crash leaves the old one intact (the data is
    synced before the rename), and a failure while writing (a full disk, an error while
    the parts are rendered, Ctrl-C) leaves no temporary file and the targets as they
    were: none of the files is written unless all could be, so a redaction key listed
    before its report is never lost for lack of room once the report is written. Only
    a failure to name a file (another run took the name meanwhile) leaves the ones
    before it named. The parts may be rendered as they are written, so that a large
    report is never held whole.

    The temporary files are created private (0600) and given their mode before the
    rename, so a private file is never readable by others, not even for a moment.
    Text that UTF-8 cannot encode (a file name's undecodable bytes, kept by Python as
    lone surrogates) is written as ``\\udcff`` escapes: in JSON that is the same string.

    :raises UsageError: when a target exists and ``force`` is false, or is not a regular
        file, or cannot be named (too long...).
    :raises OutputError: when a file cannot be written in full.
    """
    staged: list[_Staged] = []
    try:
        for file in files:
            staged.append(_stage(file, force))
        for ready in staged:
            ready.commit()
    finally:
        for ready in staged:
            ready.discard()


def _stage(file: OutputFile, force: bool) -> _Staged:
    """Write ``file`` in full to a new temporary file beside it, with its final mode."""
    existing = _existing(file.path)
    if existing is not None and not force:
        raise _already_exists(file.path)
    folder = file.path.parent if str(file.path.parent) else Path(".")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{file.path.name}.", suffix=".tmp", dir=folder)
    except (FileNotFoundError, NotADirectoryError) as error:  # named so on the command line
        raise UsageError(f"cannot write in {folder}: {error.strerror}") from error
    except OSError as error:
        raise OutputError(f"cannot write in {folder}: {error.strerror}") from error
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb", buffering=0) as out:
            for chunk in _chunks(file.parts):  # a renderer's own error propagates as it is
                _writing(file.path, _write_all, out.write, chunk)
            _writing(file.path, os.fsync, out.fileno())
        _writing(file.path, os.chmod, temporary, _mode(file.mode, existing))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return _Staged(file.path, temporary, force)


def _mode(asked: int | None, existing: os.stat_result | None) -> int:
    """The mode asked for, else the replaced file's (a private report stays private),
    else what the umask leaves of 0666."""
    if asked is not None:
        return asked
    if existing is not None:
        return stat.S_IMODE(existing.st_mode)
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask. Reading it means setting it: to 077 meanwhile, so a file
    another thread might create in that instant is only more private."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def write_stdout(parts: Iterable[str]) -> None:
    """Write text ``parts`` to standard output, encoded as :func:`write_files` encodes
    a file, so that a report piped elsewhere is the same bytes as one written with -o.

    The bytes go to the unbuffered stream under ``sys.stdout`` when there is one: after
    a failure nothing is left in a buffer for Python's last flush to fail on again.

    :raises OutputError: when standard output does not take every byte (a full disk,
        ``ulimit -f``); what it took stays there: a stream cannot be taken back.
    :raises BrokenPipeError: when the reader has gone (``| head``), as it is.
    """
    if sys.stdout is None:  # started with it closed (>&-)
        raise OutputError("standard output is closed: nothing written (give a file with -o)")
    stream = sys.stdout.buffer
    raw = getattr(stream, "raw", stream)
    try:
        sys.stdout.flush()  # what was printed before goes first
        for chunk in _chunks(parts):
            _write_all(raw.write, chunk)
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(f"cannot write to standard output: {error.strerror}") from error


def save_traceback(error: BaseException) -> Path:
    """Save the traceback of ``error`` to a new private file (it may show paths and
    names from the logs) in the temporary folder; return its path.

    :raises OSError: when it cannot be saved.
    """
    handle, name = tempfile.mkstemp(prefix="evtdiag-traceback-", suffix=".txt")
    text = "".join(traceback.format_exception(error))
    with os.fdopen(handle, "wb", buffering=0) as out:
        _write_all(out.write, text.encode("utf-8", UNENCODABLE))
    return Path(name)


def _chunks(parts: Iterable[str]) -> Iterator[bytes]:
    """``parts`` encoded, joined into chunks of at least :data:`CHUNK_BYTES` (the last
    one excepted)."""
    pending = bytearray()
    for part in parts:
        pending += part.encode("utf-8", UNENCODABLE)
        if len(pending) >= CHUNK_BYTES:
            yield bytes(pending)
            pending.clear()
    if pending:
        yield bytes(pending)


def _write_all(write: Callable[[memoryview], int | None], data: bytes) -> None:
    """Write all of ``data`` with ``write``, which may take only part of it: then the
    rest is written again, and the system says why it cannot be (no space, too large).

    :raises OSError: when a write fails, or takes nothing.
    """
    view = memoryview(data)
    while view:
        written = write(view)
        if not written:  # 0 (or None from a non-blocking stream): it would never end
            raise OSError(errno.EIO, "the system took none of the bytes")
        view = view[written:]


def _writing(path: Path, step: Callable[..., object], *args: object) -> None:
    """Do one step of writing ``path``; a failure is an output error that names it."""
    try:
        step(*args)
    except OSError as error:
        raise _cannot_write(path, error) from error


def _cannot_write(path: Path, error: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {error.strerror}")


def _already_exists(path: Path) -> UsageError:
    return UsageError(f"{path} already exists; use --force to overwrite it")


def _existing(path: Path) -> os.stat_result | None:
    """The status of the regular file at ``path``, or None when there is nothing there.

    A link is not followed: replacing it would replace the link, and ``-o /dev/null
    --force`` would replace the device (as root) by a file.

    :raises UsageError: when something other than a regular file is there (a folder, a
        device, a FIFO, a link), or the system refuses the name (too long...).
    """
    try:
        status = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise UsageError(f"cannot use {path} as an output: {error.strerror}") from error
    if not stat.S_ISREG(status.st_mode):
        raise UsageError(
            f"{path} is {_kind(status.st_mode)}, not a regular file: evtdiag writes only "
            "regular files"
        )
    return status


def _kind(mode: int) -> str:
    """What a file that is not a regular one is, in a word or two."""
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symbolic link"),
             (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
             (stat.S_ISSOCK, "a socket"))  # fmt: skip
    return next((word for test, word in kinds if test(mode)), "something else")


def exists(path: Path) -> bool:
    """Whether a regular file is at ``path`` (checked before the logs are read, and again
    when the file is written).

    :raises UsageError: when something else is there, or the name is refused.
    """
    return _existing(path) is not None


def default_report_name(now: datetime | None = None, suffix: str = "html") -> Path:
    """``evtdiag-report-YYYYMMDDTHHMMSSZ.html`` (UTC) in the current folder."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return Path(f"evtdiag-report-{moment:%Y%m%dT%H%M%SZ}.{suffix}")
