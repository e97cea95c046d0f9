"""One evidence bundle in: a folder or archive holding the logs, the UNIX hosts'
configurations and the Windows settings together, as a customer sends them.

The parts are told apart by their content, never by folder names. A folder is a host's
when it holds one of :data:`HOST_MARKERS` (or a name close to ``sso.conf``), directly or
under ``etc/`` or ``security/``, and the folder holding such host folders (or collector
archives) is taken as ``--hosts`` would be, for those entries only; a folder holding a
group list or ``net-accounts.txt`` (:data:`evtdiag.hosts.windows.FILE_NAMES`) is taken
as ``--windows``. Everything else is read as logs: the inputs taken as configurations
leave the logs' coverage (:attr:`Configurations.set_aside`), and what was taken as what
is said on the terminal and in the report (``run.configurations``).

An archive (given as LOGS, ``--hosts`` or ``--windows``) has only its configuration
files copied out, into a private folder removed at the end of the run, through the one
archive reader (:mod:`evtdiag.archives`: its bomb limits; unsafe member names refused);
its logs are read from the archive itself, under their ``archive!member`` names.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evtdiag import archives
from evtdiag.errors import InputFormatError, UsageError
from evtdiag.hosts.inventory import (
    ARCHIVE_LIMITS,
    ARCHIVE_SUFFIXES,
    close_to_sso_conf,
    files_below,
    is_host_file,
    is_unsafe_member,
    member_key,
)
from evtdiag.hosts.windows import FILE_NAMES as WINDOWS_FILES

HOST_MARKERS = frozenset({"sso.conf", "passwd", "shadow"})
"""Files only a UNIX host's configuration holds: one of them makes its folder a host's."""
HOST_SUBFOLDERS = ("etc", "security")
"""Where a host's files may sit below its folder (a copied ``/etc``, AIX's files)."""
ALIASES = "hosts.toml"
MAX_DEPTH = 8
"""Folder levels walked below a bundle folder."""
HOSTS = "hosts"
WINDOWS = "windows"


@dataclass(frozen=True)
class Taken:
    """A folder used as configurations: where it is, as which, and how it was chosen."""

    path: str
    """As the report names it: ``sample_logs/hosts``, or ``evidence.zip!hosts``."""
    role: str
    """:data:`HOSTS` or :data:`WINDOWS`."""
    recognised: bool
    """True when found by its content in a bundle, False when given as an option."""

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "taken_as": self.role, "recognised": self.recognised}

    @property
    def sentence(self) -> str:
        option = "--hosts" if self.role == HOSTS else "--windows"
        what = "host configurations" if self.role == HOSTS else "Windows settings"
        how = "recognised by content" if self.recognised else "given"
        return f"{self.path}: read as {what} ({option}, {how})"


@dataclass(frozen=True)
class Configurations:
    """Where the configurations of a run are, and the inputs the logs must leave out."""

    hosts_dir: str | None = None
    host_entries: tuple[str, ...] | None = None
    """The entries of :attr:`hosts_dir` to read; all of them when None."""
    windows_dir: str | None = None
    taken: tuple[Taken, ...] = ()
    set_aside: tuple[str, ...] = ()
    """Input paths (and ``archive!member`` labels) holding configurations, with what is
    below them: not logs, not to be listed as skipped ones."""
    notes: tuple[str, ...] = ()
    """What was found and not used (a second hosts folder ...), one line each."""


@dataclass
class _Found:
    """Configuration folders found below one root (paths relative to it, ``/``-separated)."""

    hosts: dict[str, set[str]] = field(default_factory=dict)
    """Hosts folder -> its entries holding host files (folders or collector archives)."""
    windows: dict[str, list[str]] = field(default_factory=dict)
    """Windows folder -> its settings files."""
    aliases: set[str] = field(default_factory=set)
    """Folders holding a ``hosts.toml``."""
    top_host: bool = False
    """Host files lie at the root itself."""


def _host_folder(folder: str) -> str:
    """The host's folder for a host file in ``folder`` (``web01/etc`` -> ``web01``)."""
    parts = folder.split("/") if folder else []
    while parts and parts[-1].casefold() in HOST_SUBFOLDERS:
        parts.pop()
    return "/".join(parts)


def _below(path: str, folder: str) -> bool:
    return folder == "" or path.startswith(folder + "/")


