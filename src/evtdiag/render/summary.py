"""The few lines ``report`` and ``render`` end with on stderr: the verdict and the open
problems, so a report written to a file still answers on the terminal at once. Few
whatever the site's size: the first :data:`~evtdiag.render.problems.TOP_PROBLEMS` lines
by impact, many problems of one cause as one group line, then how many more there are.

Every value from the document is escaped (:func:`~evtdiag.render.terminal.printable_line`)
when its cell is made, before any colour is added: the colours are the only escape
sequences the summary writes."""

from __future__ import annotations

from typing import Any

import click

from evtdiag.document import counted_in, impact_order, is_open
from evtdiag.model import next_step_text
from evtdiag.render.problems import (
    FALLBACK_CAUSE,
    group_line,
    listing,
    middle_ellipsis,
    more_line,
    problem_subject,
)
from evtdiag.render.terminal import printable_line

SUBJECT_CHARS = 44
_SEVERITY_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}
_VERDICT_COLOURS = {"operational": "green", "warning": "yellow", "failing": "red"}


def terminal_summary(
    document: dict[str, Any], colour: bool, *, every: bool = False, full_report: str | None = None
) -> str:
    """The verdict line, then one line per open problem (severity, scope, subject, cause)
    or group of them (:func:`~evtdiag.render.problems.listing`), the most failing pairs
    first: the first :data:`~evtdiag.render.problems.TOP_PROBLEMS`, or every one (and
    each member of a group under it) when ``every``; then how many more, pointing at
    ``full_report`` (the file that holds them) when there is one. ``colour`` adds ANSI
    colours (only for a terminal that wants them)."""
    problems = document["problems"]
    still = [p for p in impact_order(problems) if is_open(p)]
    intended = len(still) - len(counted_in(document))
    resolved = len(problems) - len(still)
    verdict = document["verdict"]
    head = f"VERDICT: {printable_line(verdict.upper())}: {len(still) - intended} open problem(s)"
    if intended:
        head += f", {intended} intended refusal(s)"
    if resolved:
        head += f", {resolved} resolved"
    lines = [_paint(head, _VERDICT_COLOURS.get(verdict), colour, bold=True)]
    width = max((len(printable_line(p["scope"])) for p in still), default=0)
    shown = listing(still, every)
    for entry in shown.shown:
        if entry.is_group:
            lines.append(_line(entry.first, printable_line(group_line(entry)), width, colour))
        if not entry.is_group or every:
            indent = "  " if entry.is_group else ""
            lines += [_problem_line(p, width, colour, indent) for p in entry.members]
    if shown.more:
        lines.append("  " + printable_line(more_line(shown.more, full_report)))
    unexplained = sum(1 for p in still if p["cause"] == FALLBACK_CAUSE and p["severity"] != "info")
    if unexplained and not document["host_configs"]:
        lines.append(next_step_text(unexplained, len(still) - intended))
    return "\n".join(lines) + "\n"


def _problem_line(problem: dict[str, Any], width: int, colour: bool, indent: str) -> str:
    subject = middle_ellipsis(printable_line(problem_subject(problem)), SUBJECT_CHARS)
    text = f"{indent}{subject:<{SUBJECT_CHARS}}  {printable_line(problem['cause'])}"
    return _line(problem, text, width, colour)


def _line(problem: dict[str, Any], text: str, width: int, colour: bool) -> str:
    """A listed line: the problem's severity and scope, then ``text``."""
    severity = problem["severity"]
    shown = printable_line(severity.upper())
    return (
        f"  {_paint(f'{shown:<7}', _SEVERITY_COLOURS.get(severity), colour)} "
        f"{printable_line(problem['scope']):<{width}}  {text}"
    )


def _paint(text: str, colour_name: str | None, colour: bool, bold: bool = False) -> str:
    if not colour or colour_name is None:
        return text
    return click.style(text, fg=colour_name, bold=bold)
