"""The few lines ``report`` and ``render`` end with on stderr: the verdict and the open
problems, so a report written to a file still answers on the terminal at once.

Every value from the document is escaped (:func:`~evtdiag.render.terminal.printable_line`)
when its cell is made, before any colour is added: the colours are the only escape
sequences the summary writes."""

from __future__ import annotations

from typing import Any

import click

from evtdiag.document import counted_in, is_open, problem_order
from evtdiag.model import next_step_text
from evtdiag.render.problems import FALLBACK_CAUSE, middle_ellipsis, problem_subject
from evtdiag.render.terminal import printable_line

SUBJECT_CHARS = 44
_SEVERITY_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}
_VERDICT_COLOURS = {"operational": "green", "warning": "yellow", "failing": "red"}


def terminal_summary(document: dict[str, Any], colour: bool) -> str:
    """The verdict line, then one line per open problem (severity, scope, subject, cause);
    ``colour`` adds ANSI colours (only for a terminal that wants them)."""
    problems = document["problems"]
    still = [p for p in problem_order(problems) if is_open(p)]
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
    for problem in still:
        severity = problem["severity"]
        shown = printable_line(severity.upper())
        subject = middle_ellipsis(printable_line(problem_subject(problem)), SUBJECT_CHARS)
        lines.append(
            f"  {_paint(f'{shown:<7}', _SEVERITY_COLOURS.get(severity), colour)} "
            f"{printable_line(problem['scope']):<{width}}  {subject:<{SUBJECT_CHARS}}  "
            f"{printable_line(problem['cause'])}"
        )
    unexplained = sum(1 for p in still if p["cause"] == FALLBACK_CAUSE and p["severity"] != "info")
    if unexplained and not document["host_configs"]:
        lines.append(next_step_text(unexplained, len(still) - intended))
    return "\n".join(lines) + "\n"


def _paint(text: str, colour_name: str | None, colour: bool, bold: bool = False) -> str:
    if not colour or colour_name is None:
        return text
    return click.style(text, fg=colour_name, bold=bold)
