"""Outputs under failures: a disk that fills up at any byte, ``ulimit -f``, /dev/full, a
redaction key with no room left, signals, a reader that goes away, a bug. Always all of
the file or a one-line error and exit 4, never part of it at the target nor a temporary
file left (Reliability v2, items 2, 5, 6 and 10)."""

from __future__ import annotations

import errno
import functools
import io
import json
import os
import signal as signal_module
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.errors import OutputError
from evtdiag.publish.output import write_report, write_stdout
from evtdiag.render import formats
from tests.conftest import REPO, SAMPLE_LOGS

LOGS = [str(p) for p in sorted(SAMPLE_LOGS.glob("*.evtx"))]
PARTS = [f"part {n}: {'é' * (n % 7)}{'x' * n}\n" for n in range(40)]
"""A small report in parts of many sizes, with two-byte characters, so that a failure
can be tried at every byte."""
TEXT = "".join(PARTS).encode()
REAL_FDOPEN = os.fdopen
FILE_TOO_LARGE = os.strerror(errno.EFBIG)


def evtdiag(*args: str, limit: int | None = None, **kwargs: Any) -> subprocess.CompletedProcess:
    """Run ``python -m evtdiag ARGS`` in the repository (with ``ulimit -f LIMIT``); its
    outputs are captured unless ``kwargs`` say where they go."""
    command = [sys.executable, "-m", "evtdiag", *args]
    if limit is not None:  # in blocks of 1024 bytes (bash)
        command = ["bash", "-c", f'ulimit -f {limit} && exec "$@"', "bash", *command]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    outputs = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run(command, cwd=REPO, env=env, check=False, **outputs)


@functools.cache
def json_size(command: str) -> int:
    """The size in bytes of what ``evtdiag COMMAND LOGS --format json`` writes."""
    run = evtdiag(command, *LOGS, "-q", "--format", "json")
    assert run.returncode in (0, 1), run.stderr
    return len(run.stdout)


def one_line_error(stderr: bytes) -> str:
    """The message of a run that failed: exactly one line, no traceback."""
    lines = stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr.decode()
    return lines[0]


def save_findings(folder: Path) -> Path:
    """A JSON report of the sample logs saved in ``folder``: ``render`` writes from it
    without reading logs again."""
    path = folder / "findings.json"
    result = CliRunner().invoke(cli, ["report", *LOGS, "-q", "--format", "json", "-o", str(path)])
    assert result.exit_code == 1, result.stderr
    return path


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_findings(tmp_path_factory.mktemp("findings"))


# -- a disk that fills up at any byte ----------------------------------------------------------


class FullDisk:
    """Room for ``room`` bytes in the files written in ``folder``: a write that does not
    fit takes what fits, as the system's does, and the next one fails with ENOSPC."""

    def __init__(self, folder: Path, room: int) -> None:
        self.folder = folder
        self.room = room

    def fdopen(self, fd: int, *args: Any, **kwargs: Any) -> Any:
        stream = REAL_FDOPEN(fd, *args, **kwargs)
        if Path(os.readlink(f"/proc/self/fd/{fd}")).parent != self.folder:
            return stream
        return _OnFullDisk(stream, self)


class _OnFullDisk:
    def __init__(self, stream: Any, disk: FullDisk) -> None:
        self._stream = stream
        self._disk = disk

    def write(self, data: Any) -> int:
        if data and not self._disk.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        taken = min(len(data), self._disk.room)
        self._disk.room -= taken
        return self._stream.write(data[:taken])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def __enter__(self) -> _OnFullDisk:
        return self

    def __exit__(self, *exception: object) -> None:
        self._stream.close()


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")


@needs_proc
@pytest.mark.parametrize("force", [False, True], ids=["new", "replace"])
def test_a_disk_full_at_any_byte_leaves_the_target_as_it_was(tmp_path, monkeypatch, force):
    target = tmp_path / "report.txt"
    for room in range(len(TEXT)):
        if force:
            target.write_text("old\n")
        monkeypatch.setattr(os, "fdopen", FullDisk(tmp_path, room).fdopen)
        with pytest.raises(OutputError, match=f"cannot write {target}: No space left"):
            write_report(target, PARTS, force=force)
        assert [p.name for p in tmp_path.iterdir()] == (["report.txt"] if force else [])
        assert not force or target.read_text() == "old\n"
    monkeypatch.setattr(os, "fdopen", FullDisk(tmp_path, len(TEXT)).fdopen)
    write_report(target, PARTS, force=force)
    assert target.read_bytes() == TEXT


class Stdout(io.RawIOBase):
    """Standard output that takes at most ``per_write`` bytes a write and, after ``room``,
    fails as a file at its ``ulimit -f``."""

    def __init__(self, room: int, per_write: int) -> None:
        self.received = bytearray()
        self.room = room
        self.per_write = per_write

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if data and len(self.received) == self.room:
            raise OSError(errno.EFBIG, FILE_TOO_LARGE)
        taken = bytes(data[: min(self.per_write, self.room - len(self.received))])
        self.received += taken
        return len(taken)


