"""Read the members of ``.zip``, ``.gz``, ``.tar.gz`` (and plain ``.tar``) archives: the
one archive reader of evtdiag, for event logs (:mod:`evtdiag.logs.formats`) and host
collector archives (:mod:`evtdiag.hosts.inventory`) alike.

Archives are recognised by their first bytes. Members are copied, one at a time, into
a private temporary folder under names evtdiag makes up (``member-000001``): a member's
own name never becomes a path, so ``../../etc/passwd`` or an absolute name cannot
write or read outside it. Links, devices and encrypted members are listed as skipped.

Limits against decompression bombs, counted on the bytes actually produced (headers
can lie): :data:`MAX_MEMBERS` members, :data:`MAX_MEMBER_SIZE` per member,
:data:`MAX_TOTAL` per archive (tighter ones for host archives: :class:`Limits`), and a
compression ratio above :data:`MAX_RATIO` for a member larger than :data:`RATIO_FLOOR`.
A caller that wants only some members names them (``wanted``): the others are passed
over without a copy. Standard input is copied to a file under the same cap as a member
(:func:`spool`).

Each member is named ``archive.zip!member`` from the start (:class:`Member`).
"""

from __future__ import annotations

import gzip
import lzma
import os
import struct
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO

from evtdiag.errors import InputFormatError

if TYPE_CHECKING:
    from _typeshed import SupportsRead

MAX_MEMBERS = 10_000
MAX_MEMBER_SIZE = 4 * 1024**3
MAX_TOTAL = 8 * 1024**3
MAX_RATIO = 1000
RATIO_FLOOR = 64 * 1024 * 1024
_BLOCK = 1 << 20
_GZIP_BLOCK = 64 * 1024

ARCHIVE_ERRORS = (
    OSError,  # also gzip.BadGzipFile
    EOFError,
    ValueError,
    NotImplementedError,  # zip: unsupported version or compression method
    RuntimeError,  # zip: encrypted member
    UnicodeDecodeError,
    struct.error,
    zlib.error,
    lzma.LZMAError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    tarfile.TarError,
)
"""What the standard library's archive modules raise on damaged or hostile data."""

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Member:
    """One member of an archive: its name, and its bytes copied to a private file, or
    why it was not copied."""

    label: str
    """``archive!member``: how the member is named in every report."""
    name: str
    """The member's own name, as the archive stores it (never used as a path)."""
    path: Path | None = None
    """The private copy, removed when the next member is asked for."""
    skipped: str | None = None
    """Why the member was not copied (a link, encrypted, too large, damaged ...)."""


@dataclass(frozen=True)
class Limits:
    """How much one archive may produce: members copied, bytes per member, bytes in all,
    and bytes a gzip layer may inflate to (a ``.tar.gz`` is inflated whole first)."""

    members: int
    member_size: int
    total: int
    unpacked: int


def _default_limits() -> Limits:
    """The limits for event logs (read at each call, so that tests can lower them)."""
    return Limits(MAX_MEMBERS, MAX_MEMBER_SIZE, MAX_TOTAL, min(MAX_MEMBER_SIZE, MAX_TOTAL))


def archive_kind(head: bytes) -> str | None:
    """``zip``, ``gzip``, ``tar`` or None, from the first 512 bytes."""
    if head[:4] in ZIP_MAGICS:
        return "zip"
    if head[:2] == GZIP_MAGIC:
        return "gzip"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


class _TooBig(Exception):
    pass


def _copy(
    source: SupportsRead[bytes],
    target: Path,
    limit: int,
    compressed: int | None,
    block_size: int = _BLOCK,
) -> int:
    """Copy at most ``limit`` bytes; raise :class:`_TooBig` past it or past the ratio."""
    done = 0
    with target.open("wb") as out:
        while True:
            block = source.read(block_size)
            if not block:
                return done
            done += len(block)
            if done > limit:
                raise _TooBig(f"more than {limit:,} bytes once decompressed")
            if compressed and done > RATIO_FLOOR and done > MAX_RATIO * max(compressed, 1):
                raise _TooBig(
                    f"compression ratio above {MAX_RATIO}:1 ({compressed:,} bytes "
                    f"give more than {done:,})"
                )
            out.write(block)


