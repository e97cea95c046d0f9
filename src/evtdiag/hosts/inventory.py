"""The host inventory: one folder (or collector archive) per UNIX host, and name matching.

Layout (docs/design.md, Input layouts): ``DIR/<host>/`` holds ``sso.conf``, ``passwd``,
``shadow`` and the optional policy files, directly or under ``etc/``;
``DIR/<host>.tar.gz`` is what ``evtdiag collect-script`` produced; ``DIR/hosts.toml``
gives extra names per host.

Safety: nothing outside DIR is ever read (a symlink pointing out, or a folder named
``..``, is refused with a warning); archives are read by :mod:`evtdiag.archives` (members
copied one at a time into a private folder, bomb limits), never extracted here, and
absolute or ``..`` member names, links and devices are refused; file sizes are capped.

Matching assumptions [INF] (Microsoft says nothing about how ``rhost`` is spelt): names
compare case-insensitively, ignoring a trailing dot; an exact name or alias beats a
short-name match (``web01`` matches ``WEB01.corp.example.com`` and back); IP addresses
match only exactly; when several hosts match at the same tier the result is ambiguous
and no host is chosen.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from evtdiag import archives
from evtdiag.errors import InputFormatError
from evtdiag.hosts import accounts, policy
from evtdiag.hosts._text import decode
from evtdiag.hosts.model import FileStatus, HostConfig, HostMatch, UnixPolicy
from evtdiag.hosts.ssoconf import parse_sso_conf
from evtdiag.model import ConfigWarning, Place
from evtdiag.names import fold_host, host_key, is_ip_address

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = None

EXPECTED = (
    "sso.conf",
    "passwd",
    "shadow",
    "login.defs",
    "security/pwquality.conf",
    "security/passwd",
    "security/user",
)
"""The files looked for in every host folder or archive."""
SSO_CONF = "sso.conf"
CLOSE_NAME_RATIO = 0.8
"""How alike (difflib's ratio, 0 to 1) a name must be to ``sso.conf`` to be taken for a
misspelling of it: ``sso.cnf`` is 0.93, ``ssoconf`` 0.93, ``passwd`` 0.14."""
MAX_FILE = 32 * 1024 * 1024
"""The most of a host file that is read: in a folder its start, with a warning; in an
archive a larger member is refused (:data:`ARCHIVE_LIMITS`)."""
ARCHIVE_LIMITS = archives.Limits(
    members=1000, member_size=MAX_FILE, total=128 * 1024 * 1024, unpacked=128 * 1024 * 1024
)
"""A collector archive holds a few small files: far tighter limits than a log archive's,
so that a hostile one cannot fill memory (its host files are held in memory)."""
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")

Reader = Callable[[str], "tuple[bytes | None, FileStatus]"]


def is_inside(root_real: str, path: str) -> bool:
    """Whether ``path``, links resolved, is the folder ``root_real`` (a realpath) or lies
    below it: a folder of copied configuration files must not lead anywhere else."""
    real = os.path.realpath(path)
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class Inventory:
    """The hosts read from ``--hosts DIR``, and how event names map to them."""

    root: str
    hosts: tuple[HostConfig, ...]
    warnings: tuple[ConfigWarning, ...] = ()

    def match(self, rhost: str) -> HostMatch:
        """Find the host an event's ``rhost`` names; never guess between several."""
        full, short = fold_host(rhost), host_key(rhost)
        tried = (full,) if short == full else (full, short)
        tiers = [("exact", self._by_name.get(full)), ("alias", self._by_alias.get(full))]
        if not is_ip_address(full):
            tiers.append(("short-name", self._by_short_name.get(short)))
        for how, found in tiers:
            if found and len(found) == 1:
                return HostMatch(rhost, found[0], tried, (found[0].name,), how)
            if found:
                return HostMatch(rhost, None, tried, tuple(h.name for h in found), how)
        return HostMatch(rhost, None, tried)

    @cached_property
    def _by_name(self) -> dict[str, list[HostConfig]]:
        """Hosts by normalised name: looked up once per event spelling, for many hosts."""
        return _index(self.hosts, lambda h: (fold_host(h.name),))

    @cached_property
    def _by_alias(self) -> dict[str, list[HostConfig]]:
        return _index(self.hosts, lambda h: {fold_host(a) for a in h.aliases})

    @cached_property
    def _by_short_name(self) -> dict[str, list[HostConfig]]:
        """Hosts by the first label of a name or alias that is not an IP address."""
        return _index(
            self.hosts, lambda h: {host_key(n) for n in h.names if not is_ip_address(fold_host(n))}
        )


def _index(
    hosts: Iterable[HostConfig], keys: Callable[[HostConfig], Iterable[str]]
) -> dict[str, list[HostConfig]]:
    """Each key's hosts, in the inventory's order."""
    index: dict[str, list[HostConfig]] = {}
    for host in hosts:
        for key in keys(host):
            index.setdefault(key, []).append(host)
    return index


def files_below(folder: str, depth: int = 4) -> list[str]:
    """The files below ``folder`` (``/``-separated relative paths), ``depth`` levels at most."""
    found: list[str] = []
    for current, folders, files in os.walk(folder):
        relative = os.path.relpath(current, folder)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        if prefix.count("/") >= depth:
            folders.clear()
        found.extend(prefix + name for name in files)
    return found


def close_to_sso_conf(name: str) -> bool:
    """Whether a file name is a misspelling or disguise of ``sso.conf`` (``SSO.CONF``,
    ``sso.cnf``, ``sso.conf.txt`` as Windows saves it): a host folder that has such a
    file instead of ``sso.conf`` would otherwise be diagnosed as if it had none."""
    if name == SSO_CONF:
        return False
    folded = name.casefold()
    return folded.startswith(SSO_CONF) or (
        difflib.SequenceMatcher(None, folded, SSO_CONF).ratio() >= CLOSE_NAME_RATIO
    )


def _stand_in(names: Iterable[str]) -> str | None:
    """The name read in place of a missing ``sso.conf``: the one that differs only in
    case first, else the first close one in name order."""
    close = sorted(n for n in names if close_to_sso_conf(n))
    folded = [n for n in close if n.casefold() == SSO_CONF]
    candidates = folded or close
    return candidates[0] if candidates else None


def _stand_in_warning(where: str, name: str) -> ConfigWarning:
    return ConfigWarning(
        Place(where),
        f"no sso.conf here; {name} read in its place: rename it sso.conf (ssod reads "
        "only that name)",
    )


def _no_sso_conf(source: str) -> ConfigWarning:
    return ConfigWarning(
        Place(source),
        "no sso.conf in this host's files: its SYNC_USERS, key and port cannot be checked; "
        "collect it (evtdiag collect-script) or copy it in as sso.conf",
    )


def _folder_reader(root_real: str, folder: str, warnings: list[ConfigWarning]) -> Reader:
    prefix = _root_of(folder, files_below(folder), warnings)
    host_root = os.path.join(folder, *prefix.split("/")) if prefix is not None else None

    def read(rel: str) -> tuple[bytes | None, FileStatus]:
        if host_root is None:
            return None, FileStatus(rel, "absent")
        for base in (host_root, os.path.join(host_root, "etc")):
            path = os.path.join(base, *rel.split("/"))
            if not os.path.lexists(path):
                continue
            if not is_inside(root_real, path):
                warnings.append(
                    ConfigWarning(Place(path), "points outside the hosts folder; not read")
                )
                return None, FileStatus(rel, "unreadable", path)
            if not os.path.isfile(path):
                why = "is a directory" if os.path.isdir(path) else "is not a regular file"
                warnings.append(ConfigWarning(Place(path), f"unreadable: {why}"))
                return None, FileStatus(rel, "unreadable", path)
            try:
                with open(path, "rb") as f:
                    data = f.read(MAX_FILE + 1)
            except OSError as e:
                warnings.append(ConfigWarning(Place(path), f"unreadable: {e.strerror or e}"))
                return None, FileStatus(rel, "unreadable", path)
            data = _capped(data, Place(path), warnings)
            return data, FileStatus(rel, "present", path, len(data))
        if rel == SSO_CONF:
            return _stand_in_file(root_real, host_root, read, warnings)
        return None, FileStatus(rel, "absent")

    return read


def _stand_in_file(
    root_real: str, host_root: str, read: Reader, warnings: list[ConfigWarning]
) -> tuple[bytes | None, FileStatus]:
    """A file named close to ``sso.conf`` in the host's root or its ``etc/``, read by
    ``read`` in its place with a warning naming it; absent when there is none."""
    for base in (host_root, os.path.join(host_root, "etc")):
        try:
            name = _stand_in(os.listdir(base))
        except OSError:
            continue
        if name is not None:
            relative = os.path.relpath(os.path.join(base, name), host_root).replace(os.sep, "/")
            data, status = read(relative)
            if data is not None:
                warnings.append(_stand_in_warning(status.path or relative, name))
                return data, FileStatus(SSO_CONF, "present", status.path, status.size)
    return None, FileStatus(SSO_CONF, "absent")


def _archive_files(path: str, warnings: list[ConfigWarning]) -> dict[str, bytes]:
    """Read an archive's host files into memory, refusing anything unsafe.

    The members come from the one archive reader (:mod:`evtdiag.archives`) under
    :data:`ARCHIVE_LIMITS`; only those named like a host file (:data:`EXPECTED`, at any
    depth) are copied, and those whose names would be unsafe as paths, to be refused
    with a warning (no collector writes them: the archive deserves a look). A member's
    name is only a key here, never a path.
    """
    files: dict[str, bytes] = {}
    try:
        with open(path, "rb") as handle:
            kind = archives.archive_kind(handle.read(512))
        if kind is None:
            raise InputFormatError("not a .tar.gz, .tgz, .tar or .zip archive")
        found = archives.members(
            Path(path),
            path,
            kind,
            wanted=lambda name: (
                is_unsafe_member(name)
                or is_host_file(name)
                or close_to_sso_conf(name.rsplit("/", 1)[-1])
            ),
            limits=ARCHIVE_LIMITS,
        )
        for member in found:
            where = Place(f"{path}:{member.name}")
            if is_unsafe_member(member.name):
                warnings.append(ConfigWarning(where, "unsafe member name refused"))
                continue
            if member.path is None:
                warnings.append(ConfigWarning(where, member.skipped or "not read"))
                continue
            files[member_key(member.name)] = member.path.read_bytes()
    except (InputFormatError, OSError) as error:
        warnings.append(ConfigWarning(Place(path), f"archive not readable: {error}"))
        return files
    if not files:
        warnings.append(
            ConfigWarning(
                Place(path),
                f"holds none of the host files ({', '.join(EXPECTED)}): is it a collector archive?",
            )
        )
    return files


def member_key(name: str) -> str:
    """A member's name as a relative ``/``-separated path (``./a//b`` is ``a/b``)."""
    return "/".join(part for part in name.split("/") if part not in ("", "."))


def is_unsafe_member(name: str) -> bool:
    """Whether a member's name would leave its folder if it were used as a path."""
    return name.startswith("/") or ".." in name.split("/") or "\\" in name


def is_host_file(name: str) -> bool:
    """Whether a member is named like one of :data:`EXPECTED`, at any depth."""
    key = member_key(name)
    return any(key == rel or key.endswith("/" + rel) for rel in EXPECTED)


def _capped(data: bytes, where: Place, warnings: list[ConfigWarning]) -> bytes:
    """At most :data:`MAX_FILE` bytes of a host file, with a warning when there were more."""
    if len(data) > MAX_FILE:
        warnings.append(
            ConfigWarning(where, f"larger than {MAX_FILE} bytes; only the start is read")
        )
        return data[:MAX_FILE]
    return data


def config_root(paths: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """Where a host's files lie among ``paths`` (relative, ``/``-separated): the
    shallowest folder holding an expected file, directly or under ``etc/``.

    Admins archive or copy a host's files from wherever they gathered them
    (``tmp/collect/web01/etc/sso.conf``, ``web01/web01/sso.conf``), so the root is found
    by the files, not assumed.

    :returns: the folder as a prefix (``""`` or ending in ``/``), and the other folders
        as shallow that also hold such files: then it is not known which host is meant.
    """
    roots: set[str] = set()
    for path in paths:
        for rel in EXPECTED:
            for inner in (rel, "etc/" + rel):
                if path == inner:
                    roots.add("")
                elif path.endswith("/" + inner):
                    roots.add(path[: -len(inner)])
    if not roots:
        return "", ()
    depth = min(root.count("/") for root in roots)
    shallowest = sorted(root for root in roots if root.count("/") == depth)
    return shallowest[0], tuple(shallowest[1:])


def _root_of(source: str, paths: Iterable[str], warnings: list[ConfigWarning]) -> str | None:
    """:func:`config_root`, with a warning (and nothing read) when it is ambiguous."""
    root, others = config_root(paths)
    if others:
        found = ", ".join(repr(r or ".") for r in (root, *others))
        warnings.append(
            ConfigWarning(
                Place(source),
                f"host files found in several folders ({found}): not read, since it is not "
                "known which belongs to this host; give each host its own folder or archive",
            )
        )
        return None
    return root


def _archive_reader(path: str, files: dict[str, bytes], warnings: list[ConfigWarning]) -> Reader:
    prefix = _root_of(path, files, warnings)

    def read(rel: str) -> tuple[bytes | None, FileStatus]:
        if prefix is None:
            return None, FileStatus(rel, "absent")
        for cand in (prefix + rel, prefix + "etc/" + rel):
            if cand in files:
                return files[cand], FileStatus(rel, "present", f"{path}:{cand}", len(files[cand]))
        if rel == SSO_CONF:
            for folder in (prefix, prefix + "etc/"):
                here = [k[len(folder) :] for k in files if k.startswith(folder)]
                name = _stand_in(n for n in here if "/" not in n)
                if name is not None:
                    where = f"{path}:{folder}{name}"
                    warnings.append(_stand_in_warning(where, name))
                    data = files[folder + name]
                    return data, FileStatus(rel, "present", where, len(data))
        return None, FileStatus(rel, "absent")

    return read


def load_host(
    name: str,
    source: str,
    read: Reader,
    aliases: tuple[str, ...] = (),
    warnings: list[ConfigWarning] | None = None,
) -> HostConfig:
    """Parse every expected file ``read`` can supply into a :class:`HostConfig`."""
    warnings = warnings if warnings is not None else []
    statuses: list[FileStatus] = []
    data: dict[str, tuple[bytes, str]] = {}
    for rel in EXPECTED:
        blob, st = read(rel)
        statuses.append(st)
        if blob is not None:
            data[rel] = (blob, st.path or rel)
    sso = shadow = None
    if SSO_CONF in data:
        sso = parse_sso_conf(*data[SSO_CONF])
        warnings.extend(sso.warnings)
    elif SSO_CONF not in {st.name for st in statuses if st.state != "absent"} and (
        data or not warnings
    ):
        # (an archive that holds no host file at all has said so already)
        warnings.append(_no_sso_conf(source))
    passwd = _parse_present(data, "passwd", accounts.parse_passwd, warnings)
    linux_shadow = _parse_present(data, "shadow", accounts.parse_shadow, warnings)
    aix_shadow = _parse_present(
        data, "security/passwd", accounts.parse_aix_security_passwd, warnings
    )
    if linux_shadow is not None or aix_shadow is not None:
        shadow = (linux_shadow or ()) + (aix_shadow or ())
    settings = _parse_present(data, "login.defs", policy.parse_login_defs, warnings) or ()
    settings += (
        _parse_present(data, "security/pwquality.conf", policy.parse_pwquality, warnings) or ()
    )
    aix_users = (
        _parse_present(data, "security/user", policy.parse_aix_security_user, warnings) or ()
    )
    return HostConfig(
        name,
        source,
        aliases,
        tuple(statuses),
        sso,
        passwd,
        shadow,
        UnixPolicy(settings, aix_users),
        tuple(warnings),
    )


_Entry = TypeVar("_Entry")


def _parse_present(
    data: dict[str, tuple[bytes, str]],
    rel: str,
    parse: Callable[[bytes, str], tuple[tuple[_Entry, ...], list[ConfigWarning]]],
    warnings: list[ConfigWarning],
) -> tuple[_Entry, ...] | None:
    """What ``parse`` reads from the file ``rel`` (its warnings added to ``warnings``),
    or None when the host has no such file."""
    if rel not in data:
        return None
    entries, found = parse(*data[rel])
    warnings.extend(found)
    return entries


MAX_TOML_NESTING = 64
"""hosts.toml needs arrays one deep (``web01 = ["alias"]``); tomllib recurses once per
level, so a file nested 2,000 deep exhausted Python's stack (issue 26): deeper than
this is refused before parsing."""
_TOML_TOKEN = re.compile(
    r'"""(?:\\.|[^\\])*?"""'
    r"|'''.*?'''"
    r'|"(?:\\.|[^"\\\n])*"'
    r"|'[^'\n]*'|#[^\n]*"
    r"|([\[{])|[\]}]",
    re.DOTALL,
)
"""Strings and comments (skipped whole), then an opening (group 1) or closing bracket."""


def toml_nesting(text: str) -> int:
    """How deep arrays and inline tables nest in TOML ``text`` (brackets in strings and
    comments not counted), in one pass without recursion."""
    depth = deepest = 0
    for token in _TOML_TOKEN.finditer(text):
        if token.group(1):
            depth += 1
            deepest = max(deepest, depth)
        elif token.group() in ("]", "}"):
            depth = max(0, depth - 1)
    return deepest


def _load_aliases(path: str, warnings: list[ConfigWarning]) -> dict[str, tuple[str, ...]]:
    if tomllib is None:
        warnings.append(ConfigWarning(Place(path), "hosts.toml needs Python 3.11; ignored"))
        return {}
    try:
        with open(path, "rb") as f:
            text = decode(f.read())[0]  # Notepad and PowerShell add a BOM
        nesting = toml_nesting(text)
        if nesting > MAX_TOML_NESTING:
            warnings.append(
                ConfigWarning(
                    Place(path),
                    f"hosts.toml nests arrays or tables {nesting} deep (more than "
                    f"{MAX_TOML_NESTING}); ignored",
                )
            )
            return {}
        doc = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        warnings.append(ConfigWarning(Place(path), f"hosts.toml not readable: {e}"))
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for host, names in doc.items():
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            warnings.append(ConfigWarning(Place(path), f"{host}: expected a list of names"))
            continue
        out[host.casefold()] = tuple(names)
    return out


def _same_host_twice(hosts: list[HostConfig]) -> list[ConfigWarning]:
    """Two folders that may be one host (``WEB01`` and ``web01.corp.example.com``): events
    would be matched to one of them, diagnosed from a copy that may differ."""
    by_short: dict[str, list[HostConfig]] = {}
    for host in hosts:
        for name in {host_key(n) for n in host.names}:
            by_short.setdefault(name, []).append(host)
    warnings = []
    for short, found in sorted(by_short.items()):
        names = sorted({h.name for h in found}, key=str.casefold)
        if len(names) > 1:
            warnings.append(
                ConfigWarning(
                    Place(found[-1].source),
                    f"{', '.join(names)} may be the same host ({short}): each event goes to "
                    "one of them by the name it uses; keep one copy and list the other "
                    "names in hosts.toml",
                )
            )
    return warnings


def load_inventory(hosts_dir: str, only: Collection[str] | None = None) -> Inventory:
    """Read every host folder and collector archive directly inside ``hosts_dir``.

    :param only: only these names in ``hosts_dir`` (the host folders an evidence
        bundle holds beside its logs, :mod:`evtdiag.bundle`); every entry without it.
    """
    root_real = os.path.realpath(hosts_dir)
    warnings: list[ConfigWarning] = []
    aliases: dict[str, tuple[str, ...]] = {}
    toml_path = os.path.join(hosts_dir, "hosts.toml")
    if os.path.isfile(toml_path) and is_inside(root_real, toml_path):
        aliases = _load_aliases(toml_path, warnings)
    hosts: list[HostConfig] = []
    try:
        entries = sorted(os.scandir(hosts_dir), key=lambda e: e.name)
    except OSError as e:
        warnings.append(ConfigWarning(Place(hosts_dir), f"cannot list: {e.strerror or e}"))
        entries = []
    seen: set[str] = set()
    for entry in entries:
        path = entry.path
        if entry.name == "hosts.toml" or entry.name.startswith("."):
            continue
        if only is not None and entry.name not in only:
            continue
        if not is_inside(root_real, path):
            warnings.append(
                ConfigWarning(Place(path), "symlink pointing outside the hosts folder; not read")
            )
            continue
        archive = entry.name.lower().endswith(ARCHIVE_SUFFIXES)
        if archive and os.path.isfile(path):
            name = entry.name[
                : -len(next(s for s in ARCHIVE_SUFFIXES if entry.name.lower().endswith(s)))
            ]
        elif os.path.isdir(path):
            name = entry.name
        else:
            if not os.path.exists(path):
                warnings.append(
                    ConfigWarning(Place(path), "broken symlink or symlink loop; not read")
                )
            else:
                warnings.append(
                    ConfigWarning(
                        Place(path),
                        "not a host folder nor a collector archive (.tar.gz, .tgz); not read",
                    )
                )
            continue
        if name.casefold() in seen:
            warnings.append(
                ConfigWarning(Place(path), f"host {name} supplied twice; this copy ignored")
            )
            continue
        seen.add(name.casefold())
        host_warnings: list[ConfigWarning] = []
        if archive:
            reader = _archive_reader(path, _archive_files(path, host_warnings), host_warnings)
        else:
            reader = _folder_reader(root_real, path, host_warnings)
        hosts.append(load_host(name, path, reader, aliases.pop(name.casefold(), ()), host_warnings))
    warnings.extend(_same_host_twice(hosts))
    for unknown in aliases:
        warnings.append(
            ConfigWarning(
                Place(toml_path), f"hosts.toml names {unknown}, which has no folder or archive"
            )
        )
    return Inventory(hosts_dir, tuple(hosts), tuple(warnings))
