"""Make untrusted text safe to print on a terminal.

User and host names come from strangers' logs: a name holding ESC sequences or
bidirectional overrides could rewrite the screen or disguise itself. Such
characters are shown as visible escapes instead.

File and folder names are untrusted too, and may hold a line break: printed inside a
line of ours (a coverage or refusal line, a check-config line) it would start a
line the name's author wrote, "skipped" or "refused" or anything else. Such values go
through :func:`printable_line`, which escapes line breaks as well.

A text output assembled from many values (the text report, the comparison, the stderr
summary) is escaped where it is assembled, line by line (:func:`printable_lines`), so
that no value can reach the terminal raw, whichever path it took into a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[{_CONTROLS}]")
_UNSAFE_IN_LINE = re.compile(f"[{_CONTROLS}\n\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control and bidi-override characters replaced by ``\\xNN``/``\\uNNNN``.

    Line feeds and tabs are kept: this is for text whose lines are ours.
    """
    return _UNSAFE.sub(_escape, text)


def printable_line(text: str) -> str:
    """:func:`printable`, and line breaks escaped too: for a value shown inside one line."""
    return _UNSAFE_IN_LINE.sub(_escape, text)


def printable_lines(lines: Iterable[str]) -> str:
    """``lines`` as one text, each escaped by :func:`printable_line` (a line break inside
    one of them came from a value) and ended by a line feed."""
    return "".join(printable_line(line) + "\n" for line in lines)