def _members_zip(path: Path, name: str) -> Iterator[tuple[str, IO[bytes] | str, int | None]]:
    """``(member name, stream or skip reason, compressed size)`` for every member."""
    try:
        archive = zipfile.ZipFile(path)
    except ARCHIVE_ERRORS as error:
        raise InputFormatError(
            f"{name}: not a readable zip archive ({error}); check the copy is complete"
        ) from None
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                yield info.filename, "encrypted member: not read (unzip it first)", None
                continue
            mode = (info.external_attr >> 16) & 0o170000
            if mode and mode != 0o100000:
                yield info.filename, "not a regular file (link or device): not read", None
                continue
            try:
                with archive.open(info) as stream:
                    yield info.filename, stream, info.compress_size
            except ARCHIVE_ERRORS as error:
                yield info.filename, f"member not readable ({error})", None


def _members_tar(source: Path, name: str) -> Iterator[tuple[str, IO[bytes] | str, int | None]]:
    try:
        archive = tarfile.open(source, mode="r:")  # noqa: SIM115 - closed by the with below
    except ARCHIVE_ERRORS as error:
        raise InputFormatError(f"{name}: not a readable tar archive ({error})") from None
    with archive:
        members = iter(archive)
        while True:
            try:
                member = next(members)
            except StopIteration:
                if _has_data_after(source, archive.offset):
                    # tarfile takes a bad header after the first member for the end.
                    yield (
                        "*",
                        (
                            f"tar data damaged at offset {archive.offset:#x} (not a valid "
                            "member header): the rest of the archive not read"
                        ),
                        None,
                    )
                return
            except ARCHIVE_ERRORS as error:
                yield "*", f"tar data damaged ({error}): the rest of the archive not read", None
                return
            if member.isdir():
                continue
            if not member.isfile():
                yield member.name, "not a regular file (link or device): not read", None
                continue
            try:
                stream = archive.extractfile(member)
            except ARCHIVE_ERRORS as error:
                yield member.name, f"member not readable ({error})", None
                continue
            if stream is not None:
                yield member.name, stream, None


def _has_data_after(path: Path, offset: int) -> bool:
    """True when anything but zero padding follows ``offset``."""
    with path.open("rb") as handle:
        handle.seek(offset)
        while block := handle.read(_BLOCK):
            if block.strip(b"\x00"):
                return True
    return False


def members(
    path: Path,
    label: str,
    kind: str,
    *,
    wanted: Callable[[str], bool] | None = None,
    limits: Limits | None = None,
    folder: str | None = None,
) -> Iterator[Member]:
    """Every member of the archive at ``path`` (``kind`` from :func:`archive_kind`), one at
    a time, each copied into a private temporary folder under the limits above.

    A gzip file that holds no tar archive is one member, named after the file it was
    made from. A tar in a gzip whose end is damaged gives the members before the damage,
    then a member skipped for it. Each copy is removed when the next member is asked
    for, and the folder when the iteration ends, however it ends.

    :param wanted: which member names to copy; the others are passed over, unlisted.
    :param limits: tighter limits than those for event logs.
    :param folder: where to make the private folder (the system's temporary folder).
    :raises InputFormatError: the archive itself cannot be opened.
    """
    limits = limits or _default_limits()
    with tempfile.TemporaryDirectory(prefix="evtdiag-", dir=folder) as private:
        work = Path(private)
        if kind == "gzip":
            inner = work / "gunzip"
            damage = _gunzip(path, inner, label, limits)
            with inner.open("rb") as handle:
                head = handle.read(512)
            if archive_kind(head) != "tar":
                if damage:
                    raise InputFormatError(damage)
                name = _gzip_member_name(path, label)
                if wanted is None or wanted(name):
                    yield Member(f"{label}!{name}", name, inner)
                return
            yield from _copies(_members_tar(inner, label), label, work, wanted, limits)
            if damage:
                yield Member(f"{label}!*", "*", skipped=f"{damage}: the rest not read")
            return
        found = _members_tar(path, label) if kind == "tar" else _members_zip(path, label)
        yield from _copies(found, label, work, wanted, limits)


