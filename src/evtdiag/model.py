"""The plain, immutable dataclasses that travel between the stages.

Stage 1 (:mod:`evtdiag.logs`) yields :class:`EventRecord` values and one
:class:`InputCoverage` per input; stage 2 (:mod:`evtdiag.psync`) turns PSync records
into :class:`PsyncEvent` values. Nothing here knows how it was produced, so every
stage can be tested with hand-made values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import Enum
from functools import cached_property
from typing import Protocol, TypeVar

from evtdiag.names import account_key

Item = TypeVar("Item")
Key = TypeVar("Key", bound=Hashable)


def _first_by(items: Iterable[Item] | None, key: Callable[[Item], Key]) -> dict[Key, Item]:
    """Each key's first item, in the items' order.

    Looking a key up here finds what a scan that stops at the first match would find,
    without the scan: the diagnosis asks once per failure group, and passwd files (NIS
    dumps) hold tens of thousands of accounts.
    """
    index: dict[Key, Item] = {}
    for item in items or ():
        index.setdefault(key(item), item)
    return index


def _name(entry: PasswdEntry | ShadowEntry | AixUserAttrs) -> str:
    return entry.name


def _folded_name(entry: PasswdEntry | ShadowEntry) -> str:
    return entry.name.casefold()


def _by_fields(value: object) -> tuple:
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

    def __reduce__(self) -> tuple:
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

    def __reduce__(self) -> tuple:
        return _by_fields(self)

    @property
    def xml(self) -> str:
        """The whole event rendered as XML, for evidence."""
        source = self.xml_source
        return source if isinstance(source, str) else source.render()

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
    record: EventRecord = field(repr=False)
    message_derived: bool = False
    """True when user and host were taken from rendered message text (CSV exports)."""


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


# --- Stage 3: host configurations ---
#
# Built by :mod:`evtdiag.hosts`. Secrets never reach these classes: an ENCRYPT_KEY is
# kept as a :class:`KeyInfo` (length and character classes) and a password hash as a
# status and a scheme name, so printing, pickling or ``repr()``-ing any of them is safe.

Basis = str
"""``"documented"`` (Microsoft says so) or ``"inferred"`` (an evtdiag assumption)."""


@dataclass(frozen=True)
class ConfigWarning:
    """Something in a configuration input that was odd, ignored or unreadable."""

    place: Place
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


@dataclass(frozen=True)
class FileStatus:
    """Whether one expected file was supplied; "not supplied" is not "empty"."""

    name: str
    """The file's name relative to the host folder, e.g. ``security/user``."""
    state: str
    """``present``, ``absent`` (not supplied) or ``unreadable``."""
    path: str | None = None
    """Where it was read from (a path, or ``archive.tar.gz:member``)."""
    size: int | None = None


@dataclass(frozen=True)
class KeyInfo:
    """What may be said about an encryption key without keeping it."""

    length: int
    classes: tuple[str, ...]
    """Subset of ``upper``, ``lower``, ``digit``, ``punct``, ``other``, in that order."""

    def __str__(self) -> str:
        return f"<{self.length} characters: {', '.join(self.classes) or 'none'}>"


@dataclass(frozen=True)
class SsoSetting:
    """One ``KEY=value`` line of sso.conf (the value of ENCRYPT_KEY is never kept)."""

    key: str
    value: str
    """The value as written; for ENCRYPT_KEY the :class:`KeyInfo` text instead."""
    place: Place
    text: str
    """The line for evidence, rewritten where it held a key."""


@dataclass(frozen=True)
class SyncHost:
    """One ``(host [port [key]])`` entry of SYNC_HOSTS."""

    host: str
    port: int | None
    key: KeyInfo | None
    place: Place


@dataclass(frozen=True)
class SyncUserEntry:
    """One entry of SYNC_USERS: ``+name``, ``-name``, a bare name, or ``ALL``."""

    sign: str
    """``+``, ``-`` or ``""`` (bare name, and ``ALL``)."""
    name: str
    place: Place

    def __str__(self) -> str:
        return f"{self.sign}{self.name}"


@dataclass(frozen=True)
class SyncDecision:
    """The answer to "is this user's password synchronized on this host, and why?"."""

    allowed: bool
    entry: SyncUserEntry | None
    """The deciding SYNC_USERS entry, or None when no entry decided (a default did)."""
    place: Place | None
    """Where the decision comes from (the entry's line, or the SYNC_USERS line)."""
    basis: Basis
    explanation: str


