"""What the readers share: an input opened once (:class:`Source`), the shape of a format
(:class:`Format`), and what every reader is given with its source (:class:`ReadContext`).

A :class:`Source` is a regular file, an archive member or standard input, looked at
once: its size and its first bytes are read when it is opened, its format is
recognised from them, and it carries the name the report shows from the start
(``logs.zip!DC01.evtx``, ``(stdin)``). No reader opens a file to sniff it again, and
nothing is renamed after reading.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Protocol

from evtdiag.logs.providers import ProviderMatcher
from evtdiag.model import EventRecord, InputCoverage

SNIFF_SIZE = 8192
"""How many leading bytes a source keeps for recognising its format (and, for .evtx,
its 4 KiB file header)."""

Result = tuple[InputCoverage, Sequence[EventRecord]]
"""What reading one input gives: its coverage and its wanted records."""


@dataclass(frozen=True)
class Source:
    """One input, sized and recognised once; what travels to a worker process."""

    path: str
    """Where the bytes are: the file, or the temporary copy of a member or of stdin."""
    label: str
    """The name every place, coverage line and message shows."""
    size: int
    head: bytes
    """The first :data:`SNIFF_SIZE` bytes."""
    kind: str | None
    """The recognised format (:data:`evtdiag.logs.formats.FORMATS`), None: not a log."""
    depth: int = 0
    """How many archives this source lies inside."""


@dataclass(frozen=True)
class ReadOptions:
    """Reader options chosen on the command line."""

    carve: bool = False
    """Also read stale records found in chunk slack (after the free-space offset)."""
    csv_date_format: str | None = None
    """strptime format of the local times of text exports (CSV/TXT, wevtutil text)."""
    export_tz: tzinfo | None = None
    """The zone local-time exports were written in (``--export-tz``); None: read as UTC."""


class ProgressCallback(Protocol):
    """Told while reading: the file, its bytes done, its size, and records since last call."""

    def __call__(self, path: str, done_in_file: int, file_size: int, records: int = 0) -> None: ...


@dataclass(frozen=True)
class ReadContext:
    """What every reader is given besides its source: the same for every input of a run.

    One value rather than three parameters, so that a reader, the registry and the pool
    pass it on whole; a worker process gets it without :attr:`progress` (a callback of
    the parent process), and the parent reports the worker's progress itself.
    """

    matcher: ProviderMatcher
    options: ReadOptions = ReadOptions()
    progress: ProgressCallback | None = None
    scratch: str | None = None
    """The folder for temporary copies (archive members), which the reading process
    removes at the end; None: the system's temporary folder."""


Reader = Callable[[Source, ReadContext], list[Result]]
"""Reads a source whole: one result, or one per member for an archive."""


@dataclass(frozen=True)
class Format:
    """An input format: its name, how its first bytes are recognised, how it is read.

    Adding a format is one module that defines one of these, and one line in
    :data:`evtdiag.logs.formats.FORMATS`.
    """

    name: str
    recognises: Callable[[bytes], bool]
    read: Reader
    reports_progress: bool = False
    """Whether the reader tells ``context.progress`` as it goes; otherwise the source is
    told done once it is read (:func:`evtdiag.logs.formats.read_source`)."""
