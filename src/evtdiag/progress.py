"""A progress line on stderr for long reads, owned by the CLI.

The stages only call a callback; this is the one that draws. It stays silent on a
non-terminal (logs, pipes, CI) and for runs shorter than a second.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO

from evtdiag.model import InputCoverage
from evtdiag.render.terminal import printable_line


class ProgressLine:
    """Draws ``bytes done of total, MB/s, records/s, current file`` at most ten times a
    second. Parallel readers report each file's ranges in order, as they are merged."""

    def __init__(
        self, total_bytes: int, stream: TextIO | None = None, enabled: bool = True
    ) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.total = max(total_bytes, 1)
        self.started = time.monotonic()
        self._finished_files = 0
        self._current: tuple[str, int] = ("", 0)
        self._last_draw = 0.0
        self._drawn = False
        self.records = 0

    def __call__(self, path: str, done_in_file: int, file_size: int, records: int = 0) -> None:
        """:param records: records read since the previous call (0 when unknown)."""
        self.records += records
        if path != self._current[0]:
            self._finished_files += self._current[1]
        self._current = (path, done_in_file)
        if done_in_file >= file_size:
            self._finished_files += done_in_file
            self._current = ("", 0)
        now = time.monotonic()
        if not self.enabled or now - self.started < 1.0 or now - self._last_draw < 0.1:
            return
        self._last_draw = now
        done = self._finished_files + self._current[1]
        seconds = max(now - self.started, 1e-6)
        rate = done / seconds / 1e6
        record_rate = f"{self.records / seconds:,.0f} records/s  " if self.records else ""
        line = (
            f"\r{done / 1e6:,.0f}/{self.total / 1e6:,.0f} MB ({100 * done / self.total:.0f}%) "
            f"{rate:,.0f} MB/s  {record_rate}{printable_line(path)[-40:]}"
        )
        width = self._width()
        self.stream.write(line[: width + 1].ljust(width + 1))  # + 1: the leading \r
        self.stream.flush()
        self._drawn = True

    @staticmethod
    def _width() -> int:
        """One less than the terminal's width: a full line would wrap, and \r would then
        only return to the start of the wrapped part."""
        return max(20, shutil.get_terminal_size((80, 24)).columns - 1)

    def close(self) -> None:
        """Erase the line, so that what follows starts on a clean line."""
        if self._drawn:
            self.stream.write("\r" + " " * self._width() + "\r")
            self.stream.flush()

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def progress_line(enabled: bool = True) -> Callable[[int], ProgressLine]:
    """The progress factory the engine's readers take (:data:`evtdiag.pipeline.
    ProgressFactory`): a line for the bytes to read, drawn unless ``enabled`` is False."""
    return lambda total: ProgressLine(total, enabled=enabled)


def speed_text(inputs: Sequence[InputCoverage], seconds: float) -> str:
    """The run summary's last line: how much was read, how fast."""
    records = sum(c.records for c in inputs)
    size = sum(c.size for c in inputs if c.format != "skipped")
    seconds = max(seconds, 1e-6)
    return (
        f"Read {records:,} records, {size / 1e6:,.1f} MB in {seconds:.2f} s: "
        f"{records / seconds:,.0f} records/s, {size / 1e6 / seconds:,.1f} MB/s"
    )
