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

from evtdiag.compare import (
    CATEGORIES,
    FIXED,
    INTENDED,
    NEW,
    STILL_FAILING,
    UNCHANGED,
    UNVERIFIED,
    Comparison,
    Entry,
)
from evtdiag.render.html.templating import content_security_policy, environment, template_text
from evtdiag.render.problems import problem_subject
from evtdiag.render.terminal import printable_lines
from evtdiag.render.text_report import wrap
from evtdiag.render.timefmt import TimeFormatter

SCHEMA = "evtdiag-compare/1"

HEADINGS = {
    FIXED: ("Fixed", "A success in its scope after its last failure, since BEFORE's end."),
    NEW: ("New", "Open in AFTER, and not in BEFORE."),
    STILL_FAILING: (
        "Still failing",
        "A failure in its scope after BEFORE's end, and no success after it.",
    ),
    UNVERIFIED: (
        "Not yet verified",
        "Gone from AFTER, or its cause no longer found there, but nothing was tried in its "
        "scope since BEFORE's end: make the retry shown to verify the fix.",
    ),
    UNCHANGED: (
        "Unchanged",
        "AFTER finds it as BEFORE did, and nothing was tried in its scope since BEFORE's end.",
    ),
    INTENDED: ("Intended", "Refused on purpose (severity info): nothing to fix."),
}
"""Category -> heading and what it means."""


def comparison_document(comparison: Comparison) -> dict[str, Any]:
    """The JSON object (schema :data:`SCHEMA`); times in UTC as in the reports."""
    return {
        "schema": SCHEMA,
        "before": asdict(comparison.before),
        "after": asdict(comparison.after),
        "new_events": comparison.new_events,
        "nothing_new": comparison.nothing_new,
        "summary": comparison.summary(),
        "problems": [asdict(entry) for entry in comparison.entries],
    }


def headline(comparison: Comparison) -> str:
    """``1 fixed, 0 new, 0 still failing, 2 not yet verified, ...``, or ``nothing new to
    compare`` when AFTER has no attempt since BEFORE and finds what it found."""
    counted = ", ".join(
        f"{count} {HEADINGS[category][0].lower()}"
        for category, count in comparison.summary().items()
    )
    return f"nothing new to compare ({counted})" if comparison.nothing_new else counted


def quiet_note(comparison: Comparison, times: TimeFormatter) -> str | None:
    """Why nothing can be verified yet, when AFTER has no attempt after BEFORE's end."""
    if comparison.new_events:
        return None
    end = times.moment(comparison.before.last_event)
    return (
        f"AFTER has no attempt after BEFORE's last event ({end}): "
        "nothing can be verified yet; make the retries, then write a new AFTER report."
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
        "retry": _retry_line(entry),
    }


def _retry_line(entry: Entry) -> str:
    """The retry to make: now for a fix not yet verified, once fixed for a problem AFTER
    still finds."""
    if not entry.retry:
        return ""
    return f"once fixed, {entry.retry}" if entry.category == UNCHANGED else entry.retry


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
    note = quiet_note(comparison, times)
    if note:
        lines += ["", *wrap(note, "")]
    for category, rows in _rows(comparison).items():
        if rows:
            lines += ["", f"{HEADINGS[category][0]}: {len(rows)}"]
        for row in rows:
            lines += wrap(f"{row['scope']} {row['subject']} [{row['cause']}]", "  ")
            lines += wrap(row["reason"], "      ")
            if row["retry"]:
                lines += wrap(row["retry"], "      ")
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
            note=quiet_note(comparison, times),
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
