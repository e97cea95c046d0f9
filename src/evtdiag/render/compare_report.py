"""A comparison of two reports (:mod:`evtdiag.compare`) as text, JSON or HTML.

Like the report renderers it decides nothing: it arranges the entries by category.
Every string came from a report, that is from strangers' logs: the text is escaped line
by line as it is assembled (:func:`~evtdiag.render.terminal.printable_lines`), the HTML
is autoescaped by the report's jinja2 environment (with ``printable`` as ``|p``) under
the same Content-Security-Policy (the inline style allowed by its SHA-256; no script at
all).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from markupsafe import Markup

from evtdiag.compare import CATEGORIES, FIXED, NEW, STILL_FAILING, UNVERIFIED, Comparison, Entry
from evtdiag.render.html.templating import content_security_policy, environment, template_text
from evtdiag.render.problems import problem_subject
from evtdiag.render.terminal import printable_lines
from evtdiag.render.text_report import wrap
from evtdiag.render.timefmt import TimeFormatter

SCHEMA = "evtdiag-compare/1"

HEADINGS = {
    STILL_FAILING: ("Still failing", "Open in AFTER, or failing in its scope with no success."),
    NEW: ("New", "Open in AFTER, and not in BEFORE."),
    UNVERIFIED: (
        "Not yet verified",
        "Not failing in AFTER, but nothing was tried in its scope since: retry a password "
        "change there to verify the fix.",
    ),
    FIXED: ("Fixed", "A success in its scope after the last failure."),
}
"""Category -> heading and what it means."""


def comparison_document(comparison: Comparison) -> dict[str, Any]:
    """The JSON object (schema :data:`SCHEMA`); times in UTC as in the reports."""
    return {
        "schema": SCHEMA,
        "before": asdict(comparison.before),
        "after": asdict(comparison.after),
        "summary": comparison.summary(),
        "problems": [asdict(entry) for entry in comparison.entries],
    }


def headline(comparison: Comparison) -> str:
    """``1 still failing, 0 new, 2 not yet verified, 3 fixed``."""
    return ", ".join(
        f"{count} {HEADINGS[category][0].lower()}"
        for category, count in comparison.summary().items()
    )


def _row(entry: Entry) -> dict[str, str]:
    """What a line of the comparison shows of an entry: the problem as BEFORE names it
    (as AFTER does when new), and both causes or ids when they differ."""
    both = [problem for problem in (entry.before, entry.after) if problem is not None]
    return {
        "scope": both[0]["scope"],
        "subject": problem_subject(both[0]),
        "cause": " -> ".join(dict.fromkeys(problem["cause"] for problem in both)),
        "title": both[-1]["title"],
        "ids": " -> ".join(dict.fromkeys(problem["id"] for problem in both)),
        "reason": entry.reason,
    }


def _rows(comparison: Comparison) -> dict[str, list[dict[str, str]]]:
    """Category -> its rows, every category named, in the order of :data:`CATEGORIES`."""
    rows: dict[str, list[dict[str, str]]] = {category: [] for category in CATEGORIES}
    for entry in comparison.entries:
        rows[entry.category].append(_row(entry))
    return rows


def render_compare_text(comparison: Comparison, times: TimeFormatter) -> str:
    """The comparison for a terminal or a ticket: what still needs work first."""
    lines = [f"evtdiag compare: {headline(comparison)}"]
    for label, info in (("BEFORE", comparison.before), ("AFTER", comparison.after)):
        lines += wrap(
            f"{label}: {info.path}, verdict {info.verdict}, events "
            f"{times.span(info.first_event, info.last_event)}",
            "  ",
        )
    lines.append(f"  (times in {times.zone_name})")
    for category, rows in _rows(comparison).items():
        if rows:
            lines += ["", f"{HEADINGS[category][0]}: {len(rows)}"]
        for row in rows:
            lines += wrap(f"{row['scope']} {row['subject']} [{row['cause']}]", "  ")
            lines += wrap(row["reason"], "      ")
    return printable_lines(lines)


def render_compare_html(comparison: Comparison, times: TimeFormatter) -> str:
    """One self-contained page, styled as the report (its stylesheet, inline)."""
    style = template_text("report.css")
    categories = [
        {
            "name": category,
            "heading": HEADINGS[category][0],
            "blurb": HEADINGS[category][1],
            "count": len(rows),
            "rows": rows,
        }
        for category, rows in _rows(comparison).items()
    ]
    return (
        environment()
        .get_template("compare.html.j2")
        .render(
            c=comparison,
            headline=headline(comparison),
            categories=categories,
            times=times,
            style=Markup(style),
            csp=content_security_policy(style),
        )
    )


def _json(comparison: Comparison, times: TimeFormatter) -> Iterable[str]:
    return (json.dumps(comparison_document(comparison), indent=2, ensure_ascii=False) + "\n",)


def _text(comparison: Comparison, times: TimeFormatter) -> Iterable[str]:
    return (render_compare_text(comparison, times),)


def _html(comparison: Comparison, times: TimeFormatter) -> Iterable[str]:
    return (render_compare_html(comparison, times),)


COMPARE_FORMATS: dict[str, Callable[[Comparison, TimeFormatter], Iterable[str]]] = {
    "text": _text,
    "json": _json,
    "html": _html,
}
"""Format name -> renderer of a comparison, as text parts to write one after the other.
The JSON shows times in UTC whatever the time zone: build its comparison with a UTC
:class:`TimeFormatter`, so that the reasons do too."""
