"""The report as one self-contained HTML file, rendered from the JSON document.

Like the text report it computes nothing new: it arranges the document (the triage table
orders the problems, the account x host matrix tallies ``events.items`` by the identities
the diagnosis used, the timeline draws each problem's events and the successes in its
scope) so that ``evtdiag render FINDINGS.json`` rebuilds the same page.

Safety: jinja2 autoescaping is on, every string from an input also goes through
:func:`~evtdiag.render.terminal.printable` (control and bidi-override characters shown
as escapes), the page loads nothing (a Content-Security-Policy forbids every network
load; the style and script are inline and allowed by their SHA-256), and it works with
JavaScript disabled (the script only adds sorting and filtering).
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup, escape

from evtdiag.names import account_key
from evtdiag.render.fix_kit import checklist, retry_text
from evtdiag.render.problems import (
    RESOLVED_SECTION,
    SECTIONS,
    TRIAGE_ROWS,
    Section,
    is_open,
    middle_ellipsis,
    problem_order,
    problem_subject,
    resolution_text,
    verdict_counts,
)
from evtdiag.render.template_cache import bytecode_cache
from evtdiag.render.terminal import printable
from evtdiag.render.timefmt import TimeFormatter

EVENTS_PER_CARD = 25
"""Rows of a problem's event table; the JSON has every event."""
EVIDENCE_PER_CARD = 12
CARDS_PER_SCOPE = 50
"""Problems shown as full cards in one scope; the next ones are table rows."""
ROWS_PER_SCOPE = 500
"""Problems listed as table rows after the cards; the JSON has every problem."""
MATRIX_ACCOUNTS = 40
MATRIX_HOSTS = 40
TIMELINE_LANES = 40
"""One timeline lane per problem up to this many problems; beyond, one lane per host
identity (those with the most failures first), this many at most."""
TIMELINE_WIDTH = 1100
LANE_HEIGHT = 32
CHAR_WIDTH = 7.4
"""Advance of one character of the 12px monospace labels, rounded up: the label column is
sized from it, so a label never runs into the plot or off the picture."""
LABEL_CHARS = 40
"""Longer subjects are cut in the middle (the whole name is in the lane's title)."""
MARK_STEP = 4.0
"""Marks of one kind closer than this (in picture units) are drawn once: a year of
events stays a few hundred marks per lane."""

_TEMPLATE_PACKAGE = "evtdiag.templates"


