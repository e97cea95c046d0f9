"""SHA-256 of an input, as the coverage reports it (the evidence's fingerprint)."""

from __future__ import annotations

import hashlib
import mmap
import os
import stat
import threading

_BLOCK = 1 << 20
WINDOW = 16 << 20
"""Bytes hashed per map window: one ``update`` call each, without the GIL (hashlib
releases it on large buffers), so that a thread hashing a file holds the GIL only
briefly between windows; and only this much of the file is mapped at a time."""


def sha256_file(
    path: str | os.PathLike[str], *, mapped: bool = False, stop: threading.Event | None = None
) -> str:
    """SHA-256 of a file, read in 1 MiB blocks (never the whole file in memory).

    :param mapped: hash a regular file straight from the page cache through map windows
        of :data:`WINDOW` bytes instead (no copy; what a thread hashing the file while
        another reads it wants: one GIL release per window instead of two per block).
        Bytes written after the size was taken are then read in blocks, as a plain
        read would.
    :param stop: when set, hashing ends early with a meaningless result (the caller
        has given up on it).
    """
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as handle:
        if mapped:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode):
                handle.seek(_hash_mapped(digest, handle.fileno(), info.st_size, stop))
        buffer = bytearray(_BLOCK)
        view = memoryview(buffer)
        while not (stop and stop.is_set()):
            count = handle.readinto(buffer)
            if not count:
                break
            digest.update(view[:count])
    return digest.hexdigest()


def _hash_mapped(
    digest: hashlib._Hash, fileno: int, size: int, stop: threading.Event | None
) -> int:
    """Hash the first ``size`` bytes through map windows; how many were hashed."""
    done = 0
    while done < size and not (stop and stop.is_set()):
        length = min(WINDOW, size - done)
        try:
            window = mmap.mmap(fileno, length, access=mmap.ACCESS_READ, offset=done)
        except (OSError, ValueError):
            break  # read the rest instead
        try:
            with memoryview(window) as view:
                digest.update(view)
        finally:
            window.close()
        done += length
    return done


class BackgroundSha256:
    """:func:`sha256_file` (mapped) in a thread, while the caller reads the same file.

    The hashing runs without the GIL for most of its time, so on two cores it costs
    the reader little; :meth:`result` waits for it. Use as a context manager so that
    the thread is stopped when reading fails.
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
            self._digest = sha256_file(path, mapped=True, stop=self._stop)
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