@dataclass(frozen=True)
class SyncUsersIndex:
    """The SYNC_USERS entries :meth:`SsoConf.decide` looks for, by the name they compare
    as; each the first of its kind in the list, as the rules read it in order."""

    excluding: dict[str, SyncUserEntry]
    """``-name`` entries."""
    including: dict[str, SyncUserEntry]
    """``+name`` and bare-name entries, ``ALL`` aside."""
    everyone: SyncUserEntry | None
    """The bare ``ALL`` entry."""
    lists_includes: bool
    """Whether any entry is ``+``/bare (``ALL`` included)."""
    case_variants: dict[str, SyncUserEntry]
    """Entries other than ``-name`` by case-folded name, to point out near misses."""

    @classmethod
    def of(cls, entries: Iterable[SyncUserEntry], fold: Callable[[str], str]) -> SyncUsersIndex:
        """Index ``entries`` with names compared as ``fold`` says (CASE_IGNORE_NAME)."""
        entries = tuple(entries)
        include = [e for e in entries if e.sign in ("+", "")]
        return cls(
            excluding=_first_by((e for e in entries if e.sign == "-"), lambda e: fold(e.name)),
            including=_first_by((e for e in include if e.name != "ALL"), lambda e: fold(e.name)),
            everyone=next((e for e in include if e.sign == "" and e.name == "ALL"), None),
            lists_includes=bool(include),
            case_variants=_first_by(
                (e for e in entries if e.sign != "-"), lambda e: e.name.casefold()
            ),
        )


@dataclass(frozen=True)
class SsoConf:
    """A parsed sso.conf. :meth:`decide` models SYNC_USERS (see :mod:`evtdiag.hosts.ssoconf`)."""

    file: str
    settings: tuple[SsoSetting, ...]
    """The effective settings (for duplicated keys the last one), in file order."""
    sync_users: tuple[SyncUserEntry, ...] | None
    """None when SYNC_USERS is absent (different from an empty list)."""
    sync_hosts: tuple[SyncHost, ...] | None
    encrypt_key: KeyInfo | None
    case_ignore_name: bool
    """CASE_IGNORE_NAME; Microsoft documents 1 (True) as the default."""
    case_ignore_place: Place | None
    warnings: tuple[ConfigWarning, ...] = ()

    @cached_property
    def _sync_users(self) -> SyncUsersIndex:
        """:attr:`sync_users` indexed for :meth:`decide`, built on first use (a cached
        property of a frozen dataclass: not a field, so equality, repr and
        ``dataclasses.replace`` see only the real fields)."""
        return SyncUsersIndex.of(self.sync_users or (), self._compared)

    def _compared(self, name: str) -> str:
        """``name`` as SYNC_USERS names compare with it (CASE_IGNORE_NAME)."""
        return name.casefold() if self.case_ignore_name else name

    def get(self, key: str) -> SsoSetting | None:
        """The effective setting for ``key``, or None when the file does not set it."""
        for s in self.settings:
            if s.key == key:
                return s
        return None

    def decide(self, user: str) -> SyncDecision:
        """Is ``user`` synchronized by this host, and which line decides?

        Rules (only the ``-name`` and ``+name`` meanings are documented): an explicit
        ``-name`` always wins; then ``+name`` or a bare name includes; then ``ALL``
        includes everyone else; a list without ``ALL`` that holds any include entry
        means "only those"; a list of only ``-`` entries includes everyone else; no
        SYNC_USERS at all means everyone. Names compare as CASE_IGNORE_NAME says.
        """
        setting = self.get("SYNC_USERS")
        where = setting.place if setting else None
        case_note = "" if self.case_ignore_name else " (CASE_IGNORE_NAME=0: case matters)"
        if self.sync_users is None or not self.sync_users:
            what = "absent" if self.sync_users is None else "empty"
            return SyncDecision(
                True,
                None,
                where,
                "inferred",
                f"SYNC_USERS is {what}; assumed to synchronize every user "
                "(Microsoft does not document the default)",
            )
        target = self._compared(user)
        index = self._sync_users
        excluded = index.excluding.get(target)
        if excluded is not None:
            return SyncDecision(
                False,
                excluded,
                excluded.place,
                "documented",
                f"SYNC_USERS excludes {excluded}{case_note}; an explicit '-' entry always wins "
                "(note: SFU 2.0 ignored '-', KB Q296680)",
            )
        included = index.including.get(target)
        if included is not None:
            basis = "documented" if included.sign == "+" else "inferred"
            how = "includes" if included.sign == "+" else "lists (bare name assumed to include)"
            return SyncDecision(
                True, included, included.place, basis, f"SYNC_USERS {how} {included}{case_note}"
            )
        if index.everyone is not None:
            return SyncDecision(
                True,
                index.everyone,
                index.everyone.place,
                "inferred",
                "SYNC_USERS contains ALL and no '-' entry for this user; "
                "ALL assumed to include everyone not excluded",
            )
        if index.lists_includes:
            near = index.case_variants.get(user.casefold())
            extra = "" if near is None else f"; {near} differs only in case"
            return SyncDecision(
                False,
                None,
                where,
                "inferred",
                f"SYNC_USERS lists users without ALL and {user} is not among them"
                f"{case_note}{extra}; a list of included names assumed to mean only those",
            )
        return SyncDecision(
            True,
            None,
            where,
            "inferred",
            "SYNC_USERS has only '-' entries and none names this user; "
            "assumed to include everyone not excluded",
        )