def classify(files: Sequence[str], is_collector: Callable[[str], bool]) -> _Found:
    """Which folders among ``files`` (relative file paths) are configurations.

    :param is_collector: whether a ``.tar.gz``/``.tgz`` among them holds host files.
    """
    found = _Found()
    host_folders: set[str] = set()
    for rel in files:
        folder, _, name = rel.rpartition("/")
        folded = name.casefold()
        if folded in WINDOWS_FILES:
            found.windows.setdefault(folder, []).append(rel)
        elif name == ALIASES:
            found.aliases.add(folder)
        elif name in HOST_MARKERS or close_to_sso_conf(name):
            host_folders.add(_host_folder(folder))
        elif folded.endswith(ARCHIVE_SUFFIXES) and is_collector(rel):
            host_folders.add(rel)
    found.top_host = "" in host_folders
    for folder in sorted(host_folders - {""}, key=lambda f: (f.count("/"), f)):  # outer first
        parent, _, entry = folder.rpartition("/")
        outer = next((o for o in sorted(found.hosts, key=len) if _below(parent, o)), None)
        if outer is not None:  # web01/web01/sso.conf: a host folder copied in its own
            relative = folder[len(outer) + 1 :] if outer else folder
            found.hosts[outer].add(relative.split("/")[0])
        else:
            found.hosts.setdefault(parent, set()).add(entry)
    return found


def holds_host_files(path: str) -> bool:
    """Whether the archive at ``path`` is a collector's: it holds a host file."""
    try:
        if os.path.getsize(path) > ARCHIVE_LIMITS.total:
            return False
        with open(path, "rb") as handle:
            kind = archives.archive_kind(handle.read(512))
        if kind is None:
            return False
        found = archives.members(Path(path), path, kind, wanted=is_host_file, limits=ARCHIVE_LIMITS)
        return any(member.path is not None for member in found)
    except (InputFormatError, OSError):
        return False


