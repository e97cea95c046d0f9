"""Find names in a text as whole words, compared by case-fold, in time linear in the text.

Redaction must find ``m.weiß`` written ``M.WEISS`` and ``İlker`` written ``ilker``: the
comparison is on case-folded text, whose length differs from the original's (``ß`` folds
to ``ss``, ``ﬁ`` to ``fi``). So the text is cut into tokens first, on the original
characters: runs of name characters (word characters, ``$`` and combining marks) and
single other characters. Each token
is folded on its own, and keeps its place in the original, so a match of folded tokens
maps back to an exact span of the original text whatever the folds did to lengths.

A name stands as a word where no name character touches it on either side. A run token
is maximal, so a name that begins with a run begins where a word does; a name that
begins or ends with another character (``Smith (IT)``, ``-dash``) must not be glued to a
run, and each such token's symbol says whether a run stands before and after it. With
that, a name is a fixed sequence of symbols, and every occurrence of the sequence in the
text's symbols is an occurrence of the name as a word.

The sequences are found with one Aho-Corasick automaton of the reversed names, run over
the text's symbols from the end: at each token it gives, in one step, the longest name
that begins there. A pass from the start then takes, left to right and without
overlap, the longest name at each place: the work is linear in the text, whatever the
number and the length of the names (a name as long as the text included).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

Value = TypeVar("Value")

NAME_CHARACTER = r"[\w$\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
"""Word characters, ``$`` (machine accounts), and combining marks: a mark belongs to the
letter before it, and case-folding writes some letters with one (``ǰ`` folds to ``j`` and
U+030C): with the marks inside runs, folding never changes where a run begins or ends."""
_TOKEN = re.compile(rf"{NAME_CHARACTER}+|(?!{NAME_CHARACTER}).", re.DOTALL)
_IS_RUN = re.compile(NAME_CHARACTER)
# Names are compared as Python compares them case-insensitively, and the Turkish dotless
# and dotted i (U+0131, U+0130) equal to i too; both are name characters, like i, so the
# tokens stay where they were.
_DOTLESS_AND_DOTTED_I = str.maketrans({"\u0131": "i", "\u0130": "i"})
_OTHER = "\x00"
"""Begins the symbol of a token that is not a run (no run's fold holds it)."""


def fold(text: str) -> str:
    """``text`` as names are compared: case-folded, dotless and dotted i as i."""
    return text.translate(_DOTLESS_AND_DOTTED_I).casefold()


def tokens(text: str) -> list[str]:
    """``text`` cut into runs of name characters and single other characters, with the
    dotless and dotted i already made i (name characters for name characters, one for
    one: the tokens have the lengths of the original's)."""
    return _TOKEN.findall(text.translate(_DOTLESS_AND_DOTTED_I))


def symbols(pieces: list[str]) -> list[str]:
    """The symbol of each token: a run's fold; for another character, its fold and
    whether a run stands before it and after it (the edges of the list count as none)."""
    runs = [_IS_RUN.match(piece) is not None for piece in pieces]
    out = list(map(str.casefold, pieces))
    last = len(pieces) - 1
    for index, run in enumerate(runs):
        if not run:
            before = "r" if index > 0 and runs[index - 1] else "-"
            after = "r" if index < last and runs[index + 1] else "-"
            out[index] = f"{_OTHER}{before}{after}{out[index]}"
    return out


@dataclass(frozen=True)
class Match(Generic[Value]):
    """A name found: its span in the original text and the value given with the name."""

    start: int
    end: int
    value: Value


class NameMatcher(Generic[Value]):
    """Every name of a mapping (name -> value), found in texts as whole words."""

    def __init__(self, names: Mapping[str, Value]) -> None:
        self._goto: list[dict[str, int]] = [{}]
        self._longest: list[tuple[int, Value] | None] = [None]
        self.steps = 0
        """Automaton steps taken so far: the matcher's counted work."""
        for name, value in names.items():
            if name:
                self._add(symbols(tokens(name)), value)
        self._fail = self._link()

    def _add(self, name: list[str], value: Value) -> None:
        """Insert ``name``'s symbols, reversed; a name already there keeps its value."""
        state = 0
        for symbol in reversed(name):
            following = self._goto[state].get(symbol)
            if following is None:
                following = len(self._goto)
                self._goto[state][symbol] = following
                self._goto.append({})
                self._longest.append(None)
            state = following
        if self._longest[state] is None:
            self._longest[state] = (len(name), value)

    def _link(self) -> list[int]:
        """The failure links, breadth first; each state's longest name becomes the longest
        of its own and of its failure state's (a state's own name is the longer)."""
        fail = [0] * len(self._goto)
        queue = deque(self._goto[0].values())
        while queue:
            state = queue.popleft()
            for symbol, following in self._goto[state].items():
                back = fail[state]
                while back and symbol not in self._goto[back]:
                    back = fail[back]
                target = self._goto[back].get(symbol, 0)
                fail[following] = target if target != following else 0
                if self._longest[following] is None:
                    self._longest[following] = self._longest[fail[following]]
                queue.append(following)
        return fail

    def find(self, text: str) -> list[Match[Value]]:
        """Left to right and without overlap, the longest name at each place one begins."""
        pieces = tokens(text)
        if not pieces:
            return []
        longest = self._longest_from_each_token(symbols(pieces))
        found: list[Match[Value]] = []
        offset = index = 0
        while index < len(pieces):
            best = longest[index]
            if best is None:
                offset += len(pieces[index])
                index += 1
                continue
            count, value = best
            end = offset + sum(map(len, pieces[index : index + count]))
            found.append(Match(offset, end, value))
            offset, index = end, index + count
        return found

    def _longest_from_each_token(self, text: list[str]) -> list[tuple[int, Value] | None]:
        """For each token, the longest name (its length in tokens, its value) beginning
        there: the reversed names' automaton run over the tokens from the last."""
        goto, fail, longest = self._goto, self._fail, self._longest
        out: list[tuple[int, Value] | None] = [None] * len(text)
        state = 0
        steps = 0
        for index in range(len(text) - 1, -1, -1):
            symbol = text[index]
            while state and symbol not in goto[state]:
                state = fail[state]
                steps += 1
            state = goto[state].get(symbol, 0)
            out[index] = longest[state]
        self.steps += steps + len(text)
        return out


def replace(text: str, matches: Iterable[Match[str]]) -> str:
    """``text`` with each match's span replaced by its value (matches in order)."""
    pieces: list[str] = []
    done = 0
    for match in matches:
        pieces += (text[done : match.start], match.value)
        done = match.end
    return "".join(pieces) + text[done:] if pieces else text