def template_text(name: str) -> str:
    return resources.files(_TEMPLATE_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


_OPTIONS: dict[str, Any] = {
    "autoescape": True,
    "undefined": jinja2.StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
}


def environment() -> jinja2.Environment:
    """The report's jinja2 environment. A template is compiled once per install: the
    compiled code is kept in the user's cache folder (:mod:`evtdiag.render.template_cache`),
    and without a usable folder every run compiles it, giving the same page."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(template_text),
        bytecode_cache=bytecode_cache(_OPTIONS),
        **_OPTIONS,
    )
    env.filters["p"] = lambda value: printable(str(value)) if value is not None else ""
    env.filters["num"] = lambda value: f"{value:,}" if isinstance(value, int) else value
    env.filters["safe_url"] = _safe_url
    return env


def _safe_url(url: Any) -> str | None:
    """Only plain https links to documentation are made clickable."""
    if isinstance(url, str) and url.startswith("https://") and not any(c in url for c in "\"'<> "):
        return url
    return None


@dataclass(frozen=True)
class Cell:
    failures: int
    successes: int

    @property
    def state(self) -> str:
        if self.failures and self.successes:
            return "mixed"
        if self.failures:
            return "bad"
        return "ok" if self.successes else "none"


Identities = dict[str, str]
"""Host name as spelled in the events -> the host identity the diagnosis counted."""
Key = tuple[str, str, str]
"""(account, host, DC) identities; '' where a subject names none."""


def _host_identities(document: dict[str, Any]) -> Identities:
    return {item["host"]: item["identity"] for item in document.get("host_identities", [])}


def _host_identity(name: str | None, identities: Identities) -> str:
    """The diagnosis's identity of a host name; a report without them folds the case."""
    if not name:
        return ""
    return identities.get(name) or name.casefold()


def _event_key(event: dict[str, Any], identities: Identities) -> Key:
    return (
        account_key(event["user"]) if event["user"] else "",
        _host_identity(event["host"], identities),
        (event["dc"] or "").casefold(),
    )


def _subject_key(problem: dict[str, Any], identities: Identities) -> Key:
    """Who the problem is about, as identities (an older report's from its names)."""
    subject = problem.get("subject")
    if subject:
        return (subject["account"] or "", subject["host"] or "", subject["dc"] or "")
    return (
        account_key(problem["account"]) if problem["account"] else "",
        _host_identity(problem["host"], identities),
        (problem["dc"] or "").casefold(),
    )


def _spellings(names: Counter[str], identity: str) -> list[str]:
    """The names seen for one identity, most used first; none when it is the only one."""
    ordered = sorted(names, key=lambda n: (-names[n], n.casefold()))
    return [] if ordered == [identity] else ordered


def _matrix(events: list[dict[str, Any]], identities: Identities) -> dict[str, Any]:
    """Failures and successes per (account, host) identity, as the problems count them:
    ``KSmith`` and ``CORP\\ksmith`` are one column, ``web01`` and its FQDN one row."""
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    fails_by_account: Counter[str] = Counter()
    fails_by_host: Counter[str] = Counter()
    account_names: dict[str, Counter[str]] = defaultdict(Counter)
    host_names: dict[str, Counter[str]] = defaultdict(Counter)
    for event in events:
        if event["outcome"] not in ("failure", "success") or not event["user"]:
            continue
        account, host, _ = _event_key(event, identities)
        failed = event["outcome"] == "failure"
        cells[(account, host)][0 if failed else 1] += 1
        fails_by_account[account] += failed
        fails_by_host[host] += failed
        account_names[account][event["user"]] += 1
        if event["host"]:
            host_names[host][event["host"]] += 1
    accounts = sorted(fails_by_account, key=lambda a: (-fails_by_account[a], a))
    hosts = sorted(fails_by_host, key=lambda h: (-fails_by_host[h], h))
    shown_accounts = sorted(accounts[:MATRIX_ACCOUNTS])
    shown_hosts = sorted(hosts[:MATRIX_HOSTS], key=lambda h: (not h, h))
    return {
        "accounts": [
            {"name": a, "spellings": _spellings(account_names[a], a)} for a in shown_accounts
        ],
        "rows": [
            {
                "host": host or "(no host)",
                "spellings": _spellings(host_names[host], host),
                "failures": fails_by_host[host],
                "cells": [Cell(*cells.get((a, host), (0, 0))) for a in shown_accounts],
            }
            for host in shown_hosts
        ],
        "hidden_accounts": len(accounts) - len(shown_accounts),
        "hidden_hosts": len(hosts) - len(shown_hosts),
    }


def _moment(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")) if iso else None


@dataclass(frozen=True)
class Lane:
    """One row of the timeline: a problem, or a host identity when there are many."""

    subject: str
    cause: str
    summary: str
    failures: list[datetime]
    successes: list[datetime]
    span: tuple[datetime, datetime] | None
    resolved: datetime | None

    def moments(self) -> Iterator[datetime]:
        yield from self.failures
        yield from self.successes
        yield from self.span or ()
        if self.resolved:
            yield self.resolved


def _successes_in_scope(
    events: list[dict[str, Any]], subjects: set[Key], identities: Identities
) -> dict[Key, list[datetime]]:
    """For each subject, the successes that match every identity it names: for a host
    problem every success on that host, for a pair only that account on that host."""
    masks = {tuple(bool(part) for part in subject) for subject in subjects}
    found: dict[Key, list[datetime]] = defaultdict(list)
    for event in events:
        moment = _moment(event["time"]) if event["outcome"] == "success" else None
        if moment is None:
            continue
        key = _event_key(event, identities)
        for mask in masks:
            masked = tuple(part if kept else "" for part, kept in zip(key, mask, strict=True))
            if masked in subjects:
                found[masked].append(moment)
    return found


def _problem_lanes(
    problems: list[dict[str, Any]],
    events: list[dict[str, Any]],
    identities: Identities,
    times: TimeFormatter,
) -> list[Lane]:
    keys = [_subject_key(p, identities) for p in problems]
    successes = _successes_in_scope(events, set(keys), identities)
    lanes = []
    for problem, key in zip(problems, keys, strict=True):
        failures = [m for ref in problem["events"] if (m := _moment(ref["time"]))]
        last_failure = problem.get("last_failure") or problem["last_seen"]
        first, last = _moment(problem["first_seen"]), _moment(last_failure)
        resolved = _moment(problem.get("resolved_at"))
        subject = printable(problem_subject(problem))
        summary = printable(
            f"{subject}: {problem['cause']}, {problem.get('status', 'open')}. "
            f"{len(failures)} failure(s) {times.span(problem['first_seen'], last_failure)}; "
            f"{len(successes[key])} success(es) in its scope"
        )
        if resolved:
            summary += f"; verified fixed {times.moment(problem['resolved_at'])}"
        lanes.append(
            Lane(
                subject=subject,
                cause=printable(problem["cause"]),
                summary=summary,
                failures=failures,
                successes=successes[key],
                span=(first, last) if first and last else None,
                resolved=resolved,
            )
        )
    return lanes


def _host_lanes(
    problems: list[dict[str, Any]], events: list[dict[str, Any]], identities: Identities
) -> tuple[list[Lane], int]:
    """Too many problems for a lane each: one lane per host identity, the hosts with the
    most failures first; returns the lanes and how many hosts were left out."""
    outcomes: dict[str, tuple[list[datetime], list[datetime]]] = defaultdict(lambda: ([], []))
    for event in events:
        moment = _moment(event["time"])
        if moment is not None and event["outcome"] in ("failure", "success"):
            host = _host_identity(event["host"], identities)
            outcomes[host][event["outcome"] == "success"].append(moment)
    fixed: dict[str, datetime] = {}
    for problem in problems:
        host = _subject_key(problem, identities)[1]
        resolved = _moment(problem.get("resolved_at"))
        if host and resolved and not is_open(problem):
            fixed[host] = max(resolved, fixed.get(host, resolved))
    ranked = sorted(
        (h for h in outcomes if outcomes[h][0]), key=lambda h: (-len(outcomes[h][0]), h)
    )
    lanes = []
    for host in ranked[:TIMELINE_LANES]:
        failures, successes = outcomes[host]
        name = printable(host or "(no host)")
        lanes.append(
            Lane(
                subject=name,
                cause="",
                summary=f"{name}: {len(failures)} failure(s), {len(successes)} success(es)",
                failures=failures,
                successes=successes,
                span=(min(failures), max(failures)),
                resolved=fixed.get(host),
            )
        )
    return lanes, len(ranked) - len(lanes)


def _midnights(start: datetime, end: datetime, times: TimeFormatter) -> list[datetime]:
    """Day boundaries in the page's time zone between ``start`` and ``end``, thinned to
    about ten so their labels never touch.

    Only days :class:`datetime` can hold count: near the years 1 and 9999 the zone's date
    of ``start`` or ``end`` may not exist (then the UTC one stands in), nor the day after.
    """
    first_day = times.local(start) or start
    last_day = times.local(end) or end
    if first_day.date() == date.max:
        return []
    first = first_day.date() + timedelta(days=1)
    days = max((last_day.date() - first).days + 1, 0)
    step = max(1, math.ceil(days / 10))
    midnights = (datetime.combine(first + timedelta(days=n), time()) for n in range(0, days, step))
    # No zone: the machine's own ("--tz local"), each day with its own offset.
    return [m.astimezone() if times.tz is None else m.replace(tzinfo=times.tz) for m in midnights]


class _Scale:
    """Maps moments to x in the plot area."""

    def __init__(self, start: datetime, end: datetime, left: float, right: float) -> None:
        self.start = start
        self.seconds = max((end - start).total_seconds(), 1.0)
        self.left, self.width = left, right - left

    def x(self, moment: datetime) -> float:
        return self.left + (moment - self.start).total_seconds() / self.seconds * self.width

    def marks(self, moments: Iterable[datetime]) -> list[float]:
        """x of each mark to draw: one per :data:`MARK_STEP` wide slot that has any."""
        slots = {round((self.x(m) - self.left) / MARK_STEP) for m in moments}
        return [self.left + slot * MARK_STEP for slot in sorted(slots)]


def _cross(x: float, y: float) -> str:
    return f"M{x - 3.5:.1f} {y - 3.5:.1f}l7 7m0-7l-7 7"


def _dot(x: float, y: float) -> str:
    return f"M{x - 3.2:.1f} {y:.1f}a3.2 3.2 0 1 0 6.4 0a3.2 3.2 0 1 0-6.4 0"


def _check(x: float, top: float, height: float = LANE_HEIGHT) -> str:
    """The verification: a line through the lane with a check mark at its top."""
    return f"M{x:.1f} {top + 2:.1f}V{top + height - 2:.1f}M{x + 2:.1f} {top + 7:.1f}l2.5 3l5-7"


def _lane_svg(lane: Lane, y: float, scale: _Scale, total_x: float) -> str:
    """The lane's label (subject, and the cause under it), its failures on the upper line
    and its successes on the lower one, so that neither hides the other."""
    fail_y, ok_y = y + 11, y + 23
    parts = [
        f'<g class="tl-lane"><title>{escape(lane.summary)}</title>',
        f'<text x="6" y="{fail_y + 4}" class="tl-label">'
        f"{escape(middle_ellipsis(lane.subject, LABEL_CHARS))}</text>",
    ]
    if lane.cause:
        parts.append(
            f'<text x="6" y="{ok_y + 4}" class="tl-label tl-cause">'
            f"{escape(middle_ellipsis(lane.cause, LABEL_CHARS))}</text>"
        )
    if lane.span:
        left, right = scale.x(lane.span[0]), scale.x(lane.span[1])
        state = "fixed" if lane.resolved and lane.span[1] <= lane.resolved else "open"
        parts.append(
            f'<rect x="{left:.1f}" y="{fail_y - 4}" width="{max(right - left, 2):.1f}" '
            f'height="8" rx="2" class="tl-span tl-span-{state}"/>'
        )
    fails = "".join(_cross(x, fail_y) for x in scale.marks(lane.failures))
    oks = "".join(_dot(x, ok_y) for x in scale.marks(lane.successes))
    if fails:
        parts.append(f'<path d="{fails}" class="tl-fail"/>')
    if oks:
        parts.append(f'<path d="{oks}" class="tl-ok"/>')
    if lane.resolved:
        parts.append(f'<path d="{_check(scale.x(lane.resolved), y)}" class="tl-fixed"/>')
    parts.append(
        f'<text x="{total_x:.1f}" y="{fail_y + 4}" class="tl-total">'
        f"{len(lane.failures)} / {len(lane.successes)}</text></g>"
    )
    return "".join(parts)


def _legend_svg(y: float, left: float) -> str:
    """What the shapes mean, drawn with the same shapes (colour is never the only cue)."""
    items: tuple[tuple[Callable[[float], str], str], ...] = (
        (lambda x: f'<path d="{_cross(x, y)}" class="tl-fail"/>', "failure"),
        (lambda x: f'<path d="{_dot(x, y)}" class="tl-ok"/>', "success in the lane's scope"),
        (
            lambda x: (
                f'<rect x="{x - 8}" y="{y - 4}" width="16" height="8" rx="2" '
                'class="tl-span tl-span-open"/>'
            ),
            "first to last failure",
        ),
        (lambda x: f'<path d="{_check(x, y - 9, 18)}" class="tl-fixed"/>', "verified fixed"),
    )
    out = []
    for shape, text in items:
        out.append(f'{shape(left)}<text x="{left + 14}" y="{y + 4}" class="tl-axis">{text}</text>')
        left += 30 + CHAR_WIDTH * len(text)
    return "".join(out)


def _timeline_svg(lanes: list[Lane], times: TimeFormatter) -> Markup | None:
    """The lanes as an inline SVG (every text escaped; long names cut in the middle, the
    whole name in the lane's title)."""
    moments = [m for lane in lanes for m in lane.moments()]
    if not moments:
        return None
    start, end = min(moments), max(moments)
    chars = max(len(text) for lane in lanes for text in (lane.subject, lane.cause))
    left = 6 + CHAR_WIDTH * min(chars, LABEL_CHARS) + 16
    total_x = TIMELINE_WIDTH - 64
    scale = _Scale(start, end, left + 6, total_x - 16)
    top = 22
    bottom = top + LANE_HEIGHT * len(lanes)
    height = bottom + 56
    out = [
        f'<svg class="timeline" viewBox="0 0 {TIMELINE_WIDTH} {height}" role="img" '
        'aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="timeline-title">Timeline of {len(lanes)} lane(s), '
        f"{escape(times.moment(min(moments).isoformat()))} to "
        f"{escape(times.moment(max(moments).isoformat()))} ({escape(times.zone_name)})</title>",
        f'<text x="{total_x:.1f}" y="14" class="tl-axis">✕ / ●</text>',
    ]
    for index in range(0, len(lanes), 2):
        out.append(
            f'<rect x="0" y="{top + index * LANE_HEIGHT}" width="{TIMELINE_WIDTH}" '
            f'height="{LANE_HEIGHT}" class="tl-stripe"/>'
        )
    for midnight in _midnights(start, end, times):
        x = scale.x(midnight)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom + 4}" class="tl-grid"/>'
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" class="tl-axis">'
            f"{escape(times.day(midnight.isoformat())[5:])}</text>"
        )
    for index, lane in enumerate(lanes):
        out.append(_lane_svg(lane, top + index * LANE_HEIGHT, scale, total_x))
    out.append(_legend_svg(bottom + 40, 14))
    out.append("</svg>")
    return Markup("".join(out))