def _member_names(path: str) -> list[str] | None:
    """The names of an archive's regular members; None when it is no zip or tar."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return [info.filename for info in archive.infolist() if not info.is_dir()]
        if tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                return [member.name for member in archive if member.isfile()]
    except archives.ARCHIVE_ERRORS:
        return None
    return None


def _may_hold_configurations(name: str) -> bool:
    """Whether an archive member is worth copying out to look at as configuration."""
    base = name.rsplit("/", 1)[-1]
    folded = base.casefold()
    return not is_unsafe_member(name) and (
        base in HOST_MARKERS
        or is_host_file(name)
        or close_to_sso_conf(base)
        or folded in WINDOWS_FILES
        or base == ALIASES
        or folded.endswith(ARCHIVE_SUFFIXES)
    )


def _unpack(path: str, names: Sequence[str], into: Path) -> list[str]:
    """Copy the members of ``path`` that may hold configurations into ``into``, under
    their own (safe) relative names; what could not be copied, one line each."""
    wanted = {name for name in names if _may_hold_configurations(name)}
    with open(path, "rb") as handle:
        kind = archives.archive_kind(handle.read(512)) or ""
    problems: list[str] = []
    for member in archives.members(Path(path), path, kind, wanted=wanted.__contains__):
        if member.path is None:
            problems.append(f"{member.label}: {member.skipped or 'not read'}")
            continue
        target = into.joinpath(*member_key(member.name).split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(member.path, target)
    return problems


class _PrivateFolder(contextlib.AbstractContextManager["_PrivateFolder"]):
    """A temporary folder made when first asked for (only an archive needs one: a run
    of plain folders writes nothing, even where no file may be written), removed on
    exit."""

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def path(self) -> Path:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="evtdiag-bundle-")
        return Path(self._folder.name)

    def __exit__(self, *exc: object) -> None:
        if self._folder is not None:
            self._folder.cleanup()


@dataclass
class _Search:
    """The configuration folders found in every input, in the order met."""

    private: _PrivateFolder
    hosts: list[tuple[str, str, tuple[str, ...] | None]] = field(default_factory=list)
    """(folder on disk, as shown, entries) per hosts folder found."""
    windows: list[tuple[str, str]] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def look_in(self, spec: str) -> None:
        """Find the configurations in one input: a folder, or an archive holding them."""
        if os.path.isdir(spec):
            self._folder(spec, spec, lambda rel: [str(Path(spec, *rel.split("/")))])
        elif os.path.isfile(spec):
            names = _member_names(spec)
            if names and any(_may_hold_configurations(n) for n in names):
                self._archive(spec, names)

    def _archive(self, spec: str, names: Sequence[str]) -> None:
        into = Path(tempfile.mkdtemp(prefix="bundle-", dir=self.private.path()))
        self.notes.extend(_unpack(spec, names, into))
        keys = [(member_key(name), name) for name in names]

        def labels(rel: str) -> list[str]:
            return [f"{spec}!{name}" for key, name in keys if key == rel or _below(key, rel)]

        self._folder(str(into), f"{spec}!", labels)

    def _folder(self, root: str, shown: str, inputs: Callable[[str], list[str]]) -> None:
        """Classify the files below ``root``; ``shown`` names it in messages (a path, or
        ``archive!``), ``inputs`` gives the log inputs below a relative path."""
        found = classify(
            sorted(files_below(root, MAX_DEPTH)), lambda rel: holds_host_files(_join(root, rel))
        )

        def name(rel: str) -> str:
            if shown.endswith("!"):
                return shown + rel if rel else shown[:-1]
            return str(Path(shown, *rel.split("/")))

        if found.top_host:
            self.notes.append(
                f"{name('')}: host files at its top are not read as a host's: put them in "
                "a folder named after the host"
            )
        for folder, entries in found.hosts.items():
            self.hosts.append((_join(root, folder), name(folder), tuple(sorted(entries))))
            for entry in entries:
                self.set_aside.extend(inputs(_join_rel(folder, entry)))
            if folder in found.aliases:
                self.set_aside.extend(inputs(_join_rel(folder, ALIASES)))
        for folder, files in found.windows.items():
            self.windows.append((_join(root, folder), name(folder)))
            for rel in files:
                self.set_aside.extend(inputs(rel))


def _join(root: str, rel: str) -> str:
    return os.path.join(root, *rel.split("/")) if rel else root


def _join_rel(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


HostsFolder = tuple[str, "tuple[str, ...] | None"]
"""A hosts folder on disk, and the entries of it to read (all when None)."""


@contextlib.contextmanager
def configurations(
    logs: Sequence[str], hosts: str | None = None, windows: str | None = None
) -> Iterator[Configurations]:
    """The configurations of a run: ``--hosts`` and ``--windows`` as given (a folder or
    an archive), else those recognised in the LOGS folders and archives; the private
    folder of anything copied out of an archive lives as long as the context.

    :raises UsageError: an option names an archive that holds no such configuration.
    """
    with _PrivateFolder() as private:
        search = _Search(private)
        for spec in logs:
            search.look_in(spec)
        taken = [Taken(path, role, False) for path, role in ((hosts, HOSTS), (windows, WINDOWS))
                 if path is not None]  # fmt: skip
        hosts_folder = _given_hosts(hosts, search) if hosts else None
        windows_folder = _given_windows(windows, search) if windows else None
        if hosts_folder is None and search.hosts:
            disk, shown, entries = _widest(search.hosts)
            hosts_folder = (disk, entries)
            taken.append(Taken(shown, HOSTS, True))
        if windows_folder is None and search.windows:
            windows_folder, shown = search.windows[0]
            taken.append(Taken(shown, WINDOWS, True))
        used = {os.path.normpath(t.path) for t in taken}
        unused = [(HOSTS, h[1]) for h in search.hosts] + [(WINDOWS, w[1]) for w in search.windows]
        search.notes.extend(
            f"{shown}: also holds {role} settings, not read (one folder of each per run: "
            f"give the one meant with --{role})"
            for role, shown in unused
            if os.path.normpath(shown) not in used
        )
        yield Configurations(
            hosts_folder[0] if hosts_folder else None,
            hosts_folder[1] if hosts_folder else None,
            windows_folder,
            tuple(taken),
            tuple(search.set_aside),
            tuple(search.notes),
        )


def _widest(
    found: Sequence[tuple[str, str, tuple[str, ...] | None]],
) -> tuple[str, str, tuple[str, ...] | None]:
    """The hosts folder of the most hosts (the first of them on a tie)."""
    return max(found, key=lambda h: len(h[2] or ()))


def _searched_archive(path: str, option: str, search: _Search) -> _Search:
    """The configurations in the archive an option names, copied out."""
    if _member_names(path) is None:
        raise UsageError(f"{option} {path}: neither a folder nor a .zip or .tar.gz archive")
    inner = _Search(search.private)
    inner.look_in(path)
    search.notes.extend(inner.notes)
    return inner


def _given_hosts(path: str, search: _Search) -> HostsFolder:
    """``--hosts``: a folder as it is, or the hosts folder inside an archive."""
    if os.path.isdir(path):
        return path, None
    inner = _searched_archive(path, "--hosts", search)
    if not inner.hosts:
        raise UsageError(f"--hosts {path}: the archive holds no host configuration")
    disk, _shown, entries = _widest(inner.hosts)
    return disk, entries


def _given_windows(path: str, search: _Search) -> str:
    """``--windows``: a folder as it is, or the settings folder inside an archive."""
    if os.path.isdir(path):
        return path
    inner = _searched_archive(path, "--windows", search)
    if not inner.windows:
        raise UsageError(
            f"--windows {path}: the archive holds none of PasswordPropAllow.txt, "
            "PasswordPropDeny.txt, the admin groups or net-accounts.txt"
        )
    return inner.windows[0][0]


def set_aside(path: str, prefixes: Sequence[str]) -> bool:
    """Whether an input's path is one of ``prefixes`` or lies below one (a folder's
    file, an archive's member)."""
    return any(
        path == prefix or path.startswith((prefix + os.sep, prefix + "/", prefix + "!"))
        for prefix in prefixes
    )
