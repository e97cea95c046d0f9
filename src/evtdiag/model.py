"""The plain, immutable dataclasses that travel between the stages.

Stage 1 (:mod:`evtdiag.logs`) yields :class:`EventRecord` values and one
:class:`InputCoverage` per input; stage 2 (:mod:`evtdiag.psync`) turns PSync records
into :class:`PsyncEvent` values. Nothing here knows how it was produced, so every
stage can be tested with hand-made values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


@dataclass(frozen=True)
class Place:
    """Where something is inside an input, as precisely as it is known.

    Every skip, warning and piece of evidence carries one, so that a user can go and
    look at the bytes or the line themselves.
    """

    file: str
    chunk: int | None = None
    """Index of the 64 KiB chunk (0 = the chunk right after the 4 KiB file header)."""
    offset: int | None = None
    """Absolute byte offset in the file."""
    record_id: int | None = None
    line: int | None = None
    """1-based line number, for text inputs."""

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts[0] = f"{self.file}:{self.line}"
        if self.chunk is not None:
            parts.append(f"chunk {self.chunk}")
        if self.offset is not None:
            parts.append(f"offset {self.offset:#x}")
        if self.record_id is not None:
            parts.append(f"record {self.record_id}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Skipped:
    """A range of an input that could not be read, or was read with doubts."""

    place: Place
    reason: str
    lost: bool = True
    """False when the data was still read (e.g. a chunk whose data CRC fails)."""


@dataclass(frozen=True)
class EventRecord:
    """One event as read from a log, decoded as far as the diagnosis needs.

    Built only for records of a PSync provider: reading every record in full is
    what makes naive tools slow.
    """

    source: str
    """The input file the record came from."""
    record_id: int
    """``System/EventRecordID``: exports renumber record headers, the XML keeps this."""
    time_created: datetime | None
    """``System/TimeCreated/@SystemTime`` in UTC, or the record header time."""
    provider: str
    event_id: int
    """The low 16 bits of ``System/EventID`` (the event's code without qualifiers)."""
    qualifiers: int | None
    level: int | None
    channel: str
    computer: str
    data: tuple[str, ...]
    """``EventData/Data`` texts in document order (``UserData`` leaf texts otherwise)."""
    data_names: tuple[str, ...]
    """The ``Name`` attribute of each data item, ``""`` when unnamed."""
    xml: str
    """The whole event rendered as XML, for evidence."""
    place: Place
    unverified: bool = False
    """True when the record comes from a chunk whose data checksum did not match."""
    message: str | None = None
    """The rendered message, when the export carries one (XML RenderingInfo, CSV)."""

    @property
    def identity(self) -> tuple[str, str, int, datetime | None]:
        """What makes two copies of one event the same event (overlapping exports)."""
        return (
            self.computer.casefold(),
            self.channel.casefold(),
            self.record_id,
            self.time_created,
        )


@dataclass(frozen=True)
class InputCoverage:
    """What was read from one input: the report's proof of what it did and did not see."""

    path: str
    sha256: str
    format: str
    """``evtx``, or ``skipped`` for inputs that were not logs."""
    size: int
    records: int = 0
    """Records read from the file (every record, PSync or not)."""
    psync_events: int = 0
    skipped: tuple[Skipped, ...] = ()
    dirty: bool | None = None
    first_time: datetime | None = None
    last_time: datetime | None = None
    computers: tuple[str, ...] = ()
    """The ``Computer`` of every PSync event, and of the file's first record."""
    duplicates: int = 0
    """PSync events dropped because an earlier input already had them."""
    note: str | None = None
    """Why the input was skipped as a whole, when it was."""


class Outcome(str, Enum):
    """What a PSync event says about one password propagation."""

    FAILURE = "failure"
    SUCCESS = "success"
    INFO = "info"


@dataclass(frozen=True)
class PsyncEvent:
    """A PSync event with its meaning: which account, which UNIX host, which DC."""

    event_id: int
    kind: str
    """The catalogue kind (``user-denied``, ``success``, ...), or ``other``."""
    outcome: Outcome
    user: str | None
    """``ruser`` as Windows sent it."""
    host: str | None
    """``rhost`` as Windows sent it."""
    dc: str
    """The ``Computer`` that logged the event."""
    time: datetime | None
    record: EventRecord = field(repr=False)
    message_derived: bool = False
    """True when user and host were taken from rendered message text (CSV exports)."""