def _gunzip(path: Path, target: Path, label: str, limits: Limits) -> str | None:
    """Decompress a gzip file into ``target``; what damage stopped it early, if any (what
    came before the damage is in ``target``, but for the last :data:`_GZIP_BLOCK` bytes
    at most: a read that meets the damage returns nothing of its block).

    :raises InputFormatError: past the limits (a decompression bomb).
    """
    try:
        with gzip.open(path, "rb") as stream:
            _copy(stream, target, limits.unpacked, path.stat().st_size, _GZIP_BLOCK)
    except _TooBig as error:
        raise InputFormatError(f"{label}: refused, {error} (a decompression bomb?)") from None
    except ARCHIVE_ERRORS as error:
        target.touch()
        return f"{label}: gzip data not readable ({error}); check the copy is complete"
    return None


def _copies(
    found: Iterator[tuple[str, IO[bytes] | str, int | None]],
    label: str,
    work: Path,
    wanted: Callable[[str], bool] | None,
    limits: Limits,
) -> Iterator[Member]:
    """Copy each wanted member found into ``work`` in turn, counting the limits (every
    member counts towards the number, wanted or not: listing them costs too)."""
    total = 0
    count = 0
    for name, stream, compressed in found:
        member_label = f"{label}!{name}"
        if isinstance(stream, str):  # skipped, or damage to the archive itself ("*")
            if wanted is None or name == "*" or wanted(name):
                yield Member(member_label, name, skipped=stream)
            continue
        count += 1
        if count > limits.members:
            yield Member(
                f"{label}!*", "*", skipped=f"more than {limits.members} members: the rest not read"
            )
            return
        if wanted is not None and not wanted(name):
            continue
        target = work / f"member-{count:06d}"
        try:
            size = _copy(stream, target, min(limits.member_size, limits.total - total), compressed)
        except _TooBig as error:
            target.unlink(missing_ok=True)
            yield Member(member_label, name, skipped=f"refused, {error} (a decompression bomb?)")
            if total >= limits.total:
                return
            continue
        except ARCHIVE_ERRORS as error:
            target.unlink(missing_ok=True)
            yield Member(member_label, name, skipped=f"member not readable ({error})")
            continue
        total += size
        yield Member(member_label, name, target)
        target.unlink(missing_ok=True)


def _gzip_member_name(path: Path, name: str) -> str:
    """The original file name stored in the gzip header, else the name without ``.gz``."""
    try:
        with path.open("rb") as handle:
            header = handle.read(10)
            if len(header) == 10 and header[3] & 0x08:  # FNAME
                if header[3] & 0x04:  # FEXTRA
                    extra = int.from_bytes(handle.read(2), "little")
                    handle.seek(extra, os.SEEK_CUR)
                raw = bytearray()
                while len(raw) < 255 and (byte := handle.read(1)) not in (b"", b"\x00"):
                    raw += byte
                if raw:
                    return os.path.basename(raw.decode("latin-1").replace("\\", "/"))
    except OSError:
        pass
    base = os.path.basename(name)
    return base[:-3] if base.lower().endswith(".gz") else base


def spool(stream: BinaryIO, folder: Path) -> Path:
    """Copy a stream (stdin) into a file in ``folder`` and return its path.

    Capped as an archive member is (:data:`MAX_MEMBER_SIZE`, :data:`MAX_TOTAL`): a
    stream that never ends (``< /dev/zero``) would fill the disk otherwise.

    :raises InputFormatError: past the cap; what was copied is left in ``folder``, which
        the caller removes.
    """
    target = folder / "stdin"
    limit = min(MAX_MEMBER_SIZE, MAX_TOTAL)
    try:
        _copy(stream, target, limit, None)
    except _TooBig:
        raise InputFormatError(
            f"standard input: refused, more than {limit:,} bytes (the size limit of an "
            "archive member); save it to a file and give the file instead"
        ) from None
    return target
