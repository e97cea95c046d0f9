"""The timeline: one lane per problem (a host identity's when the problems are many),
drawn as an inline SVG.

It decides no scope: a problem's lane draws the failures of that problem the document
keeps (its first and last, ``events``) and the success that verified its fix
(``resolved_at``); a host's lane, the failures and successes of that host identity as
the document's ``host_lanes`` keep them (thinned to what the picture can draw).

Every text is escaped, long names are cut in the middle (the whole name is in the lane's
title), and marks of one kind closer than :data:`MARK_STEP` are drawn once, so that a
year of events stays a few hundred marks per lane.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from markupsafe import Markup, escape

from evtdiag.document import is_open, moment, problem_order
from evtdiag.render.html.identities import (
    Identities,
    subject_key,
)
from evtdiag.render.problems import middle_ellipsis, problem_subject
from evtdiag.render.terminal import printable
from evtdiag.render.timefmt import TimeFormatter

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


def _problem_lanes(problems: list[dict[str, Any]], times: TimeFormatter) -> list[Lane]:
    """A lane per problem: its failures, and the success that verified its fix (the
    document's ``resolved_at``, the first success in the problem's scope after its last
    failure, as the diagnosis decided it)."""
    lanes = []
    for problem in problems:
        failures = [m for ref in problem["events"] if (m := moment(ref["time"]))]
        first, last = moment(problem["first_seen"]), moment(problem["last_failure"])
        resolved = moment(problem["resolved_at"])
        subject = printable(problem_subject(problem))
        summary = printable(
            f"{subject}: {problem['cause']}, {problem['status']}. "
            f"{problem['event_count']} failure(s) "
            f"{times.span(problem['first_seen'], problem['last_failure'])}"
        )
        if resolved:
            summary += f"; verified fixed {times.moment(problem['resolved_at'])}"
        lanes.append(
            Lane(
                subject=subject,
                cause=printable(problem["cause"]),
                summary=summary,
                failures=failures,
                successes=[resolved] if resolved else [],
                span=(first, last) if first and last else None,
                resolved=resolved,
            )
        )
    return lanes


def _host_lanes(
    problems: list[dict[str, Any]], counted: dict[str, Any], identities: Identities
) -> tuple[list[Lane], int]:
    """Too many problems for a lane each: one lane per host identity, the hosts with the
    most failures first (the document's ``host_lanes``); returns the lanes and how many
    hosts were left out."""
    fixed: dict[str, datetime] = {}
    for problem in problems:
        host = subject_key(problem, identities)[1]
        resolved = moment(problem["resolved_at"])
        if host and resolved and not is_open(problem):
            fixed[host] = max(resolved, fixed.get(host, resolved))
    lanes = []
    for lane in counted["lanes"]:
        failures = [m for text in lane["failure_times"] if (m := moment(text))]
        if not failures:
            continue
        name = printable(lane["host"] or "(no host)")
        lanes.append(
            Lane(
                subject=name,
                cause="",
                summary=f"{name}: {lane['failures']} failure(s), {lane['successes']} success(es)",
                failures=failures,
                successes=[m for text in lane["success_times"] if (m := moment(text))],
                span=(min(failures), max(failures)),
                resolved=fixed.get(lane["host"]),
            )
        )
    return lanes, counted["hidden"] + len(counted["lanes"]) - len(lanes)


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


def _legend_svg(y: float, left: float, success: str) -> str:
    """What the shapes mean, drawn with the same shapes (colour is never the only cue);
    ``success``: what a dot is in these lanes."""
    items: tuple[tuple[Callable[[float], str], str], ...] = (
        (lambda x: f'<path d="{_cross(x, y)}" class="tl-fail"/>', "failure"),
        (lambda x: f'<path d="{_dot(x, y)}" class="tl-ok"/>', success),
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


def _timeline_svg(lanes: list[Lane], times: TimeFormatter, success: str) -> Markup | None:
    """The lanes as an inline SVG (every text escaped; long names cut in the middle, the
    whole name in the lane's title); ``success`` names the dots in the legend."""
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
    out.append(_legend_svg(bottom + 40, 14, success))
    out.append("</svg>")
    return Markup("".join(out))


SUCCESS_MARKS = {"problem": "success that verified a fix", "host": "success on the host"}
"""What a dot is, by what a lane is: a problem's lane shows the success the diagnosis
verified its fix by (the document lists no other success by problem); a host's, every
success on that host."""


def timeline(
    document: dict[str, Any], identities: Identities, times: TimeFormatter
) -> dict[str, Any]:
    """A lane per problem, or per host identity when the problems are too many to read."""
    problems = problem_order(document["problems"])
    if len(problems) <= TIMELINE_LANES:
        lanes, hidden, per = _problem_lanes(problems, times), 0, "problem"
    else:
        (lanes, hidden), per = _host_lanes(problems, document["host_lanes"], identities), "host"
    svg = _timeline_svg(lanes, times, SUCCESS_MARKS[per]) if lanes else None
    return {"svg": svg, "per": per, "hidden": hidden}
