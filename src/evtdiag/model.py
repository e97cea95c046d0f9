"""The plain, immutable dataclasses that cross the stages.

Stage 1 (:mod:`evtdiag.logs`) yields :class:`EventRecord` values and one
:class:`InputCoverage` per input; stage 2 (:mod:`evtdiag.psync`) turns PSync records
into :class:`PsyncEvent` values and says how successes were identified. A
:class:`Place` locates every skip, :class:`ConfigWarning` and piece of
:class:`Evidence`, which the later stages carry to the report. What only one stage
builds lives beside it: :mod:`evtdiag.hosts.model` (host configurations, the Windows
side) and :mod:`evtdiag.diagnose.model` (problems, causes, audit findings, the
diagnosis). Nothing here knows how it was produced, so every stage can be tested with
hand-made values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

EventIdentity = tuple[str, str, int, "datetime | None"]
"""Computer and channel (folded), record id and time: :attr:`EventRecord.identity`."""


def _by_fields(value: DataclassInstance) -> tuple[type[DataclassInstance], tuple[object, ...]]:
    """Pickle a frozen slotted dataclass as a call with its field values.

    Worker processes send every record they read back to the parent; the default way
    (one ``object.__setattr__`` per field on loading) made that a third of the cost of
    reading a log full of PSync events.
    """
    cls = type(value)
    return cls, tuple(getattr(value, item.name) for item in fields(cls))


@dataclass(frozen=True, slots=True)
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

    def __reduce__(self) -> tuple[Any, ...]:
        return _by_fields(self)

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


class XmlSource(Protocol):
    """An event's XML kept in a compact form until it is shown.

    Readers keep one of these instead of the text when rendering every record would
    cost more than reading it; it compares and hashes as the text it renders.
    """

    def render(self) -> str: ...


def origin(data: tuple[str, ...], message: str | None, data_origin: str) -> str | None:
    """Where a record's user and host can come from: ``data_origin`` when it has data,
    ``message`` when only the rendered message names them, None: nowhere."""
    if data:
        return data_origin
    return "message" if message else None


@dataclass(frozen=True, slots=True)
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
    xml_source: str | XmlSource
    """The whole event as XML, or what renders it on demand (see :attr:`xml`)."""
    place: Place
    unverified: bool = False
    """True when the record comes from a chunk whose data checksum did not match."""
    message: str | None = None
    """The rendered message, when the export carries one (XML RenderingInfo, CSV)."""
    data_origin: str = "data"
    """Where :attr:`data` comes from: ``data`` (the event's own), or ``fallback-message``
    (the insertion strings of a "description cannot be found" text)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return _by_fields(self)

    @property
    def origin(self) -> str | None:
        """Where user and host can come from: :func:`origin`."""
        return origin(self.data, self.message, self.data_origin)

    @property
    def xml(self) -> str:
        """The whole event rendered as XML, for evidence."""
        source = self.xml_source
        return source if isinstance(source, str) else source.render()

    @property
    def identity(self) -> EventIdentity:
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
    origins: tuple[tuple[str, int], ...] = ()
    """How many PSync events take user and host from each origin (``data``,
    ``message``, ``fallback-message``; :attr:`EventRecord.origin`), commonest first."""
    note: str | None = None
    """Why the input was skipped as a whole, when it was."""


class Outcome(str, Enum):
    """What a PSync event says about one password propagation."""

    FAILURE = "failure"
    SUCCESS = "success"
    INFO = "info"


@dataclass(frozen=True, slots=True)
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
    records: Sequence[EventRecord] = field(repr=False, compare=False)
    """The records read (:class:`evtdiag.logs.store.RecordStore`), of which this event's is
    at :attr:`index`: the record is made when asked for (:attr:`record`), not kept."""
    index: int
    message_derived: bool = False
    """True when user and host were taken from rendered message text (CSV exports)."""
    provenance: str | None = None
    """Where user and host were taken from: ``data``, ``message`` (the rendered text) or
    ``fallback-message`` (a "description cannot be found" text); None: no user or host."""

    @property
    def record(self) -> EventRecord:
        """The record the event was read from."""
        return self.records[self.index]


@dataclass(frozen=True)
class SuccessSource:
    """One event id read as "Successfully changed password", and on what grounds.

    Microsoft documents the message but not its id, so the id is either given by the
    user, inferred from the logs, or recognised by the rendered message text.
    """

    event_id: int
    basis: str
    """``given`` (``--success-id``), ``inferred`` (see :func:`evtdiag.psync.identify_successes`)
    or ``message`` (an export's rendered text reads "Successfully changed password")."""
    events: int = 0
    """How many events of the inputs carry this id."""


@dataclass(frozen=True)
class SuccessIdentification:
    """Which ids are successes, the ids that could have been (but were not taken), and
    what the report must say about it."""

    sources: tuple[SuccessSource, ...] = ()
    candidates: tuple[int, ...] = ()
    """Ids that look like the success event but were not taken (ambiguity)."""
    notes: tuple[str, ...] = ()
    """Sentences for the verdict: what was inferred and how to confirm or turn it off."""
    warnings: tuple[str, ...] = ()
    """Disagreements (e.g. the inferred id's rendered messages are not the success text)."""

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(sorted(s.event_id for s in self.sources))


@dataclass(frozen=True)
class ConfigWarning:
    """Something in a configuration input that was odd, ignored or unreadable.

    Reported by the configuration parsers (:mod:`evtdiag.hosts`), carried by the
    :class:`~evtdiag.diagnose.model.Diagnosis` and written into the report."""

    place: Place
    message: str
    names: tuple[tuple[str, str], ...] = ()
    """The (kind, name) pairs the message is about (``("user", "svc_payroll")``, a
    ``host`` of SYNC_HOSTS): redaction hides them from here, never from the message."""

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


@dataclass(frozen=True)
class Evidence:
    """One fact a conclusion rests on: a config line, an event, or a missing file.

    Built by the diagnosis (causes, audit findings, the success that verifies a fix) and
    written into the report as it is.
    """

    kind: str
    """``config``, ``event`` or ``absence``."""
    file: str | None
    line: int | None
    text: str
    """The config line (secrets already rewritten), the event summary, or what is missing."""
    record_id: int | None = None
    """For ``event`` evidence: the EventRecordID."""
    xml: str | None = None
    """For ``event`` evidence: the raw event XML."""
    subject: str | None = None
    """For ``config`` and ``absence`` evidence about one account: that account, as the
    configuration, the group file or the event spells it (``root``, ``CORP\\adm.jones``).
    Redaction finds the name here instead of in :attr:`text`."""


def next_step_text(unexplained: int, still_open: int) -> str:
    """What a logs-only run asks for next, in the words the verdict's reasons and the
    terminal summary share: how many open problems lack a cause for want of the hosts'
    configurations, and how to collect them."""
    return (
        f"{unexplained} of {still_open} open problems are unexplained: run `evtdiag "
        "collect-script` on the hosts and rerun with --hosts."
    )
