"""Decoding configuration bytes into numbered lines, defensively.

Configuration files come from many UNIX flavours and Windows consoles, so this module
accepts UTF-8, latin-1 and UTF-16 (with a BOM), and CRLF, CR-only and LF line ends.
Hostile input never raises: NUL bytes or binary junk on a line, and lines longer than
:data:`MAX_LINE`, produce a warning with file:line and the line is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from evtdiag.model import ConfigWarning, Place
from evtdiag.text_decoding import decode_text

MAX_LINE = 64 * 1024
"""Longer lines are not configuration: they are skipped with a warning."""

_EOL = re.compile(r"\r\n|\r|\n")
_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTINUED = re.compile(r"\\[ \t]*$")
_SEPARATOR = re.compile(r"[\s,]")
_UNSIGNED = re.compile(r"[0-9]{1,18}")
_SIGNED = re.compile(r"-?[0-9]{1,18}")


def ascii_int(text: str, *, signed: bool = False) -> int | None:
    """The number ``text`` writes in ASCII digits (``-`` first if ``signed``), else None.

    Every parser reads its numbers here, because ``int()`` and ``str.isdigit()`` accept
    any Unicode digit: ``'²'.isdigit()`` is True yet ``int('²')`` raises ValueError (a
    latin-1 file turns byte 0xB2 into ``²``), and ``int('٣')`` is 3 where no UNIX tool
    or ``net accounts`` would read a number. More than 18 digits is no configuration
    value either, and ``int()`` raises beyond 4,300.
    """
    return int(text) if (_SIGNED if signed else _UNSIGNED).fullmatch(text) else None


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``: a BOM decides, else UTF-8, else latin-1 (never fails)."""
    return decode_text(data, "latin-1")


def lines(data: bytes, file: str, warnings: list[ConfigWarning]) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` for each usable line, warning about the others."""
    text, _ = decode(data)
    start, lineno = 0, 0
    n = len(text)
    while start <= n:
        m = _EOL.search(text, start)
        end = m.start() if m else n
        lineno += 1
        if end - start > MAX_LINE:
            warnings.append(
                ConfigWarning(
                    Place(file, line=lineno),
                    f"line of {end - start} characters ignored (more than {MAX_LINE})",
                )
            )
        else:
            line = text[start:end]
            if _JUNK.search(line) or "\ufffd" in line:
                warnings.append(
                    ConfigWarning(
                        Place(file, line=lineno), "line ignored: NUL bytes or binary data"
                    )
                )
            else:
                yield lineno, line
        if m is None:
            break
        start = m.end()
        if start == n:
            break


def continued_lines(numbered: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Join each line that ends in a backslash with the line after it, as ssod is taken
    to read sso.conf [INF: Microsoft documents no continuation; the shell convention is
    assumed, and the collector (templates/collect-script.sh) joins the same way].

    The backslash (and blanks after it) is removed and the next line appended as it is;
    a comment line (``#`` first) is never continued; a line that was skipped (binary
    data, too long) ends the continuation. Joining more than ssod might is the safe
    error: a key continued on the next line is then never read as a line of its own.
    Yields ``(number of the first line, joined text)``.
    """
    start, last = 0, -1
    parts: list[str] = []
    for lineno, line in numbered:
        if parts and lineno != last + 1:
            yield start, "".join(parts)
            parts = []
        if not parts:
            start = lineno
        last = lineno
        end = _CONTINUED.search(line)
        if end is None or (line.lstrip().startswith("#") and not parts):
            parts.append(line)
            yield start, "".join(parts)
            parts = []
        else:
            parts.append(line[: end.start()])
    if parts:
        yield start, "".join(parts)


EVIDENCE_CHARS = 200
"""At most this much of one configuration line is quoted as evidence: a 65 KB SYNC_USERS
line copied into each of 20,000 problems made a 973 MB report (issue 26)."""


def excerpt(text: str, at: int = 0, limit: int = EVIDENCE_CHARS) -> str:
    """``text`` if short, else about ``limit`` characters of it from a little before
    position ``at``, with ``…`` where it was cut.

    Cuts fall on white space or commas, so no name is shown in part (a part of a name
    would escape ``--redact``, which matches whole names); a window holding no
    separator shows nothing but the ``…``.
    """
    if len(text) <= limit:
        return text
    start = max(0, min(at - limit // 4, len(text) - limit))
    end = start + limit
    if start > 0:
        gap = _SEPARATOR.search(text, start - 1, end)
        start = gap.end() if gap else end
    if end < len(text):
        cut = max((m.start() for m in _SEPARATOR.finditer(text, start, end + 1)), default=start)
        end = cut
    shown = text[start:end].strip()
    if not shown:
        return "…"
    return f"{'… ' if start > 0 else ''}{shown}{' …' if end < len(text) else ''}"
