"""The values stage 4 (:mod:`evtdiag.diagnose`) builds: problems, causes, audit findings
and the :class:`Diagnosis` that holds them.

Built from PsyncEvents, the Inventory and the WindowsSide; renderers read these (through
:mod:`evtdiag.render.fields`) and compute nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from evtdiag.model import (
    ConfigWarning,
    Evidence,
    InputCoverage,
    PsyncEvent,
    SuccessIdentification,
)


@dataclass(frozen=True)
class Cause:
    """Why a group of failures happened, with what shows it."""

    code: str
    """A cause code (contract: docs/contract.md, Cause codes)."""
    basis: str
    """``documented`` by Microsoft, or ``inferred`` by evtdiag."""
    severity: str
    """``error``, ``warning`` or ``info``."""
    title: str
    explanation: str
    """Why this cause produces such failures (the rule's docstring)."""
    remediation: str
    evidence: tuple[Evidence, ...]
    doc_url: str | None = None
    detail: str = ""
    """What is specific to this case (e.g. which SYNC_USERS entry decided)."""


@dataclass(frozen=True)
class EventRef:
    """A pointer to one event a problem explains."""

    source: str
    record_id: int
    time: datetime | None
    dc: str
    event_id: int
    account: str | None
    host: str | None


@dataclass(frozen=True)
class Command:
    """A command an owner runs, as text to read before running it."""

    shell: str
    """``sh`` (on the UNIX host, as root), ``powershell`` or ``cmd`` (on a DC)."""
    text: str
    note: str = ""
    """When to run it, or what it stands for (``or, without the AD module: ...``)."""


@dataclass(frozen=True)
class LineEdit:
    """One line of a collected configuration file, and what it should read."""

    file: str
    """The collected file, as the evidence names it."""
    path: str
    """The file's path inside the host's folder (``sso.conf``, ``etc/sso.conf``): what the
    host's patch names, so that ``patch -p1`` applies it there and on the host."""
    line: int
    before: str | None
    """The line as it is; None when it cannot be quoted (it holds a key or a comment):
    then only :attr:`command` makes the change, and the patch leaves it out."""
    after: str
    """The line to write; a key is never written, only a placeholder naming it."""
    command: str
    """The same change as a ``sed`` command on the host's file, by line number."""
    line_end: str = "\n"
    """The file's line end, which the diff writes after each line it quotes."""

    @property
    def diff(self) -> str | None:
        """The change as a unified diff of the collected file (None: not quotable)."""
        if self.before is None:
            return None
        return (
            f"--- a/{self.path}\n+++ b/{self.path}\n@@ -{self.line} +{self.line} @@\n"
            f"-{self.before}{self.line_end}+{self.after}{self.line_end}"
        )


@dataclass(frozen=True)
class FixStep:
    """What one owner does for a fix."""

    owner: str
    """``windows`` (the AD and IDMU admins) or ``unix:<host>`` (that host's admins)."""
    action: str
    """The step in one sentence, with the names it applies to."""
    edits: tuple[LineEdit, ...] = ()
    commands: tuple[Command, ...] = ()
    then: tuple[Command, ...] = ()
    """What makes the change take effect (restart ssod)."""


@dataclass(frozen=True)
class Retry:
    """How to verify a fix: one password change and the event that proves it."""

    account: str | None
    host: str | None
    dc: str | None
    """The DC to change the password through (None: any)."""
    success_ids: tuple[int, ...]
    """The success event evtdiag recognises (empty when none is known)."""
    failure_ids: tuple[int, ...]
    """The events that mean "not fixed yet"."""


@dataclass(frozen=True)
class Fix:
    """The exact change for one open problem, who makes it, and how to verify it."""

    summary: str
    steps: tuple[FixStep, ...]
    verify: Retry
    alternative: str = ""
    """The other course, when the refusal may be intended (stop trying instead)."""


@dataclass(frozen=True)
class Problem:
    """A set of failures with one explanation, at the scope that explains them best."""

    id: str
    """Stable: derived from scope, subject and cause, so the same inputs give the same id."""
    scope: str
    """``host``, ``account``, ``dc`` or ``pair``."""
    account: str | None
    host: str | None
    dc: str | None
    causes: tuple[Cause, ...]
    """Strongest first; ``causes[0]`` is the problem's cause."""
    events: tuple[EventRef, ...]
    """The first and the last :data:`~evtdiag.event_summary.EVENT_SAMPLE` of its events,
    by time: what the report shows of them (:attr:`event_count` counts them all)."""
    first_seen: datetime | None
    last_seen: datetime | None
    accounts: tuple[str, ...] = ()
    """Every account whose failures this problem explains."""
    hosts: tuple[str, ...] = ()
    """Every host (as Windows named it) whose failures this problem explains."""
    scope_reason: str = ""
    """Why this scope: the pattern (or the cause's nature) that put it there."""
    status: str = "open"
    """``open``, or ``resolved`` when the same scope succeeded after the last failure."""
    last_failure: datetime | None = None
    resolved_at: datetime | None = None
    """The first success in the problem's scope after its last failure."""
    verified_by: Evidence | None = None
    """That success, as evidence: what showed the fix."""
    subject: tuple[str, str, str, str] = ("", "", "", "")
    """Scope, account, host and DC identities (case-folded; ``""`` when not part of the
    scope): what ``compare`` matches problems of two reports by."""
    fix: Fix | None = None
    """The change that resolves it; None for an intended refusal (info) or a resolved
    problem."""
    event_count: int = 0
    """Every failure it explains."""
    event_ids: tuple[int, ...] = ()
    """The ids of those failures, each once."""
    pairs: frozenset[tuple[str, str]] = frozenset()
    """The (account, host) identities of those failures that name both."""

    @property
    def cause(self) -> Cause:
        return self.causes[0]

    @property
    def severity(self) -> str:
        """The cause's severity while open; a resolved problem is history (info)."""
        return "info" if self.status == "resolved" else self.cause.severity


@dataclass(frozen=True)
class AuditFinding:
    """A best-practice finding, independent of any failure."""

    id: str
    rule: str
    """An audit code (contract: docs/contract.md, Audit codes)."""
    host: str | None
    severity: str
    basis: str
    title: str
    explanation: str
    remediation: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Diagnosis:
    """Everything the report shows."""

    verdict: str
    """``operational``, ``warning``, ``failing`` or ``no-psync-events``."""
    verdict_reasons: tuple[str, ...]
    problems: tuple[Problem, ...]
    audit: tuple[AuditFinding, ...]
    events: tuple[PsyncEvent, ...]
    inputs: tuple[InputCoverage, ...]
    unmatched_hosts: tuple[str, ...]
    """Hosts named in events that match no supplied configuration."""
    unreferenced_hosts: tuple[str, ...]
    """Supplied host configurations that no event names."""
    success_ids: tuple[int, ...]
    config_warnings: tuple[ConfigWarning, ...] = ()
    notes: tuple[str, ...] = ()
    """What evidence was missing, and other caveats worth a line in the report."""
    alerts: tuple[str, ...] = ()
    """Notes the user must see at once, on the terminal too (e.g. ``--hosts`` naming a
    folder that configures none of the hosts in the events); also among :attr:`notes`."""
    counts: dict[str, int] = field(default_factory=dict)
    """Accounts and hosts (all, and failing) counted by identity, not by spelling:
    ``KSmith``/``CORP\\ksmith`` are one account, ``web01``/``WEB01.corp`` one host."""
    successes: SuccessIdentification = field(default_factory=SuccessIdentification)
    """How successes were recognised (given, inferred or by message text)."""
    host_ids: dict[str, str] = field(default_factory=dict)
    """The identity of every host spelling in the events (configuration name, else the
    folded short name): how ``compare`` finds a problem's host in another report."""
