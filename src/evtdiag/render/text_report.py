"""The report as terminal text: the verdict, a one-line-per-problem triage table, then
problems by scope, then the audit.

Bounded whatever the site's size (200,000 events, 15,000 problems: under 200 KB): the
triage lists the first :data:`~evtdiag.render.problems.TOP_PROBLEMS` lines by impact,
many problems of one cause as one group line, and says how many more there are; only
the problems it lists follow in full, and long lists of names are cut. ``--all``
(``every``) lists and details every problem.

Rendered from the JSON document (like the HTML), so every output shows the same data.
Every line goes through :func:`~evtdiag.render.terminal.printable_lines` as the text is
assembled; a value is escaped before that only where its escaped length matters (a
wrapped paragraph, an aligned column). The helpers that
order problems and read the verdict counts are shared with the HTML report, so that both
list the problems in one order and count the same things.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from typing import Any

from evtdiag.document import (
    failure_span,
    is_open,
    problem_order,
    resolution_text,
    triage_rows,
    verdict_counts,
)
from evtdiag.render.fix_kit import checklist, first_steps, retry_text
from evtdiag.render.problems import (
    NO_CONFIGURATIONS,
    RESOLVED_SECTION,
    SECTIONS,
    TOP_PROBLEMS,
    Entry,
    Listing,
    first_names,
    group_count,
    group_names,
    listing,
    middle_ellipsis,
    more_line,
    problem_subject,
)
from evtdiag.render.terminal import printable_line, printable_lines
from evtdiag.render.timefmt import TimeFormatter

WIDTH = 96
SUBJECT_CHARS = 40
"""A triage subject longer than this is cut in the middle (the full one follows below)."""


LONG_WORD = 512
"""A run of text without a space longer than this (a name, a path: nothing a sentence
holds) is cut in its middle before wrapping: :mod:`textwrap` breaks a long word by
copying what is left of it for every line, quadratic in its length (an 8 MB user name
took 12 s). JSON and HTML keep the whole name."""
_LONG_WORD = re.compile(rf"(?<!\S)\S{{{LONG_WORD + 1},}}")
"""Matched from a word's start only, so each character is read once."""


def wrap(text: str, indent: str) -> list[str]:
    """``text`` made printable on one line, its long words cut (see :data:`LONG_WORD`),
    wrapped to :data:`WIDTH` columns after ``indent``."""
    shown = _LONG_WORD.sub(lambda word: middle_ellipsis(word[0], LONG_WORD), printable_line(text))
    return textwrap.wrap(shown, WIDTH, initial_indent=indent, subsequent_indent=indent) or [indent]


def _evidence_line(item: dict[str, Any]) -> str:
    where = item.get("file") or ""
    if item.get("line"):
        where = f"{where}:{item['line']}"
    if item["kind"] == "event" and item.get("record_id") is not None:
        where = f"{where} record {item['record_id']}"
    prefix = {"config": "config", "event": "event", "absence": "missing"}.get(
        item["kind"], item["kind"]
    )
    place = f"{where}: " if where else ""
    return f"[{prefix}] {place}{item['text']}"


def _subject(problem: dict[str, Any]) -> str:
    parts = []
    if problem["account"]:
        parts.append(f"account {problem['account']}")
    if problem["host"]:
        parts.append(f"host {problem['host']}")
    if problem["dc"]:
        parts.append(f"through {problem['dc']}")
    return ", ".join(parts) or "(no subject)"


def _problem_lines(
    problem: dict[str, Any], times: TimeFormatter, group: Entry | None = None
) -> list[str]:
    """A problem in full; ``group``: the group it stands for, said under its subject."""
    lines = [f"  {problem['severity'].upper()}  {_subject(problem)}"]
    if group is not None:
        lines += wrap(f"the first of {group_count(group)} of this cause: {group_names(group)}",
                      "    ")  # fmt: skip
    lines.append(f"    cause: {problem['cause']} - {problem['title']} ({problem['basis']})")
    span = times.span(problem["first_seen"], problem["last_seen"])
    lines.append(f"    {problem['event_count']} event(s), {span}")
    if not is_open(problem):
        lines += wrap("resolved: " + resolution_text(problem, times), "    ")
    lines += wrap(f"why this scope: {problem['scope_reason']}", "    ")
    lines += wrap(" ".join(filter(None, (problem["explanation"], problem["detail"]))), "    ")
    lines.append("    evidence:")
    lines += [f"      {_evidence_line(item)}" for item in problem["evidence"]]
    others = problem["causes"][1:]
    if others:
        lines.append("    also: " + ", ".join(f"{c['cause']} ({c['basis']})" for c in others))
    lines += (
        _fix_lines(problem) if problem["fix"] else wrap(f"fix: {problem['remediation']}", "    ")
    )
    if problem["doc_url"] and problem["basis"] == "documented":
        lines.append(f"    doc: {problem['doc_url']}")
    return lines


