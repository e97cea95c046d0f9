"""Inputs without an end: FIFOs, devices, an endless standard input, and signals.

A regression here would hang rather than fail, so whatever could block runs in a child
process with a timeout (its whole process group is killed then, workers included).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from evtdiag import archives as archives_module
from evtdiag.logs import ProviderMatcher
from tests.logs.reading import read_logs
from tests.logs.test_evtx_reader import mixed_events
from tests.support.evtx_writer import write_evtx_file

TIMEOUT = 60
"""Seconds a child run may take: a few are needed, a hang takes forever."""

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs and signals")


def _evtdiag(*args: str, **popen: object) -> subprocess.Popen:
    """``python -m evtdiag ARGS``, in a session of its own so that :func:`_hung` can kill
    it with its workers."""
    options: dict = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen}
    return subprocess.Popen(
        [sys.executable, "-m", "evtdiag", *args], start_new_session=True, **options
    )


def _hung(child: subprocess.Popen) -> None:
    os.killpg(child.pid, signal.SIGKILL)
    child.communicate()
    pytest.fail(f"evtdiag still running after {TIMEOUT} s: it hangs")


def _run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``evtdiag ARGS``; a failure after TIMEOUT."""
    child = _evtdiag(*args)
    try:
        out, err = child.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _hung(child)
    return child.returncode, out.decode(), err.decode()


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """A folder holding a readable .evtx file (30 PSync events) and a FIFO."""
    folder = tmp_path / "logs"
    folder.mkdir()
    write_evtx_file(folder / "dc01.evtx", mixed_events(300))
    os.mkfifo(folder / "pipe.evtx")
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_fifo_and_a_device_are_refused_unopened_and_the_others_read(logs: Path, jobs: str):
    code, out, err = _run("events", str(logs), "/dev/zero", "-q", "-j", jobs, "--format", "csv")
    assert code == 3, err
    assert out.count("\n") == 1 + 30  # dc01.evtx was read
    assert f"{logs / 'pipe.evtx'}: refused, {logs / 'pipe.evtx'}: a named pipe (FIFO)" in err
    assert "/dev/zero: refused, /dev/zero: a character device, not a regular file" in err


def test_a_fifo_in_the_windows_folder_is_warned_about_not_waited_for(tmp_path: Path):
    hosts, windows = tmp_path / "hosts", tmp_path / "windows"
    (hosts / "web01").mkdir(parents=True)  # check-config wants a host
    (hosts / "web01" / "sso.conf").write_text("SYNC_USERS=ALL\n")
    windows.mkdir()
    os.mkfifo(windows / "PasswordPropAllow.txt")
    (windows / "PasswordPropDeny.txt").write_text("bob\n")
    code, out, err = _run("check-config", "--hosts", str(hosts), "--windows", str(windows))
    assert code == 1, err  # warnings
    assert f"{windows / 'PasswordPropAllow.txt'}: unreadable: not a regular file" in out
    assert "PasswordPropDeny: 1 members" in out  # the other files are read


class _Endless(io.RawIOBase):
    """Zeros without end, as ``< /dev/zero`` gives; fails the test past ``stop`` bytes
    rather than filling the disk."""

    def __init__(self, stop: int) -> None:
        self.stop = stop
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        assert self.given <= self.stop, f"{self.given:,} bytes read: the spool has no cap"
        buffer[:] = bytes(len(buffer))
        self.given += len(buffer)
        return len(buffer)


def test_the_stdin_spool_is_capped_and_removed(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(archives_module, "MAX_MEMBER_SIZE", 1 << 20)
    endless = _Endless(stop=64 << 20)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(endless)))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = read_logs(["-"], ProviderMatcher())
    (coverage,) = result.inputs
    assert coverage.path == "(stdin)" and coverage.format == "refused"
    assert "more than 1,048,576 bytes" in coverage.note and "save it to a file" in coverage.note
    assert endless.given <= 4 << 20
    assert list(tmp_path.iterdir()) == []


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"no {what} after {TIMEOUT} s"
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_while_stdin_is_spooled_removes_the_spool(tmp_path: Path, signum: int):
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    with (tmp_path / "stderr").open("wb") as err:
        child = _evtdiag(
            "events",
            "-",
            "-q",
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
        )
    assert child.stdin is not None
    try:
        child.stdin.write(bytes(3 << 20))  # then nothing, and no end: a slow producer
        child.stdin.flush()
        _wait_for(lambda: any(p.stat().st_size for p in temp.glob("*/stdin")), "spool file")
        child.send_signal(signum)
        child.wait(timeout=TIMEOUT)  # standard input still open: the signal ends the run
    except subprocess.TimeoutExpired:
        _hung(child)
    finally:
        child.stdin.close()
    assert child.returncode != 0
    assert list(temp.iterdir()) == [], (tmp_path / "stderr").read_text()
