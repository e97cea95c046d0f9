"""The report as one self-contained HTML page, rendered from the JSON document.

Like the text report it computes nothing new: it arranges the document (the triage table
orders the problems, the matrix and the host lanes are the document's, counted by the
identities the diagnosis used, the timeline draws each problem's kept events) so that
``evtdiag render FINDINGS.json``
rebuilds the same page. The page loads nothing and works with JavaScript disabled (the
script only adds sorting and filtering): see :mod:`.templating` for its escaping and its
Content-Security-Policy.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from evtdiag.document import (
    counts,
    failure_span,
    is_open,
    problem_order,
    resolution_text,
    triage_rows,
    verdict_counts,
)
from evtdiag.event_summary import EVENT_SAMPLE
from evtdiag.render.fix_kit import checklist, first_steps, retry_text
from evtdiag.render.html.identities import host_identities
from evtdiag.render.html.matrix import matrix
from evtdiag.render.html.templating import content_security_policy, environment, template_text
from evtdiag.render.html.timeline import TIMELINE_LANES, timeline
from evtdiag.render.problems import (
    RESOLVED_SECTION,
    SECTIONS,
    TRIAGE_ROWS,
    Entry,
    Section,
    first_names,
    group_count,
    group_names,
    grouped,
    problem_subject,
)
from evtdiag.render.terminal import printable
from evtdiag.render.timefmt import TimeFormatter

NAMES_PER_CARD = 100
"""Account and host names a card lists (and its filter finds): a host refusing everyone
names thousands of accounts; the JSON lists every one."""
IN_THE_JSON = " (all in the JSON)"
EVIDENCE_PER_CARD = 12
CARDS_PER_SCOPE = 50
"""Problems shown as full cards in one scope; the next ones are table rows."""
ROWS_PER_SCOPE = 500
"""Problems listed as table rows after the cards; the JSON has every problem."""


def _minute(iso: str | None, times: TimeFormatter) -> str:
    """A moment to the minute: enough to compare problems in the triage table."""
    return times.moment(iso)[:16] if iso else ""


def _triage(
    problems: list[dict[str, Any]], anchored: set[str], times: TimeFormatter
) -> dict[str, Any]:
    """The triage table: its first :data:`TRIAGE_ROWS` entries
    (:func:`~evtdiag.render.problems.grouped`: many problems of one cause and scope are
    one row, whose members unfold under it, each linking to its card or row where the
    page shows it: ``anchored``)."""
    entries = grouped(triage_rows(problems))
    return {
        "rows": [_triage_row(entry, anchored, times) for entry in entries[:TRIAGE_ROWS]],
        "entries": len(entries),
        "total": len(problems),
        "resolved": any(p["resolved_at"] for p in problems),
    }


def _triage_row(entry: Entry, anchored: set[str], times: TimeFormatter) -> dict[str, Any]:
    first = entry.first
    row = {
        **first,
        "subject": problem_subject(first),
        "first": _minute(first["first_seen"], times),
        "last": _minute(first["last_failure"], times),
        "fixed": _minute(first["resolved_at"], times),
        "intended": is_open(first) and not counts(first),
        "members": [],
    }
    if not entry.is_group:
        return row
    first_seen, last_failure = failure_span(entry.members)
    return {
        **row,
        "subject": group_count(entry),
        "names": group_names(entry),
        "event_count": sum(m["event_count"] for m in entry.members),
        "first": _minute(first_seen, times),
        "last": _minute(last_failure, times),
        "members": [
            {"id": m["id"], "subject": problem_subject(m), "linked": m["id"] in anchored}
            for m in entry.members[:GROUP_MEMBERS]
        ],
        "unlisted": max(0, len(entry.members) - GROUP_MEMBERS),
    }


GROUP_MEMBERS = CARDS_PER_SCOPE + ROWS_PER_SCOPE
"""Members a triage group lists: as many as one scope shows as cards and rows."""


def _group(
    section: Section, selected: list[dict[str, Any]], times: TimeFormatter
) -> dict[str, Any]:
    """One section of problems: the first as cards, the next as table rows."""
    return {
        "scope": section.scope,
        "heading": section.heading,
        "blurb": section.sentence,
        "total": len(selected),
        "problems": [
            {
                **p,
                "subject": problem_subject(p),
                "shown_events": p["events"],
                "shown_evidence": p["evidence"][:EVIDENCE_PER_CARD],
                "shown_accounts": first_names(p["accounts"], NAMES_PER_CARD, IN_THE_JSON),
                "shown_hosts": first_names(p["hosts"], NAMES_PER_CARD, IN_THE_JSON),
                "resolution": "" if is_open(p) else resolution_text(p, times),
            }
            for p in selected[:CARDS_PER_SCOPE]
        ],
        "rows": [
            {**p, "subject": problem_subject(p)}
            for p in selected[CARDS_PER_SCOPE : CARDS_PER_SCOPE + ROWS_PER_SCOPE]
        ],
        "hidden": max(0, len(selected) - CARDS_PER_SCOPE - ROWS_PER_SCOPE),
    }


def view(document: dict[str, Any], times: TimeFormatter) -> dict[str, Any]:
    """What the template shows, arranged from the document."""
    events = document["events"]
    identities = host_identities(document)
    problems = problem_order(document["problems"])
    open_problems = [p for p in problems if is_open(p)]
    groups = [
        _group(section, [p for p in open_problems if p["scope"] == section.scope], times)
        for section in SECTIONS
    ]
    groups.append(_group(RESOLVED_SECTION, problems[len(open_problems) :], times))
    anchored = {p["id"] for g in groups for p in (*g["problems"], *g["rows"])}
    return {
        "d": document,
        "times": times,
        "triage": _triage(problems, anchored, times),
        "groups": groups,
        "counts": {
            **verdict_counts(document),
            "events": events["total"],
            "failures": events["outcomes"].get("failure", 0),
            "successes": events["outcomes"].get("success", 0),
            "first": events["first_time"],
            "last": events["last_time"],
            "problems": len(open_problems),
            "resolved": len(problems) - len(open_problems),
            "audit": len(document["audit"]),
        },
        "matrix": matrix(document["matrix"]),
        "timeline": timeline(document, identities, times),
        "caps": {
            "events": EVENT_SAMPLE,
            "evidence": EVIDENCE_PER_CARD,
            "names": NAMES_PER_CARD,
            "cards": CARDS_PER_SCOPE,
            "rows": ROWS_PER_SCOPE,
            "triage": TRIAGE_ROWS,
            "lanes": TIMELINE_LANES,
        },
        "redacted": "redaction" in document,
        **_todo(document, groups),
        "retry": retry_text,
    }


def _todo(document: dict[str, Any], groups: list[dict[str, Any]]) -> dict[str, Any]:
    """The "What to do" checklist, its first :data:`TRIAGE_ROWS` steps (``evtdiag fixes``
    writes every one); a step links to its problem where the page shows it as a card."""
    named = [{**p, "subject": problem_subject(p)} for p in document["problems"]]
    shown, hidden = first_steps(checklist({**document, "problems": named}), TRIAGE_ROWS)
    return {
        "todo": shown,
        "todo_count": sum(1 for p in document["problems"] if p["fix"]),
        "todo_hidden": hidden,
        "carded": {p["id"] for g in groups for p in g["problems"]},
    }


def _css_string(text: str) -> str:
    """``text`` as a CSS string: every character but ASCII letters, digits, space and
    ``.:-_()`` as a hex escape, so that no name can end the string, the rule or the
    ``<style>`` element."""
    safe = " .:-_()"
    return (
        '"'
        + "".join(
            c if (c.isascii() and c.isalnum()) or c in safe else f"\\{ord(c):x} " for c in text
        )
        + '"'
    )


def _print_footer(document: dict[str, Any], times: TimeFormatter) -> str:
    """The printed pages' footer: which evtdiag wrote the report, and when. A page margin
    box cannot read the page, so the text is written into the style (report.css places
    the page number and styles the box)."""
    text = (
        f"evtdiag {document['tool']['version']} · generated "
        f"{times.moment(document['generated_at'])} {times.zone_name}"
    )
    return f"@page {{ @bottom-left {{ content: {_css_string(printable(text))}; }} }}\n"


def render_html(document: dict[str, Any], times: TimeFormatter) -> str:
    """The whole report as one HTML page."""
    style = template_text("report.css") + _print_footer(document, times)
    script = template_text("report.js")
    template = environment().get_template("report.html.j2")
    return template.render(
        **view(document, times),
        style=Markup(style),
        script=Markup(script),
        csp=content_security_policy(style, script),
    )