def _timeline(
    document: dict[str, Any], identities: Identities, times: TimeFormatter
) -> dict[str, Any]:
    """A lane per problem, or per host identity when the problems are too many to read."""
    problems = problem_order(document["problems"])
    events = document["events"]["items"]
    if len(problems) <= TIMELINE_LANES:
        lanes, hidden, per = _problem_lanes(problems, events, identities, times), 0, "problem"
    else:
        (lanes, hidden), per = _host_lanes(problems, events, identities), "host"
    return {"svg": _timeline_svg(lanes, times) if lanes else None, "per": per, "hidden": hidden}


def _minute(iso: str | None, times: TimeFormatter) -> str:
    """A moment to the minute: enough to compare problems in the triage table."""
    return times.moment(iso)[:16] if iso else ""


def _triage(problems: list[dict[str, Any]], times: TimeFormatter) -> dict[str, Any]:
    return {
        "rows": [
            {
                **p,
                "status": p.get("status", "open"),
                "subject": problem_subject(p),
                "first": _minute(p["first_seen"], times),
                "last": _minute(p.get("last_failure") or p["last_seen"], times),
                "fixed": _minute(p.get("resolved_at"), times),
            }
            for p in problems[:TRIAGE_ROWS]
        ],
        "total": len(problems),
        "resolved": any(p.get("resolved_at") for p in problems),
    }


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
                "shown_events": p["events"][:EVENTS_PER_CARD],
                "shown_evidence": p["evidence"][:EVIDENCE_PER_CARD],
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
    events = document["events"]["items"]
    moments = [e["time"] for e in events if e["time"]]
    identities = _host_identities(document)
    problems = problem_order(document["problems"])
    open_problems = [p for p in problems if is_open(p)]
    groups = [
        _group(section, [p for p in open_problems if p["scope"] == section.scope], times)
        for section in SECTIONS
    ]
    groups.append(_group(RESOLVED_SECTION, problems[len(open_problems) :], times))
    return {
        "d": document,
        "times": times,
        "triage": _triage(problems, times),
        "groups": groups,
        "counts": {
            **verdict_counts(document),
            "events": len(events),
            "failures": sum(e["outcome"] == "failure" for e in events),
            "successes": sum(e["outcome"] == "success" for e in events),
            "first": min(moments, default=None),
            "last": max(moments, default=None),
            "problems": len(open_problems),
            "resolved": len(problems) - len(open_problems),
            "audit": len(document["audit"]),
        },
        "matrix": _matrix(events, identities),
        "timeline": _timeline(document, identities, times),
        "caps": {
            "events": EVENTS_PER_CARD,
            "evidence": EVIDENCE_PER_CARD,
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
    tasks = checklist({**document, "problems": named})
    steps = sum(len(owner.steps) for owner in tasks)
    shown, left = [], TRIAGE_ROWS
    for owner in tasks:
        if left <= 0:
            break
        owner.steps = owner.steps[:left]
        left -= len(owner.steps)
        shown.append(owner)
    return {
        "todo": shown,
        "todo_count": sum(1 for p in document["problems"] if p.get("fix")),
        "todo_hidden": steps - sum(len(owner.steps) for owner in shown),
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
    env = environment()
    style = template_text("report.css") + _print_footer(document, times)
    script = template_text("report.js")
    csp = (
        "default-src 'none'; "
        f"style-src '{csp_hash(style)}'; "
        f"script-src '{csp_hash(script)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    template = env.get_template("report.html.j2")
    return template.render(
        **view(document, times), style=Markup(style), script=Markup(script), csp=csp
    )
