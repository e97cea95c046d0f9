"""How every renderer presents the problems of a report document: the sections, their
headings and meanings, and the few words that name a problem, so that the text and the
HTML reports say the same things. What a problem *is* (open, counted, in which order,
how it was resolved) is read from the document by :mod:`evtdiag.document`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from evtdiag.document import failing_pairs


class Section(NamedTuple):
    """A section of the problems: its scope, heading, and what it means."""

    scope: str
    heading: str
    meaning: str
    """A phrase: the text report puts it in parentheses, the HTML one as a sentence."""

    @property
    def sentence(self) -> str:
        return f"{self.meaning[:1].upper()}{self.meaning[1:]}."


SECTIONS = (
    Section("host", "Per-host problems", "one host refuses many accounts"),
    Section("account", "Per-account problems", "one account is refused by nearly every host"),
    Section("dc", "Per-DC problems", "one DC fails where another works"),
    Section("pair", "Per-pair problems", "one account on one host"),
)
"""The sections of open problems, widest scope first."""
FALLBACK_CAUSE = "unexplained"
"""The cause code of failures no rule explains (``evtdiag.diagnose.explain.FALLBACK``:
a renderer reads a document and does not import the diagnosis)."""
NO_CONFIGURATIONS = "no configurations were given"
"""Said where hosts without a configuration are listed, when none was supplied at all:
"none" would read as "every host was covered"."""
RESOLVED_SECTION = Section(
    "resolved", "Resolved problems", "fixed: the same scope succeeded after the last failure"
)
"""The section after them, of every scope."""
TRIAGE_ROWS = 100
"""Lines of the HTML triage table (a group is one); the sections below list more."""
TOP_PROBLEMS = 20
"""Lines of problems the terminal summary and the text report list (a group is one), the
most failing pairs first: a screen's worth, so that a site with thousands of problems
gets an answer it can read, and says how many more there are. ``--all`` lifts it; the
HTML report shows more and the JSON report holds every problem."""
GROUP_ABOVE = 5
"""More problems than this of one cause, one scope (and one status and severity) are
listed as one group line naming their largest subjects. Up to five lines of one cause
still read as a list one scans; beyond that the repeats push every other cause off the
screen, and what tells them apart is only which hosts or accounts they hit."""
GROUP_NAMES = 3
"""Subjects a group line names, the largest first; the others are counted."""
NAME_CHARS = 32
"""A subject a group line names longer than this is cut in its middle."""
SCOPE_PLURALS = {"host": "hosts", "account": "accounts", "dc": "DC problems", "pair": "pairs"}
"""What a group of one scope counts: ``36 pairs``, ``12 hosts``."""


def problem_subject(problem: dict[str, Any]) -> str:
    """What the problem is about in a few words, as the triage tables and cards name it."""
    if problem["scope"] == "dc" and not problem["host"]:
        return f"{problem['dc'] or '?'} (every host it sends to)"
    if problem["scope"] == "dc":
        return f"{problem['host']} via {problem['dc'] or '?'}"
    if problem["scope"] == "pair":
        return f"{problem['account'] or '?'} on {problem['host'] or '?'}"
    return problem["host"] or problem["account"] or problem["dc"] or "(no subject)"


def middle_ellipsis(text: str, limit: int) -> str:
    """``text`` cut in its middle to ``limit`` characters: both ends of a name (its
    first letters and its domain) are what tell names apart."""
    if len(text) <= limit:
        return text
    head = limit // 2
    return f"{text[:head]}…{text[len(text) - (limit - head - 1) :]}"


@dataclass(frozen=True)
class Entry:
    """One line of a problem listing: one problem (or triage row), or a group of more
    than :data:`GROUP_ABOVE` of one cause and scope, in the order they are listed."""

    members: tuple[dict[str, Any], ...]

    @property
    def first(self) -> dict[str, Any]:
        return self.members[0]

    @property
    def is_group(self) -> bool:
        return len(self.members) > 1


@dataclass(frozen=True)
class Listing:
    """The entries a listing shows, and how many problems (or rows) it leaves out."""

    shown: list[Entry]
    more: int


def _group_key(item: dict[str, Any]) -> tuple[str, str, str, str]:
    """What a group's members share. A triage row of two causes names them by impact
    (``a, b`` or ``b, a``): the same two causes either way."""
    causes = ", ".join(sorted(item["cause"].split(", ")))
    return (item["status"], item["severity"], item["scope"], causes)


def grouped(items: Iterable[dict[str, Any]]) -> list[Entry]:
    """``items`` (problems or triage rows, in the order listed) as entries: those of one
    status, severity, scope and cause make one group entry where they are more than
    :data:`GROUP_ABOVE`, standing where the first of them stands. Every renderer groups
    through this, so that the terminal, the text and the HTML report agree."""
    ordered = list(items)
    members: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for item in ordered:
        members.setdefault(_group_key(item), []).append(item)
    entries: list[Entry] = []
    placed: set[tuple[str, str, str, str]] = set()
    for item in ordered:
        key = _group_key(item)
        if len(members[key]) <= GROUP_ABOVE:
            entries.append(Entry((item,)))
        elif key not in placed:
            placed.add(key)
            entries.append(Entry(tuple(members[key])))
    return entries


def listing(items: Iterable[dict[str, Any]], every: bool) -> Listing:
    """The first :data:`TOP_PROBLEMS` entries of ``items`` (:func:`grouped`), or all of
    them when ``every``; with the number of items the others hold."""
    entries = grouped(items)
    shown = entries if every else entries[:TOP_PROBLEMS]
    return Listing(shown, sum(len(entry.members) for entry in entries[len(shown) :]))


def first_names(names: list[str], limit: int | None, more: str = "") -> str:
    """``names`` joined, the first ``limit`` of them (all when None) and how many more,
    followed by ``more`` (where the others are): a host refusing everyone names
    thousands of accounts."""
    shown = names if limit is None else names[:limit]
    left = len(names) - len(shown)
    return ", ".join(shown) + (f" and {left} more{more}" if left else "")


def group_names(entry: Entry) -> str:
    """The largest subjects of a group with their failing pairs, the largest first:
    ``web01 (12 pairs), db02 (9), mail05 (7) and 4 more``. Pairs are named by their
    host (what one fix on a host mends); the other scopes by their subject."""
    sizes: Counter[str] = Counter()
    for member in entry.members:
        name = member["host"] if member["scope"] == "pair" else problem_subject(member)
        sizes[middle_ellipsis(name or "?", NAME_CHARS)] += failing_pairs(member)
    ranked = sorted(sizes.items(), key=lambda item: (-item[1], item[0].casefold()))
    named = [
        f"{name} ({size} pair{'s' if size != 1 else ''})" if index == 0 else f"{name} ({size})"
        for index, (name, size) in enumerate(ranked[:GROUP_NAMES])
    ]
    left = len(ranked) - GROUP_NAMES
    return ", ".join(named) + (f" and {left} more" if left > 0 else "")


def group_count(entry: Entry) -> str:
    """How many problems a group holds, in its scope's word: ``36 pairs``."""
    scope = entry.first["scope"]
    return f"{len(entry.members)} {SCOPE_PLURALS.get(scope, scope)}"


def group_line(entry: Entry) -> str:
    """A group in one line: ``36 pairs: unix-account-disabled — web01 (12 pairs), ...``."""
    return f"{group_count(entry)}: {entry.first['cause']} — {group_names(entry)}"


def more_line(more: int, full_report: str | None) -> str:
    """What a bounded listing ends with: how many problems it left out, and where they
    are: the report file written (HTML or JSON), else how to see them (the HTML page
    lists the first of each scope; the JSON report every one)."""
    where = (
        f"see {full_report}"
        if full_report
        else "--all lists every one; so does --format json -o report.json"
    )
    return f"and {more} more ({where})"
