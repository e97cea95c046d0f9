"""Which event providers count as PSync, and the cheap test for a chunk that may hold one."""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_PROVIDERS = ("Microsoft-Windows-IDMU-PSync",)
"""The provider of Windows Server 2008/2008 R2 IDMU (docs/contract.md, Event kinds). Older
Services for UNIX versions used source names that are not documented; users add them
with ``--provider``."""


EXPORT_COMMANDS = tuple(
    f"wevtutil epl {log} %COMPUTERNAME%-{log}-psync.evtx "
    f"\"/q:*[System[Provider[@Name='{DEFAULT_PROVIDERS[0]}']]]\""
    for log in ("Application", "System")
)
"""How to export a DC's PSync events (in cmd.exe on the DC): both logs, because Microsoft
does not say in which PSync writes (docs/contract.md, Event kinds)."""


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(name: str) -> str:
    """How provider names compare: ASCII letters lowered, every other character kept.

    The chunk prefilter can only fold what ``bytes.lower()`` folds in UTF-16LE text;
    a comparison that also lowered ``Ü`` would accept records whose chunks the
    prefilter had already skipped, so results would depend on chunk boundaries."""
    return name.translate(_ASCII_LOWER)


class ProviderMatcher:
    """Case-insensitive provider names, with their UTF-16LE needles for the chunk prefilter.

    Names are compared ASCII-case-insensitively (``Psync`` = ``PSync``), which is how
    the prefilter can test raw chunk bytes: a UTF-16LE ASCII letter is that letter
    followed by a NUL byte, and ``bytes.lower()`` lowers it (along with any other byte
    from 0x41 to 0x5A, which the needles are lowered alike for).
    """

    def __init__(self, names: Iterable[str] = DEFAULT_PROVIDERS) -> None:
        self.names = tuple(dict.fromkeys(name.strip() for name in names if name.strip()))
        self._folded = frozenset(fold(name) for name in self.names)
        self.needles: tuple[bytes, ...] | None = tuple(
            name.encode("utf-16-le").lower() for name in self.names
        )
        """The names as UTF-16LE, lowered as the chunk bytes are (``bytes.lower()``, which
        also lowers the 0x41-0x5A bytes of a character such as ``Ł``, ``41 01``), searched
        for in raw chunk bytes; None when every chunk may hold a wanted record."""

    def matches(self, names: Iterable[str]) -> bool:
        """True when any of the record's provider names is one of ours."""
        return any(fold(name) in self._folded for name in names)

    def chunk_may_hold(self, chunk: bytes | memoryview) -> bool:
        """False only when no record of the chunk can be from one of our providers.

        Sound because a record's provider name is always somewhere in its own chunk as
        UTF-16LE text (a substitution value, template text or inline element text);
        it is not always in the record's own bytes, so this test is per chunk only.
        """
        if self.needles is None:
            return True
        folded = bytes(chunk).lower()
        return any(needle in folded for needle in self.needles)

    def occurrences(self, chunk: bytes | memoryview) -> int:
        """How often our names appear in the chunk: about how many of its records may be
        ours when each record carries its provider name (a template may hold it once)."""
        if self.needles is None:
            return len(chunk)  # every record is wanted
        folded = bytes(chunk).lower()
        return sum(folded.count(needle) for needle in self.needles)


class AllProviders(ProviderMatcher):
    """Matches every provider and every chunk: a full read, the prefilter's yardstick."""

    def __init__(self) -> None:
        super().__init__(())
        self.needles = None

    def matches(self, names: Iterable[str]) -> bool:
        return True
