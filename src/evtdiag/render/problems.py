"""How every renderer names, orders and counts the problems of a report document, so that
the text, the HTML and ``compare`` list the problems in one order and say the same things.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from evtdiag.render.fields import summary_counts
from evtdiag.render.timefmt import TimeFormatter


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
SCOPE_ORDER = tuple(section.scope for section in SECTIONS)
"""The scopes of the ``evtdiag/1`` problems, in section order (a renderer reads a
document, not the diagnosis's registry, so it names them here)."""
TRIAGE_ROWS = 100
"""Problems in the triage table (open ones first); every problem follows in full."""


def is_open(problem: dict[str, Any]) -> bool:
    """Reports from before problem status have only open problems."""
    return problem.get("status", "open") == "open"


def counts(problem: dict[str, Any]) -> bool:
    """Whether the verdict and the exit code count the problem: open, and not intended
    (info), as :func:`evtdiag.diagnose.verdict.counted` picks them from a diagnosis."""
    return is_open(problem) and problem["severity"] != "info"


def counted_in(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The problems of ``document`` that :func:`counts`."""
    return [p for p in document["problems"] if counts(p)]


def problem_order(problems: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open problems by scope (host, account, DC, pair), then the resolved ones: the order
    of the triage table and of the sections, whatever order a hand-edited report has."""
    rank = {scope: index for index, scope in enumerate(SCOPE_ORDER)}
    return sorted(problems, key=lambda p: (not is_open(p), rank.get(p["scope"], len(rank))))


def verdict_counts(document: dict[str, Any]) -> dict[str, Any]:
    """The diagnosis's counts for the verdict, by identity. A report from before the
    open-problem counts gets them from the failing ones; ``pairs`` stays None there
    (nothing in such a report says which pairs were tried)."""
    counts = summary_counts(document)
    counts.setdefault("accounts_open", counts["accounts_failing"])
    counts.setdefault("hosts_open", counts["hosts_failing"])
    counts.setdefault("pairs", None)
    counts.setdefault("pairs_open", None)
    return counts


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


def resolution_text(problem: dict[str, Any], times: TimeFormatter) -> str:
    """What showed the fix: the first success in the problem's scope after its last
    failure."""
    text = (
        f"last failure {times.moment(problem['last_failure'])}, verified "
        f"{times.moment(problem['resolved_at'])}"
    )
    verified = problem.get("verified_by")
    if verified:
        text += f" by {verified['text']}"
    return text