PROMPTS = {"sh": "$", "powershell": "PS>", "cmd": "C:\\>"}
"""How a command shows which shell runs it."""


def _fix_lines(problem: dict[str, Any]) -> list[str]:
    """A problem's fix: per owner the step, its line edits (the diff, else the command),
    its commands and what makes them take effect; then the retry that verifies it."""
    fix = problem["fix"]
    lines = wrap(f"fix: {fix['summary']}", "    ")
    for step in fix["steps"]:
        lines += wrap(f"{step['owner']}: {step['action']}", "      ")
        for edit in step["edits"]:
            if edit["diff"]:
                lines += [f"        {printable_line(row)}" for row in edit["diff"].splitlines()]
            else:
                lines += _command_lines({"shell": "sh", "text": edit["command"], "note": ""})
        for command in step["commands"]:
            lines += _command_lines(command)
        if step["then"]:
            lines.append("        then:")
            lines += _command_lines(step["then"][0])
    lines += wrap(f"verify: {retry_text(fix['verify'])}", "      ")
    if fix["alternative"]:
        lines += wrap(f"or: {fix['alternative']}", "      ")
    return lines


def _command_lines(command: dict[str, Any]) -> list[str]:
    prompt = PROMPTS.get(command["shell"], ">")
    lines = [f"        {prompt} {row}" for row in printable_line(command["text"]).split("\\x0a")]
    if command["note"]:
        lines[-1] += f"   # {printable_line(command['note'])}"
    return lines


def _what_to_do_lines(document: dict[str, Any], every: bool) -> list[str]:
    """The checklist: each owner's steps, the most failing pairs first; the first
    :data:`TOP_PROBLEMS` of them unless ``every``."""
    tasks, hidden = first_steps(checklist(document), None if every else TOP_PROBLEMS)
    if not tasks:
        return []
    fixes = sum(1 for p in document["problems"] if p["fix"])
    lines = ["", f"What to do: {fixes} fix(es), by who must act (evtdiag fixes writes them out)"]
    for owner in tasks:
        lines.append(f"  {printable_line(owner.heading)}")
        for problem, step in owner.steps:
            subject = middle_ellipsis(printable_line(problem_subject(problem)), SUBJECT_CHARS)
            lines += wrap(f"[{problem['id']}] {subject}: {step['action']}", "    ")
    if hidden:
        lines.append(f"  and {hidden} more step(s): evtdiag fixes writes every one")
    return lines


