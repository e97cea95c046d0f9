"""The report as terminal text: the verdict first, then problems by scope, then the audit.

Rendered from the JSON document (like the HTML), so every output shows the same data.
Every string that came from an input goes through :func:`printable`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

from evtdiag.render.fields import resolution_text, summary_counts
from evtdiag.render.terminal import printable
from evtdiag.render.timefmt import TimeFormatter

SCOPES = (
    ("host", "Per-host problems (one host refuses many accounts)"),
    ("account", "Per-account problems (one account is refused everywhere)"),
    ("dc", "Per-DC problems (one DC fails where another works)"),
    ("pair", "Per-pair problems (one account on one host)"),
)
WIDTH = 96


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        printable(text), WIDTH, initial_indent=indent, subsequent_indent=indent
    ) or [indent]


def _evidence_line(item: dict[str, Any]) -> str:
    where = item.get("file") or ""
    if item.get("line"):
        where = f"{where}:{item['line']}"
    if item["kind"] == "event" and item.get("record_id") is not None:
        where = f"{where} record {item['record_id']}"
    prefix = {"config": "config", "event": "event", "absence": "missing"}.get(
        item["kind"], item["kind"]
    )
    return f"[{prefix}] {printable(where) + ': ' if where else ''}{printable(item['text'])}"


def _subject(problem: dict[str, Any]) -> str:
    parts = []
    if problem["account"]:
        parts.append(f"account {problem['account']}")
    if problem["host"]:
        parts.append(f"host {problem['host']}")
    if problem["dc"]:
        parts.append(f"through {problem['dc']}")
    return printable(", ".join(parts) or "(no subject)")


def _problem_lines(problem: dict[str, Any], times: TimeFormatter) -> list[str]:
    lines = [
        f"  {problem['severity'].upper()}  {_subject(problem)}",
        f"    cause: {problem['cause']} - {problem['title']} ({problem['basis']})",
    ]
    span = times.span(problem["first_seen"], problem["last_seen"])
    lines.append(f"    {problem['event_count']} event(s), {span}")
    if problem.get("status") == "resolved":
        lines += _wrap("resolved: " + resolution_text(problem, times), "    ")
    lines += _wrap(f"why this scope: {problem['scope_reason']}", "    ")
    lines += _wrap(" ".join(filter(None, (problem["explanation"], problem["detail"]))), "    ")
    lines.append("    evidence:")
    lines += [f"      {_evidence_line(item)}" for item in problem["evidence"]]
    others = problem["causes"][1:]
    if others:
        lines.append("    also: " + ", ".join(f"{c['cause']} ({c['basis']})" for c in others))
    lines += _wrap(f"fix: {problem['remediation']}", "    ")
    if problem["doc_url"] and problem["basis"] == "documented":
        lines.append(f"    doc: {problem['doc_url']}")
    return lines


def _audit_lines(findings: Iterable[dict[str, Any]]) -> list[str]:
    lines = []
    for finding in findings:
        where = f" on {printable(finding['host'])}" if finding["host"] else ""
        lines.append(
            f"  {finding['severity'].upper()}  {finding['rule']}{where}: {finding['title']}"
        )
        lines += _wrap(finding["explanation"], "    ")
        lines += [f"      {_evidence_line(item)}" for item in finding["evidence"]]
        lines += _wrap(f"fix: {finding['remediation']}", "    ")
    return lines


def render_text(document: dict[str, Any], times: TimeFormatter) -> str:
    """The whole report as plain text."""
    events = document["events"]["items"]
    failures = [e for e in events if e["outcome"] == "failure"]
    lines = [f"VERDICT: {document['verdict'].upper()}"]
    lines += _wrap(" ".join(document["verdict_reasons"]), "  ")
    first = min((e["time"] for e in events if e["time"]), default=None)
    last = max((e["time"] for e in events if e["time"]), default=None)
    counts = summary_counts(document)
    lines += _wrap(
        f"{len(events)} PSync events, {len(failures)} failures, "
        f"{counts['accounts_failing']} accounts and {counts['hosts_failing']} hosts affected; "
        f"DCs: {', '.join(counts['dcs']) or '-'}; "
        f"{times.span(first, last)} ({times.zone_name})",
        "  ",
    )
    problems = [p for p in document["problems"] if p.get("status", "open") == "open"]
    resolved = [p for p in document["problems"] if p.get("status") == "resolved"]
    for scope, heading in SCOPES:
        selected = [p for p in problems if p["scope"] == scope]
        if selected:
            lines += ["", f"{heading}: {len(selected)}"]
            for problem in selected:
                lines += [*_problem_lines(problem, times), ""]
    if not problems:
        lines += ["", "No open problems."]
    if resolved:
        lines += [
            "",
            f"Resolved problems (fixed, and verified by a later success): {len(resolved)}",
        ]
        for problem in resolved:
            lines += [*_problem_lines(problem, times), ""]
    if document["audit"]:
        lines += ["", f"Best-practice audit: {len(document['audit'])} finding(s)"]
        lines += _audit_lines(document["audit"])
    if document["unmatched_hosts"]:
        lines += [
            "",
            "Hosts in the events without a configuration: "
            + printable(", ".join(document["unmatched_hosts"])),
        ]
    if document["unreferenced_hosts"]:
        lines += [
            "",
            "Configurations no event refers to: "
            + printable(", ".join(document["unreferenced_hosts"])),
        ]
    if document["notes"] or document["config_warnings"]:
        lines += ["", "Notes:"]
        lines += [line for note in document["notes"] for line in _wrap(note, "  ")]
        for warning in document["config_warnings"]:
            where = f"{warning['file']}:{warning['line']}" if warning["line"] else warning["file"]
            lines.append(f"  warning: {printable(where)}: {printable(warning['message'])}")
    return "\n".join(lines).rstrip() + "\n"
