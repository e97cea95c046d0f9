"""SHA-256 of an input file, in blocks, also in a thread while the file is read."""

from __future__ import annotations

import hashlib
import os
import threading

_BLOCK = 1 << 20
THREAD_BLOCK = 16 << 20
"""Bytes hashed per ``update`` in a thread: hashlib releases the GIL on large buffers,
so the thread holds it only briefly between blocks (twice per 16 MiB, with the read),
and the reader beside it runs on. Read rather than mapped: a map of a file truncated
meanwhile would kill the process with SIGBUS, a read just ends (``bench/run.py``'s
one-job note shows what reading a log with its hash costs)."""


def sha256_file(
    path: str | os.PathLike[str], *, block: int = _BLOCK, stop: threading.Event | None = None
) -> str:
    """SHA-256 of a file, read ``block`` bytes at a time (never the whole file in memory).

    :param stop: when set, hashing ends early with a meaningless result (the caller
        has given up on it).
    """
    digest = hashlib.sha256()
    buffer = bytearray(block)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while not (stop and stop.is_set()):
            count = handle.readinto(buffer)
            if not count:
                break
            digest.update(view[:count])
    return digest.hexdigest()


class BackgroundSha256:
    """:func:`sha256_file` in a thread, while the caller reads the same file.

    The hashing runs without the GIL for most of its time, so on two cores it costs
    the reader little; :meth:`result` waits for it. Use as a context manager so that
    the thread is stopped when reading fails (the reader's error then propagates, and
    a hashing error, if any, is dropped: the input is not reported either way).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._stop = threading.Event()
        self._digest: str | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(path,), name="evtdiag-sha256", daemon=True
        )
        self._thread.start()

    def _run(self, path: str | os.PathLike[str]) -> None:
        try:
            self._digest = sha256_file(path, block=THREAD_BLOCK, stop=self._stop)
        except BaseException as error:  # re-raised in the caller's thread
            self._error = error

    def result(self) -> str:
        """The hex digest (waits for it); the hashing's own error if it failed."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._digest is not None and not self._stop.is_set()
        return self._digest

    def __enter__(self) -> BackgroundSha256:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is not None:
            self._stop.set()
        self._thread.join()