@dataclass(frozen=True)
class PasswdEntry:
    """One /etc/passwd line (the password field is reduced like a shadow hash)."""

    name: str
    uid: int | None
    gid: int | None
    shell: str
    place: Place
    password_status: str = "shadowed"
    """``shadowed`` (``x``) or a shadow status when passwd holds the hash itself."""
    password_scheme: str = "none"


@dataclass(frozen=True)
class ShadowEntry:
    """One shadow (or AIX security/passwd) account, reduced at parse time.

    The hash itself is dropped while parsing and is never stored anywhere.
    """

    name: str
    status: str
    """``active``, ``locked``, ``no-password`` or ``never-set``."""
    scheme: str
    """``des``, ``md5``, ``sha256``, ``sha512``, ``bcrypt``, ``yescrypt``, ``ssha512``, ...,
    ``none`` (no hash) or ``unknown``."""
    last_change: date | None
    expires: date | None
    place: Place
    flags: tuple[str, ...] = ()
    """AIX ``flags`` (ADMCHG, NOCHECK, ...)."""


@dataclass(frozen=True)
class PolicySetting:
    """One password-policy value with its source line."""

    name: str
    """``min_length``, ``min_days``, ``max_days``, ``history``, ``min_length_pwquality``..."""
    value: int | None
    """None for "Unlimited"/"None"/"Never" (see :attr:`raw`) or an unparsable value."""
    raw: str
    place: Place
    text: str


@dataclass(frozen=True)
class AixUserAttrs:
    """One stanza of AIX /etc/security/user (``default`` included)."""

    name: str
    account_locked: bool | None
    minlen: int | None
    place: Place


@dataclass(frozen=True)
class UnixPolicy:
    """UNIX password policy from login.defs, pwquality.conf and AIX security/user."""

    settings: tuple[PolicySetting, ...] = ()
    aix_users: tuple[AixUserAttrs, ...] = ()

    @cached_property
    def _stanzas(self) -> dict[str, AixUserAttrs]:
        """The first stanza of each name, ``default`` included."""
        return _first_by(self.aix_users, _name)

    def get(self, name: str) -> PolicySetting | None:
        """The setting called ``name`` (the last one when a file repeats it)."""
        found = [s for s in self.settings if s.name == name]
        return found[-1] if found else None

    def aix_user(self, user: str) -> AixUserAttrs | None:
        """The user's own AIX stanza (the first of that name), or None."""
        return None if user == "default" else self._stanzas.get(user)

    def min_length_for(self, user: str | None = None) -> PolicySetting | None:
        """The effective minimum length for ``user``: the AIX stanza (own, else
        ``default``), else pwquality ``minlen``, else login.defs PASS_MIN_LEN."""
        stanzas = [self.aix_user(user)] if user else []
        stanzas.append(self._stanzas.get("default"))
        for a in stanzas:
            if a is not None and a.minlen is not None:
                return PolicySetting(
                    "min_length", a.minlen, str(a.minlen), a.place, f"{a.name}: minlen = {a.minlen}"
                )
        return self.get("minlen") or self.get("min_length")


