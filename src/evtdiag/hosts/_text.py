"""Decoding configuration bytes into numbered lines, defensively.

Configuration files come from many UNIX flavours and Windows consoles, so this module
accepts UTF-8, latin-1 and UTF-16 (with a BOM), and CRLF, CR-only and LF line ends.
Hostile input never raises: NUL bytes or binary junk on a line, and lines longer than
:data:`MAX_LINE`, produce a warning with file:line and the line is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from evtdiag.model import ConfigWarning, Place
from evtdiag.text_decoding import decode_text

MAX_LINE = 64 * 1024
"""Longer lines are not configuration: they are skipped with a warning."""

_EOL = re.compile(r"\r\n|\r|\n")
_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
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
