"""The format registry: open an input once, recognise its format, read it.

Every format is recognised by content, never by the file name: admins rename, zip
and re-export things. :data:`FORMATS` is the one registry; adding a format means one
module that defines a :class:`~evtdiag.logs.sources.Format` and one line here.
Archives are the format that holds other inputs: each member is opened and read
through this registry in turn (one level of archive inside an archive).
"""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

from evtdiag import archives
from evtdiag.errors import InputFormatError
from evtdiag.logs import evtx
from evtdiag.logs.digest import sha256_file
from evtdiag.logs.exports import clixml, csv, pwsh_json, wevtutil_text, xml
from evtdiag.logs.sources import (
    SNIFF_SIZE,
    Format,
    ProgressCallback,
    ReadContext,
    Result,
    Source,
)
from evtdiag.model import InputCoverage

MAX_DEPTH = 1
"""How many archive levels below the outer one are opened (1: an archive in an archive)."""
REFUSED = "refused"
"""The coverage format of an input a reader refused (:class:`InputFormatError`)."""
SKIPPED = "skipped"
"""The coverage format of an input that is not read (not a log, or not readable)."""


def _read_archive(source: Source, context: ReadContext) -> list[Result]:
    """Every member of an archive, each read through the registry; one result per member."""
    if source.depth > MAX_DEPTH:
        reason = f"archive nested more than {MAX_DEPTH} level deep: not opened"
        return [skipped(source.label, reason, source.size, sha256_file(source.path))]
    results: list[Result] = []
    # A member's progress would count its own size against the archive's: not told.
    inner = replace(context, progress=None)
    found = archives.members(
        Path(source.path), source.label, source.kind or "", folder=context.scratch
    )
    for member in found:
        if member.path is None:
            results.append(skipped(member.label, member.skipped or ""))
            continue
        opened = open_source(member.path, member.label, source.depth + 1)
        results.extend(read_source(opened, inner) if isinstance(opened, Source) else [opened])
    if not results:
        results.append(skipped(source.label, f"{source.kind} archive holds no file", source.size))
    return results


def _archive_format(kind: str) -> Format:
    """An archive kind of :mod:`evtdiag.archives` as a format."""
    return Format(kind, lambda head: archives.archive_kind(head) == kind, _read_archive)


ARCHIVE_KINDS = ("zip", "gzip", "tar")
"""The formats that hold others, copied member by member into a scratch folder."""

FORMATS: tuple[Format, ...] = (
    evtx.FORMAT,
    *(_archive_format(kind) for kind in ARCHIVE_KINDS),
    clixml.FORMAT,
    xml.FORMAT,
    pwsh_json.FORMAT,
    wevtutil_text.FORMAT,
    csv.FORMAT,
)
"""Every format, in the order their signatures are tried."""


def sniff(head: bytes) -> str | None:
    """The name of the first format whose signature ``head`` bears, or None (not a log)."""
    return next((form.name for form in FORMATS if form.recognises(head)), None)


_SPECIAL_FILES = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def open_source(path: str | os.PathLike[str], label: str, depth: int = 0) -> Source | Result:
    """Look at an input once: its size, its first bytes, its format.

    Only a regular file is opened: a FIFO waits for a writer, a device such as
    ``/dev/zero`` never ends (nor does hashing it), and opening some devices does
    something of its own, so they are refused unopened.

    :returns: the source, or the coverage of an input that cannot be read at all.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = stat.S_IFREG  # reported when it is opened
    if stat.S_ISDIR(mode):
        return skipped(label, _why_folder(path))
    if not stat.S_ISREG(mode):
        kind = _SPECIAL_FILES.get(stat.S_IFMT(mode), "a special file")
        return refused_unread(
            label,
            f"{label}: {kind}, not a regular file: not opened, as reading it could block or "
            "never end; copy what it holds into a file and give that file",
        )
    try:
        with Path(path).open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            head = handle.read(SNIFF_SIZE)
    except OSError as error:
        return InputCoverage(label, "", SKIPPED, 0, note=f"cannot be read: {error.strerror}"), []
    return Source(os.fspath(path), label, size, head, sniff(head), depth)


def _why_folder(path: str | os.PathLike[str]) -> str:
    """Why a folder found among the files of a folder given is not read."""
    if os.path.islink(path):
        return "a link to a folder: not followed (give the folder itself to read it)"
    try:
        os.listdir(path)
    except OSError as error:
        return f"a folder that cannot be listed: {error.strerror}"
    return "a folder"


def read_source(source: Source, context: ReadContext) -> list[Result]:
    """Read a source whole with its format's reader: one result, one per archive member."""
    if source.kind is None:
        reason = (
            "empty file"
            if source.size == 0
            else "not an event log (no EVTX, XML, CLIXML, JSON, wevtutil text or CSV event "
            "export signature)"
        )
        return [skipped(source.label, reason, source.size, sha256_file(source.path))]
    (form,) = (form for form in FORMATS if form.name == source.kind)
    try:
        results = form.read(source, context)
    except InputFormatError as error:
        results = [refused(source, error)]
    if context.progress and not form.reports_progress:
        tell_done(context.progress, source, results)
    return results


def tell_done(progress: ProgressCallback, source: Source, results: list[Result]) -> None:
    """Tell ``progress`` a source is read, by its own size (an archive's members are
    larger) and with the records of all its results."""
    records = sum(coverage.records for coverage, _ in results)
    progress(source.label, source.size, source.size, records=records)


def skipped(label: str, reason: str, size: int = 0, digest: str = "") -> Result:
    """The coverage of an input that is not read, and why."""
    return InputCoverage(label, digest, SKIPPED, size, note=reason), []


def refused_unread(label: str, note: str) -> Result:
    """A refused input whose bytes are not even hashed (endless, or too many)."""
    return InputCoverage(label, "", REFUSED, 0, note=note), []


def refused(source: Source, error: InputFormatError) -> Result:
    """The coverage of an input its reader refused, with the reader's reason."""
    try:
        size, digest = os.stat(source.path).st_size, sha256_file(source.path)
    except OSError:
        size, digest = 0, ""
    return InputCoverage(source.label, digest, REFUSED, size, note=str(error)), []


def refused_when_nothing_read(coverage: InputCoverage) -> InputCoverage:
    """``coverage`` refused when its reader read no record at all while it lost places
    (every row's date unreadable with the ``--csv-date-format`` given, every chunk
    header of an ``.evtx`` destroyed): such an input is not an empty log, and a report
    of "no PSync events" from it would be false. An input with nothing lost (an empty
    log, an export of no event) stays as read.
    """
    lost = [skip for skip in coverage.skipped if skip.lost]
    if coverage.records or not lost or coverage.format in (REFUSED, SKIPPED):
        return coverage
    note = (
        f"{lost[0].place}: {lost[0].reason}; no record could be read "
        f"({len(lost)} damaged place(s), see the coverage)"
    )
    return replace(coverage, format=REFUSED, note=note)