@dataclass(frozen=True)
class HostConfig:
    """Everything read for one UNIX host."""

    name: str
    """The folder or archive name the host was supplied as."""
    source: str
    """The folder or archive path."""
    aliases: tuple[str, ...]
    """Extra names from hosts.toml."""
    files: tuple[FileStatus, ...]
    sso: SsoConf | None
    passwd: tuple[PasswdEntry, ...] | None
    shadow: tuple[ShadowEntry, ...] | None
    """From shadow, or from AIX security/passwd; None when neither was supplied."""
    policy: UnixPolicy
    warnings: tuple[ConfigWarning, ...] = ()

    @cached_property
    def _accounts(self) -> dict[str, PasswdEntry]:
        """The first passwd entry of each name."""
        return _first_by(self.passwd, _name)

    @cached_property
    def _folded_accounts(self) -> dict[str, PasswdEntry]:
        """The first passwd entry of each case-folded name."""
        return _first_by(self.passwd, _folded_name)

    @cached_property
    def _folded_shadow(self) -> dict[str, ShadowEntry]:
        """The first shadow entry of each case-folded name."""
        return _first_by(self.shadow, _folded_name)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the host is known by."""
        return (self.name, *self.aliases)

    def file(self, name: str) -> FileStatus | None:
        """The status of the expected file ``name``."""
        return next((f for f in self.files if f.name == name), None)

    def account(self, user: str, case_ignore: bool = True) -> PasswdEntry | None:
        """The passwd entry for ``user`` (case-insensitive unless told otherwise); the
        first in file order when several match."""
        if case_ignore:
            return self._folded_accounts.get(user.casefold())
        return self._accounts.get(user)

    def shadow_entry(self, user: str) -> ShadowEntry | None:
        """The shadow entry for ``user``, case-insensitive; the first in file order when
        several match."""
        return self._folded_shadow.get(user.casefold())


@dataclass(frozen=True)
class HostMatch:
    """The result of matching an ``rhost`` from an event against the inventory."""

    rhost: str
    host: HostConfig | None
    """The host, when exactly one matched."""
    tried: tuple[str, ...]
    """The forms of ``rhost`` that were compared (full name, short name)."""
    candidates: tuple[str, ...] = ()
    """More than one host matched: their names (no guess is made)."""
    how: str = ""
    """``exact``, ``alias``, ``short-name`` when matched."""

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


@dataclass(frozen=True)
class GroupMembers:
    """One Windows group's member list as supplied by the admin."""

    group: str
    supplied: bool
    """False when no file was given for this group (not the same as an empty group)."""
    exists: bool | None
    """False when the file says the group does not exist; None when unknown."""
    members: tuple[str, ...] = ()
    place: Place | None = None
    format: str = ""
    """``net``, ``csv``, ``lines``."""

    @cached_property
    def _keys(self) -> frozenset[str]:
        """The :func:`account_key` of every member."""
        return frozenset(map(account_key, self.members))

    def contains(self, user: str) -> bool:
        """Case-insensitive; ``CORP\\alice`` and ``alice@corp.example.com`` are ``alice``."""
        return account_key(user) in self._keys


def _folded_group(members: GroupMembers) -> str:
    return members.group.casefold()


@dataclass(frozen=True)
class WindowsSide:
    """What the admin saved on a DC: PSync groups, admin groups, password policy."""

    groups: tuple[GroupMembers, ...]
    policy: tuple[PolicySetting, ...]
    policy_supplied: bool
    warnings: tuple[ConfigWarning, ...] = ()

    @cached_property
    def _by_group(self) -> dict[str, GroupMembers]:
        """The first group of each case-folded name."""
        return _first_by(self.groups, _folded_group)

    def group(self, name: str) -> GroupMembers:
        """The group called ``name`` (always present, ``supplied=False`` when not given)."""
        found = self._by_group.get(name.casefold())
        return GroupMembers(name, supplied=False, exists=None) if found is None else found

    def policy_value(self, name: str) -> PolicySetting | None:
        return next((p for p in self.policy if p.name == name), None)

    def allows(self, user: str) -> SyncDecision:
        """Does the Windows side let ``user``'s password go out? Deny wins [DOC];
        a missing Allow group acts as if it held every user [DOC]."""
        allow, deny = self.group("PasswordPropAllow"), self.group("PasswordPropDeny")
        if deny.supplied and deny.contains(user):
            return SyncDecision(
                False,
                None,
                deny.place,
                "documented",
                f"{user} is a member of PasswordPropDeny (deny wins)",
            )
        if not allow.supplied:
            return SyncDecision(
                True,
                None,
                None,
                "inferred",
                "PasswordPropAllow not supplied: treated as group absent, "
                "which Microsoft documents as 'everyone allowed'",
            )
        if allow.exists is False:
            return SyncDecision(
                True,
                None,
                allow.place,
                "documented",
                "group PasswordPropAllow absent: everyone allowed",
            )
        if allow.contains(user):
            return SyncDecision(
                True, None, allow.place, "documented", f"{user} is a member of PasswordPropAllow"
            )
        return SyncDecision(
            False,
            None,
            allow.place,
            "documented",
            f"PasswordPropAllow exists and {user} is not a member"
            + (" (it is empty)" if not allow.members else ""),
        )


# --- Stage 4: diagnosis ---
#
# Built by :mod:`evtdiag.diagnose` from PsyncEvents, the Inventory and the WindowsSide.
# Renderers read these and compute nothing new.


@dataclass(frozen=True)
class Evidence:
    """One fact a conclusion rests on: a config line, an event, or a missing file."""

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
