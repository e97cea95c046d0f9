"""Find the candidate chunks of a whole range with one search per provider name.

:meth:`ProviderMatcher.chunk_may_hold` folds the case of a chunk's bytes and looks for
each name as UTF-16LE: exact, but it copies and folds every byte. Here the same test is
a regular expression run once over a whole map window, which matches exactly the
byte strings whose ASCII-folded form is the folded needle.

Measured on 512 MB of real chunks (2 cores): ``mmap.find`` of one exact needle ~1 GB/s;
``re`` with ``IGNORECASE`` on bytes 0.27 GB/s; one character class per letter 0.34 GB/s;
folding each chunk (``bytes.translate``) and ``in`` 0.75 GB/s; four ``mmap.find`` calls
for case variants of a short piece ~0.25 GB/s overall. The pattern below starts with a
literal run of bytes that are not letters (``-\\x00``), which ``re`` scans for quickly,
and checks the letters before it with a look-behind: ~1.5 GB/s, as fast as the plain
scan, so the prefilter costs one pass over the bytes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from evtdiag.logs.evtx.layout import CHUNK_SIZE
from evtdiag.logs.providers import ProviderMatcher


def _letter(byte: int) -> bytes:
    return b"[" + bytes([byte, byte - 32]) + b"]"


def _pattern_part(needle: bytes) -> bytes:
    return b"".join(_letter(c) if 0x61 <= c <= 0x7A else re.escape(bytes([c])) for c in needle)


@lru_cache(maxsize=64)
def needle_pattern(needle: bytes) -> tuple[re.Pattern[bytes], int] | None:
    """A pattern matching, at (match start - offset), any bytes whose ASCII-lowered form
    is ``needle`` (itself lowered); None when no bytes can (an upper-case byte in it).

    :returns: the pattern and the offset of its literal anchor inside the needle.
    """
    if any(0x41 <= c <= 0x5A for c in needle):
        return None  # bytes.lower() never produces an upper-case letter
    # The last run of non-letter bytes holding something other than NUL is the anchor.
    best = None
    i = 0
    while i < len(needle):
        if 0x61 <= needle[i] <= 0x7A:
            i += 1
            continue
        j = i
        while j < len(needle) and not 0x61 <= needle[j] <= 0x7A:
            j += 1
        if needle[i:j].strip(b"\x00"):
            best = (i, j)
        i = j
    if best is None:
        return re.compile(_pattern_part(needle)), 0
    i, j = best
    behind = b"(?<=" + _pattern_part(needle[:j]) + b")" if i else b""
    return re.compile(re.escape(needle[i:j]) + behind + _pattern_part(needle[j:])), i


def candidate_chunks(
    matcher: ProviderMatcher, buf: object, start: int, count: int
) -> set[int] | None:
    """Indices (0 .. count-1) of the full chunks at ``buf[start + i * 64 KiB]`` for which
    ``matcher.chunk_may_hold`` is true; None when every chunk may hold a wanted record."""
    if matcher.needles is None:
        return None
    found: set[int] = set()
    end = start + count * CHUNK_SIZE
    for needle in matcher.needles:
        compiled = needle_pattern(needle)
        if compiled is None:
            continue
        pattern, anchor = compiled
        pos = start + anchor
        while pos < end:
            match = pattern.search(buf, pos, end)  # type: ignore[call-overload]
            if match is None:
                break
            first = match.start() - anchor
            index = (first - start) // CHUNK_SIZE
            chunk_end = start + (index + 1) * CHUNK_SIZE
            if first >= start and match.end() <= chunk_end:
                found.add(index)
                pos = chunk_end + anchor  # this chunk is settled
            else:
                pos = match.start() + 1
    return found
