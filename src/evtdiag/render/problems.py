"""How every renderer presents the problems of a report document: the sections, their
headings and meanings, and the few words that name a problem, so that the text and the
HTML reports say the same things. What a problem *is* (open, counted, in which order,
how it was resolved) is read from the document by :mod:`evtdiag.document`.
"""

from __future__ import annotations

from typing import Any, NamedTuple


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
"""Problems in the triage table (open ones first); every problem follows in full."""


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
