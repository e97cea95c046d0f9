"""Decode text files of unknown encoding the way Windows and UNIX tools write them.

Notepad, PowerShell and Event Viewer write UTF-8 or UTF-16 with a byte-order mark;
UNIX hosts write UTF-8, or a legacy 8-bit encoding. One rule, for the log exports and
the host files alike: a BOM decides, else UTF-8, else the caller's 8-bit fallback.
"""

from __future__ import annotations

import codecs

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def bom_encoding(head: bytes) -> str | None:
    """The encoding the byte-order mark at the start of ``head`` announces, if any."""
    return next((encoding for bom, encoding in BOMS if head.startswith(bom)), None)


def decode_text(data: bytes, fallback: str) -> tuple[str, str]:
    """``(text, encoding)``: the BOM's encoding, else UTF-8, else ``fallback``; never
    fails (undecodable bytes become U+FFFD)."""
    encoding = bom_encoding(data)
    if encoding:
        return data.decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode(fallback, errors="replace"), fallback
