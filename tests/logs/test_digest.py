"""The SHA-256 of an input: in blocks, in a thread while the file is read, and always
the digest of the file's bytes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from evtdiag.logs import ProviderMatcher
from evtdiag.logs import digest as digest_module
from evtdiag.logs.digest import THREAD_BLOCK, BackgroundSha256, sha256_file
from evtdiag.logs.evtx import ranges
from tests.logs.reading import read_logs
from tests.logs.test_evtx_reader import mixed_events
from tests.support.evtx_writer import write_evtx_file


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 65536 * 3, 65536 * 3 + 17])
def test_digest_of_the_bytes_whatever_the_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(digest_module, "THREAD_BLOCK", 65536)  # several blocks and a rest
    data = os.urandom(size)
    path = tmp_path / "f"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert sha256_file(path) == expected
    assert sha256_file(str(path), block=4096) == expected
    with BackgroundSha256(path) as job:
        assert job.result() == expected


TRUNCATED_WHILE_HASHED = """
import os, sys
from evtdiag.logs.digest import BackgroundSha256
path = sys.argv[1]
for _ in range(20):
    with open(path, "wb") as handle:
        handle.truncate(64 << 20)
    with BackgroundSha256(path) as job:
        os.truncate(path, 4096)
        job.result()
print("alive")
"""


def test_a_file_truncated_while_it_is_hashed_ends_the_hash_not_the_process(
    tmp_path: Path,
) -> None:
    """A log rotated or truncated while evtdiag reads it: a mapped hash would die of
    SIGBUS on the pages that are gone; a read just ends early."""
    run = subprocess.run(
        [sys.executable, "-c", TRUNCATED_WHILE_HASHED, str(tmp_path / "log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (run.returncode, run.stdout) == (0, "alive\n"), run.stderr


def test_a_pipe_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    data = os.urandom(300_000)

    def write() -> None:
        with fifo.open("wb") as handle:
            handle.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    assert sha256_file(fifo, block=THREAD_BLOCK) == hashlib.sha256(data).hexdigest()
    writer.join()


def test_an_error_while_hashing_reaches_the_caller(tmp_path: Path) -> None:
    with BackgroundSha256(tmp_path / "absent") as job, pytest.raises(FileNotFoundError):
        job.result()


def test_the_thread_stops_when_reading_fails(tmp_path: Path, monkeypatch) -> None:
    path = write_evtx_file(tmp_path / "a.evtx", mixed_events(200))
    started: list[BackgroundSha256] = []
    real = BackgroundSha256.__init__

    def keep(self: BackgroundSha256, path: object) -> None:
        real(self, path)
        started.append(self)

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("reading failed")

    monkeypatch.setattr(BackgroundSha256, "__init__", keep)
    monkeypatch.setattr(ranges, "read_range", fail)
    with pytest.raises(RuntimeError, match="reading failed"):
        read_logs([str(path)], ProviderMatcher(), jobs=1)
    (job,) = started
    assert not job._thread.is_alive()


def test_coverage_digest_is_the_file_digest(tmp_path: Path) -> None:
    path = write_evtx_file(tmp_path / "a.evtx", mixed_events(3000), records_per_chunk=7)
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    for jobs in (1, 2):
        (coverage,) = read_logs([str(path)], ProviderMatcher(), jobs=jobs).inputs
        assert coverage.sha256 == expected
