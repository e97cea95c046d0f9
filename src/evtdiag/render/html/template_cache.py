"""jinja2's cache of compiled templates, on disk only where no one else can write.

A cache entry is run as code, so it is read only from a folder that is this user's own
and private (0700, not a symbolic link), and that check is made on the folder that is
then used: the folder is opened once per read or write (``O_NOFOLLOW``), the open
descriptor is checked (owner, type, mode), and the entry is opened relative to that
descriptor (``dir_fd``, ``O_NOFOLLOW``). Checking a path and opening it later let
another user who owns a parent folder (``sudo`` keeping ``HOME``) swap the folder in
between and have a planted code object run (issue 26, item 4). Where the system cannot
open relative to a folder, there is no disk cache: each run compiles the template.

The cache home is ``$XDG_CACHE_HOME`` (when absolute) or ``~/.cache``; it is created
only when its parent exists (one folder, never a chain): a ``HOME`` or
``XDG_CACHE_HOME`` naming a missing path, a stale environment or a typo, means no
disk cache rather than a tree of new folders.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import pickle
import secrets
import stat
import sys
from collections.abc import Iterator
from types import CodeType
from typing import Any

import jinja2

from evtdiag import __version__

SUPPORTED = (
    os.open in os.supports_dir_fd
    and os.unlink in os.supports_dir_fd
    and os.rename in os.supports_dir_fd  # os.replace takes the same dir_fd arguments
    and hasattr(os, "O_NOFOLLOW")
    and hasattr(os, "O_DIRECTORY")
)
"""Whether entries can be opened relative to a checked folder (not on Windows)."""

_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_FOLDER = _READ | getattr(os, "O_DIRECTORY", 0)
_CREATE = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)) | getattr(
    os, "O_CLOEXEC", 0
)


def _own(info: os.stat_result) -> bool:
    """Whether a stat result is of something this user owns."""
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


@contextlib.contextmanager
def checked_folder(folder: str) -> Iterator[int | None]:
    """A descriptor of ``folder`` if it is this user's own private folder, else None.

    The folder is opened without following a symbolic link and the descriptor, not
    the path, is checked, so what is checked is what entries are then opened in.
    """
    try:
        fd = os.open(folder, _FOLDER)
    except OSError:
        yield None
        return
    try:
        info = os.fstat(fd)
        private = stat.S_ISDIR(info.st_mode) and not stat.S_IMODE(info.st_mode) & 0o077
        yield fd if private and _own(info) else None
    finally:
        os.close(fd)


def cache_directory() -> str | None:
    """``$XDG_CACHE_HOME/evtdiag`` or ``~/.cache/evtdiag``, created private (0700); None
    (no disk cache) where the system cannot open relative to a folder, when the cache
    home's parent is missing, or when the folder is not a private folder of this user."""
    if not SUPPORTED:
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
        if not os.path.isabs(base):  # no HOME to expand
            return None
    folder = os.path.join(base, "evtdiag")
    for path in (base, folder):  # one level each: never a chain of missing folders
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return None
    with checked_folder(folder) as fd:
        return folder if fd is not None else None


@functools.cache
def entry_pattern(options: str) -> str:
    """Entry names keyed by what the compiled code depends on besides the source (which
    jinja2 checks itself): evtdiag's and jinja2's versions, the Python bytecode, the
    environment's ``options`` (their repr)."""
    key = repr((__version__, jinja2.__version__, sys.implementation.cache_tag, options))
    return f"template-{hashlib.sha256(key.encode()).hexdigest()[:16]}-%s.cache"


class TemplateCache(jinja2.BytecodeCache):
    """jinja2's file cache of compiled templates, made unable to break a render or to
    run code it did not write.

    jinja2 names an entry by the template's name and, inside it, checks its magic header
    (jinja2's bytecode format and the Python version) and the SHA-1 of the template
    source, recompiling when either differs. Its own file cache unpickles that checksum
    and lets a truncated file raise, so reading is redone here: the expected header and
    checksum are compared as bytes (nothing from the file is unpickled), and anything
    else, a read error, an entry that is not a regular file of this user's, or a file
    that does not hold a code object, is a miss (the template is compiled and the entry
    rewritten). Writing failures are ignored."""

    def __init__(self, folder: str, pattern: str) -> None:
        self.folder = folder
        self.pattern = pattern

    def _name(self, bucket: jinja2.bccache.Bucket) -> str:
        return self.pattern % (bucket.key,)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with checked_folder(self.folder) as folder:
            data = None if folder is None else _read_entry(self._name(bucket), folder)
        if data is None:
            return
        header = jinja2.bccache.bc_magic + pickle.dumps(bucket.checksum, 2)
        if not data.startswith(header):
            return
        try:
            code = marshal.loads(data[len(header) :])
        except (EOFError, ValueError, TypeError):
            return
        if isinstance(code, CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with checked_folder(self.folder) as folder:
            if folder is not None:
                _write_entry(self._name(bucket), bucket.bytecode_to_string(), folder)

    def clear(self) -> None:
        """Entries are replaced when stale, never removed in bulk."""


def _read_entry(name: str, folder: int) -> bytes | None:
    """The bytes of entry ``name`` in the checked ``folder``; None if it is missing,
    unreadable, or not a regular file of this user's."""
    try:
        fd = os.open(name, _READ, dir_fd=folder)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        try:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode) or not _own(info):
                return None
            return file.read()
        except OSError:
            return None


def _write_entry(name: str, data: bytes, folder: int) -> None:
    """Write entry ``name`` in the checked ``folder`` through a new private file renamed
    over it, so a reader sees the old entry or the new one, never a part; failures are
    ignored (the next run compiles again)."""
    temporary = f".{name}.{secrets.token_hex(8)}.tmp"
    try:
        fd = os.open(temporary, _CREATE, 0o600, dir_fd=folder)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)


def bytecode_cache(options: dict[str, Any]) -> TemplateCache | None:
    """The cache for an environment built with ``options``, or None without a usable
    folder (each run then compiles the template, giving the same page)."""
    folder = cache_directory()
    return TemplateCache(folder, entry_pattern(repr(options))) if folder else None