def _triage_lines(shown: Listing, every: bool, times: TimeFormatter) -> list[str]:
    """One aligned line per triage entry (:func:`~evtdiag.document.triage_rows`, a
    subject with two causes is one row, grouped by
    :func:`~evtdiag.render.problems.listing`): a group's line counts its members, the
    next line names their largest subjects (and, with ``every``, its members follow);
    days only, the full times follow in the problems."""
    resolved = any(p["resolved_at"] for entry in shown.shown for p in entry.members)
    header = ["STATUS", "SEVERITY", "SCOPE", "SUBJECT", "CAUSE", "EVENTS", "FIRST .. LAST FAILURE"]
    table: list[tuple[list[str], str]] = [(header + (["RESOLVED"] if resolved else []), "")]
    for entry in shown.shown:
        if entry.is_group:
            table.append((_row(_group_row(entry), resolved, times, group_count(entry)),
                          group_names(entry)))  # fmt: skip
        if not entry.is_group or every:
            table += [(_row(row, resolved, times), "") for row in entry.members]
    columns = len(table[0][0])
    widths = [max(len(cells[column]) for cells, _ in table) for column in range(columns)]
    events = header.index("EVENTS")
    under = " " * (2 + sum(widths[:3]) + 2 * 3)  # the SUBJECT column
    lines = []
    for cells, names in table:
        lines.append(
            "  "
            + "  ".join(
                cell.rjust(width) if column == events else cell.ljust(width)
                for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )
        if names:
            lines.append(f"{under}— {printable_line(names)}")
    if shown.more:
        lines.append(f"  {more_line(shown.more, None)}")
    return lines


def _group_row(entry: Entry) -> dict[str, Any]:
    """A group as one triage row: its events added, its failures' times spanned."""
    first_seen, last_failure = failure_span(entry.members)
    return {
        **entry.first,
        "event_count": sum(p["event_count"] for p in entry.members),
        "first_seen": first_seen,
        "last_failure": last_failure,
    }


def _row(
    problem: dict[str, Any], resolved: bool, times: TimeFormatter, subject: str | None = None
) -> list[str]:
    row = [
        problem["status"],
        problem["severity"],
        problem["scope"],
        subject or middle_ellipsis(printable_line(problem_subject(problem)), SUBJECT_CHARS),
        problem["cause"],
        f"{problem['event_count']:,}",
        f"{_day(problem['first_seen'], times)} .. {_day(problem['last_failure'], times)}",
    ]
    row += [_day(problem["resolved_at"], times)] if resolved else []
    return [printable_line(cell) for cell in row]


def _day(iso: str | None, times: TimeFormatter) -> str:
    return times.day(iso) if iso else "?"


def _audit_lines(findings: Iterable[dict[str, Any]]) -> list[str]:
    lines = []
    for finding in findings:
        where = f" on {finding['host']}" if finding["host"] else ""
        lines.append(
            f"  {finding['severity'].upper()}  {finding['rule']}{where}: {finding['title']}"
        )
        lines += wrap(finding["explanation"], "    ")
        lines += [f"      {_evidence_line(item)}" for item in finding["evidence"]]
        lines += wrap(f"fix: {finding['remediation']}", "    ")
    return lines


def _in_full(shown: Listing, every: bool) -> dict[str, Entry | None]:
    """The ids of the problems shown in full, each with the group it stands for: every
    problem when ``every``; else those of the triage rows listed, a group by its first."""
    return {
        problem_id: entry if entry.is_group and not every else None
        for entry in shown.shown
        for row in (entry.members if every else entry.members[:1])
        for problem_id in row["grouped"]
    }


def _names(names: list[str], every: bool) -> str:
    """A list of names, its first :data:`TOP_PROBLEMS` unless ``every``."""
    return first_names(names, None if every else TOP_PROBLEMS)


def render_text(document: dict[str, Any], times: TimeFormatter, every: bool = False) -> str:
    """The report as plain text: bounded (see the module), or whole when ``every``."""
    events = document["events"]
    lines = [f"VERDICT: {document['verdict'].upper()}"]
    lines += wrap(" ".join(document["verdict_reasons"]), "  ")
    first, last = events["first_time"], events["last_time"]
    counts = verdict_counts(document)
    pairs = (
        f"{counts['pairs_open']} of {counts['pairs']} account-host pairs tried failing, "
        if counts["pairs"] is not None
        else ""
    )
    lines += wrap(
        f"{pairs}{counts['accounts_open']} of {counts['accounts']} accounts and "
        f"{counts['hosts_open']} of {counts['hosts']} hosts with an open problem; "
        f"{events['total']} PSync events, {events['outcomes'].get('failure', 0)} failures; "
        f"DCs: {', '.join(counts['dcs']) or '-'}; "
        f"{times.span(first, last)} ({times.zone_name})",
        "  ",
    )
    ordered = problem_order(document["problems"])
    problems = [p for p in ordered if is_open(p)]
    resolved = ordered[len(problems) :]
    shown = listing(triage_rows(ordered), every)
    if ordered:
        lines += ["", f"Problems: {len(problems)} open, {len(resolved)} resolved"]
        lines += _triage_lines(shown, every, times)
        lines += _what_to_do_lines(document, every)
    in_full = _in_full(shown, every)
    for section in (*SECTIONS, RESOLVED_SECTION):
        selected = (
            resolved
            if section is RESOLVED_SECTION
            else [p for p in problems if p["scope"] == section.scope]
        )
        full = [p for p in selected if p["id"] in in_full]
        if selected:
            heading = f"{section.heading} ({section.meaning}): {len(selected)}"
            heading += f", {len(full)} in full here" if len(full) < len(selected) else ""
            lines += ["", heading]
            for problem in full:
                lines += [*_problem_lines(problem, times, in_full[problem["id"]]), ""]
        if section is SECTIONS[-1] and not problems:
            lines += ["", "No open problems."]
    if document["audit"]:
        lines += ["", f"Best-practice audit: {len(document['audit'])} finding(s)"]
        lines += _audit_lines(document["audit"])
    if document["unmatched_hosts"] or not document["host_configs"]:
        lines += [
            "",
            "Hosts in the events without a configuration: "
            + (
                _names(document["unmatched_hosts"], every)
                if document["host_configs"]
                else NO_CONFIGURATIONS
            ),
        ]
    if document["unreferenced_hosts"]:
        lines += [
            "",
            "Configurations no event refers to: "
            + _names(document["unreferenced_hosts"], every),
        ]
    if document["notes"] or document["config_warnings"]:
        lines += ["", "Notes:"]
        lines += [line for note in document["notes"] for line in wrap(note, "  ")]
        for warning in document["config_warnings"]:
            where = f"{warning['file']}:{warning['line']}" if warning["line"] else warning["file"]
            lines.append(f"  warning: {where}: {warning['message']}")
    return printable_lines(lines).rstrip() + "\n"