def _stdout(monkeypatch: pytest.MonkeyPatch, room: int, per_write: int) -> Stdout:
    raw = Stdout(room, per_write)
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BufferedWriter(raw), "utf-8"))
    return raw


@pytest.mark.parametrize("per_write", [1, 7, 1 << 20])
def test_standard_output_takes_every_byte_or_fails(monkeypatch, per_write) -> None:
    """Item 2: a write the system cuts short is written on, never dropped."""
    step = 97 if per_write == 1 else 1  # a byte a write: not every size, a few seconds else
    for room in range(0, len(TEXT), step):
        raw = _stdout(monkeypatch, room, per_write)
        with pytest.raises(
            OutputError, match=f"^cannot write to standard output: {FILE_TOO_LARGE}$"
        ):
            write_stdout(PARTS)
        assert raw.received == TEXT[:room]
    raw = _stdout(monkeypatch, len(TEXT), per_write)
    write_stdout(PARTS)
    assert raw.received == TEXT


# -- the command line under a real ulimit -f and /dev/full ---------------------------------------


@pytest.mark.parametrize("where", [0.0, 0.02, 0.3, 0.7, 1.0])
def test_a_report_cut_by_ulimit_is_not_written(tmp_path, where) -> None:
    """Item 2 and the fault injection: under ``ulimit -f`` from 0 to the report's last
    block, exit 4, one line, nothing at the target and no temporary file."""
    blocks = int(json_size("report") // 1024 * where)
    out = tmp_path / "out.json"
    run = evtdiag("report", *LOGS, "-q", "--format", "json", "-o", str(out), limit=blocks)
    assert run.returncode == 4, run.stderr
    assert one_line_error(run.stderr) == f"Error: cannot write {out}: {FILE_TOO_LARGE}"
    assert list(tmp_path.iterdir()) == []


def test_a_report_within_the_ulimit_is_written(tmp_path) -> None:
    out = tmp_path / "out.json"
    limit = json_size("report") // 1024 + 2
    run = evtdiag("report", *LOGS, "-q", "--format", "json", "-o", str(out), limit=limit)
    assert run.returncode == 1, run.stderr
    assert json.loads(out.read_text())["schema"] == "evtdiag/2"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.parametrize("where", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("command", ["report", "events"])
def test_standard_output_cut_by_ulimit_is_an_error(tmp_path, where, command) -> None:
    """Item 2: a report (or the events) on standard output cut by ``ulimit -f``: what was
    written stays (a stream cannot be taken back), and the run says it failed."""
    blocks = int(json_size(command) // 1024 * where)
    with (tmp_path / "out.json").open("wb") as out:
        run = evtdiag(command, *LOGS, "-q", "--format", "json", limit=blocks, stdout=out)
    assert run.returncode == 4, run.stderr
    error = one_line_error(run.stderr)
    assert error == f"Error: cannot write to standard output: {FILE_TOO_LARGE}"
    assert (tmp_path / "out.json").stat().st_size == blocks * 1024


@pytest.mark.parametrize("output_format", ["json", "text"])
def test_standard_output_to_dev_full_is_one_line(output_format) -> None:
    with open("/dev/full", "wb") as full:
        run = evtdiag("report", *LOGS, "-q", "--format", output_format, stdout=full)
    assert run.returncode == 4
    error = one_line_error(run.stderr)
    assert error == f"Error: cannot write to standard output: {os.strerror(errno.ENOSPC)}"


# -- item 5: the redaction key before the report ------------------------------------------------


@needs_proc
def test_a_redacted_report_is_never_written_without_its_key(findings, tmp_path, monkeypatch):
    key = tmp_path / "key.hex"
    key.write_text("ab" * 32 + "\n")
    out = tmp_path / "out"
    out.mkdir()
    report, mapping = out / "r.json", out / "r.json.redaction.json"
    args = ["render", str(findings), "--format", "json", "-o", str(report)]
    args += ["--redact-key", str(key)]
    assert CliRunner().invoke(cli, args).exit_code == 1  # open problems
    sizes = report.stat().st_size, mapping.stat().st_size
    report.unlink()
    mapping.unlink()
    for room in (0, sizes[1] - 1, sizes[0], sizes[0] + sizes[1] // 2, sum(sizes) - 1):
        monkeypatch.setattr(os, "fdopen", FullDisk(out, room).fdopen)
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 4, (room, result.stderr)
        assert one_line_error(result.stderr.encode()).endswith("No space left on device")
        assert list(out.iterdir()) == [], room
    monkeypatch.setattr(os, "fdopen", FullDisk(out, sum(sizes)).fdopen)
    assert CliRunner().invoke(cli, args).exit_code == 1  # open problems
    assert (report.stat().st_size, mapping.stat().st_size) == sizes


# -- items 6 and 10: signals, a reader gone, a bug ------------------------------------------------

STOPPED_WHILE_WRITING = """
import os, signal, sys
from evtdiag import cli
from evtdiag.render import formats

def parts(*args):
    yield "x" * 200_000
    os.kill(os.getpid(), signal.{signal})
    yield "never written"

formats.render_document = parts
sys.argv = ["evtdiag", "render", {findings!r}, "-o", {output!r}]
cli.main()
"""


def _as_from_a_terminal() -> None:
    """Ctrl-C as a terminal delivers it: a shell without job control starts background
    commands (``pytest &``) with SIGINT ignored, and Python then keeps it ignored."""
    signal_module.signal(signal_module.SIGINT, signal_module.SIG_DFL)


@pytest.mark.parametrize(("signal", "code"), [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_a_signal_while_writing_leaves_no_temporary_file(findings, tmp_path, signal, code):
    out = tmp_path / "r.html"
    script = STOPPED_WHILE_WRITING.format(signal=signal, findings=str(findings), output=str(out))
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        check=False,
        preexec_fn=_as_from_a_terminal,
    )
    assert list(tmp_path.iterdir()) == []
    assert run.returncode == code, run.stderr
    expected = "Error: interrupted" if signal == "SIGINT" else f"Error: stopped by {signal}"
    assert one_line_error(run.stderr) == expected


def test_a_reader_that_goes_away_ends_evtdiag_quietly() -> None:
    """``evtdiag report ... | head -1``: exit 141, as a process SIGPIPE killed, no message."""
    command = [sys.executable, "-m", "evtdiag", "report", *LOGS, "-q", "--format", "json"]
    with subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as run:
        assert run.stdout is not None and run.stdout.read(10) == b'{\n  "schem'
        run.stdout.close()
        stderr = run.stderr.read() if run.stderr else b""
    assert (run.returncode, stderr) == (141, b"")


def test_a_bug_exits_4_with_its_traceback_saved_privately(findings, tmp_path, monkeypatch):
    def broken(*args: object) -> Iterator[str]:
        raise ZeroDivisionError("a bug\non two lines")

    monkeypatch.setattr(formats, "render_document", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = CliRunner().invoke(cli, ["render", str(findings), "--format", "text"])
    assert result.exit_code == 4
    error = one_line_error(result.stderr.encode())
    assert error.startswith("Error: internal error (ZeroDivisionError: a bug\\x0aon two lines); ")
    saved = next(tmp_path.glob("evtdiag-traceback-*.txt"))
    assert error.endswith(f"its traceback is in {saved}: please report it")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    text = saved.read_text()
    assert text.startswith("Traceback") and "in broken" in text and "a bug\non two lines" in text


def test_a_bug_whose_traceback_cannot_be_saved_still_exits_4(findings, tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "render_document", lambda *args: 1 / 0)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    result = CliRunner().invoke(cli, ["render", str(findings), "--format", "text"])
    assert result.exit_code == 4
    assert "its traceback could not be saved (No such file or directory)" in one_line_error(
        result.stderr.encode()
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["render", "--format", "nope", "x.json"], 2),
        (["report"], 2),
        (["--help"], 0),
        (["render", "missing.json"], 2),
        (["check-config", "--hosts", str(SAMPLE_LOGS / "hosts")], 0),
    ],
)
def test_click_exits_and_system_exit_keep_their_codes(args, code) -> None:
    """click's usage errors and ``--help``, and a command's own SystemExit, are not bugs."""
    assert CliRunner().invoke(cli, args).exit_code == code


# -- standard streams the process was started without -------------------------------------------


def closed(descriptor: int) -> dict[str, Any]:
    """What :func:`evtdiag` is given to start the process with ``descriptor`` closed, as
    ``2>&-`` or ``>&-`` do."""
    return {"preexec_fn": lambda: os.close(descriptor)}


def test_with_stderr_closed_the_report_is_written_and_the_exit_says_what_it_found(
    tmp_path: Path,
) -> None:
    target = tmp_path / "r.html"
    run = evtdiag("report", *LOGS, "-o", str(target), stdout=subprocess.PIPE, **closed(2))
    assert run.returncode == 1  # open problems, as with stderr open
    assert target.read_text().startswith("<!DOCTYPE html>")
    findings = save_findings(tmp_path)
    run = evtdiag("compare", str(findings), str(findings), **closed(2))
    assert run.returncode == 0 and b"nothing new to compare" in run.stdout


@pytest.mark.parametrize("command", ["report", "events"])
def test_with_stdout_closed_a_report_to_it_fails_in_one_line(command: str) -> None:
    run = evtdiag(command, *LOGS, "-q", "--format", "json", stdout=None, **closed(1))
    assert run.returncode == 4
    assert "standard output is closed: nothing written" in one_line_error(run.stderr)


def test_a_file_opened_with_stderr_closed_does_not_receive_stderr(tmp_path: Path) -> None:
    """The report's file would otherwise get descriptor 2, and the summary with it."""
    target = tmp_path / "r.json"
    run = evtdiag("report", *LOGS, "--format", "json", "-o", str(target), **closed(2))
    assert run.returncode == 1
    assert json.loads(target.read_text())["schema"] == "evtdiag/2"
