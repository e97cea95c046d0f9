"""The values stage 3 (:mod:`evtdiag.hosts`) builds: host configurations and the Windows side.

Secrets never reach these classes: an ENCRYPT_KEY is kept as a :class:`KeyInfo` (length
and character classes) and a password hash as a status and a scheme name, so printing,
pickling or ``repr()``-ing any of them is safe. They hold data and the lookups that find
an entry by name; the rules that read them (SYNC_USERS, the effective minimum length,
PasswordPropAllow/Deny) are functions of the modules that parse them
(:func:`evtdiag.hosts.ssoconf.decide`, :func:`evtdiag.hosts.policy.min_length_for`,
:func:`evtdiag.hosts.windows.allows`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TypeVar

from evtdiag.hosts._text import excerpt
from evtdiag.model import ConfigWarning, Place
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


Basis = str
"""``"documented"`` (Microsoft says so) or ``"inferred"`` (an evtdiag assumption)."""


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
    line: str
    """The whole line (continued lines joined), rewritten where it held a key, without
    its comment."""
    verbatim: str | None = None
    """The line exactly as the file holds it (without its line end), when a patch may
    quote it: one line, holding no key and no comment, of a file in UTF-8 without a BOM
    with one kind of line end. None otherwise (a fix then edits the line by its number)."""

    @property
    def text(self) -> str:
        """The line for evidence, bounded (:func:`~evtdiag.hosts._text.excerpt`)."""
        return excerpt(self.line)

    def quote(self, part: str) -> str:
        """The line for evidence around the first whole-word ``part`` (an entry such as
        ``-alice``), bounded like :attr:`text`: in a long SYNC_USERS line the entry
        that decides is what the reader must see."""
        found = re.search(rf"(?<![^\s,=]){re.escape(part)}(?![^\s,])", self.line)
        shown = excerpt(self.line, found.start() if found else 0)
        return f"{self.key}={shown}" if shown.startswith("…") else shown


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
class FileMismatch:
    """FILE_PATH and USE_SHADOW disagree (:func:`evtdiag.hosts.ssoconf.file_mismatch`): the
    two settings, which the cause and the audit rule both show as evidence, and how."""

    file_path: SsoSetting
    use_shadow: SsoSetting
    problem: str
    """One sentence, e.g. "USE_SHADOW=1 but FILE_PATH names a passwd file."."""


@dataclass(frozen=True)
class SyncUsersIndex:
    """The SYNC_USERS entries :func:`evtdiag.hosts.ssoconf.decide` looks for, by the name
    they compare as; each the first of its kind in the list, as the rules read it in order."""

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
    """A parsed sso.conf (:func:`evtdiag.hosts.ssoconf.decide` reads its SYNC_USERS)."""

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
    line_end: str | None = None
    """How the file ends its lines (``\\n`` or ``\\r\\n``), what a patch quoting them must
    write; None when they cannot be quoted (see :attr:`SsoSetting.verbatim`)."""

    @cached_property
    def sync_users_index(self) -> SyncUsersIndex:
        """:attr:`sync_users` indexed by the name each entry compares as, built on first
        use (a cached property of a frozen dataclass: not a field, so equality, repr and
        ``dataclasses.replace`` see only the real fields)."""
        return SyncUsersIndex.of(self.sync_users or (), self.compared)

    def compared(self, name: str) -> str:
        """``name`` as SYNC_USERS names compare with it (CASE_IGNORE_NAME)."""
        return name.casefold() if self.case_ignore_name else name

    def get(self, key: str) -> SsoSetting | None:
        """The effective setting for ``key``, or None when the file does not set it."""
        for s in self.settings:
            if s.key == key:
                return s
        return None


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

    def aix_stanza(self, name: str) -> AixUserAttrs | None:
        """The first AIX stanza called ``name``, ``default`` included, or None."""
        return self._stanzas.get(name)

    def aix_user(self, user: str) -> AixUserAttrs | None:
        """The user's own AIX stanza (the first of that name), or None."""
        return None if user == "default" else self.aix_stanza(user)


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
