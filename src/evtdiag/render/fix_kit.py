"""The fixes of a report document, as the ticket needs them.

:func:`checklist` is the "What to do" list every report shows: the open problems' fix
steps grouped by who must act (the Windows admins; the admins of each UNIX host), the
most failing pairs first. :func:`fix_kit` is what ``evtdiag fixes`` writes: one patch
and one script per UNIX host, ``windows.ps1`` and ``VERIFY.md``. Both arrange the
``fix`` of each problem of the document and add nothing to it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from evtdiag.document import impact_order
from evtdiag.logs.providers import EXPORT_COMMANDS
from evtdiag.render.problems import problem_subject

WINDOWS = "windows"
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass
class OwnerTasks:
    """What one owner does: the steps of each problem, in the order of the checklist."""

    owner: str
    steps: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    """(problem, step) pairs."""

    @property
    def heading(self) -> str:
        if self.owner == WINDOWS:
            return "Windows (AD and IDMU admins)"
        host = self.owner.removeprefix("unix:")
        return "every UNIX host" if host == "*" else f"UNIX host {host}"


def checklist(document: dict[str, Any]) -> list[OwnerTasks]:
    """Every fix step of the open problems, grouped by owner: Windows first, then each
    UNIX host in the order its first step comes; within an owner, by impact."""
    owners: dict[str, OwnerTasks] = {}
    for problem in impact_order(p for p in document["problems"] if p["fix"]):
        for step in problem["fix"]["steps"]:
            owners.setdefault(step["owner"], OwnerTasks(step["owner"])).steps.append(
                (problem, step)
            )
    return sorted(owners.values(), key=lambda tasks: tasks.owner != WINDOWS)


def first_steps(tasks: list[OwnerTasks], limit: int | None) -> tuple[list[OwnerTasks], int]:
    """The owners of the first ``limit`` steps of ``tasks`` (a :func:`checklist`), each
    with those steps only, and how many steps are left out: what a report shows of a
    checklist of thousands (``evtdiag fixes`` writes every one). None: every step."""
    if limit is None:
        return tasks, 0
    shown, left = [], limit
    for owner in tasks:
        if left <= 0:
            break
        shown.append(OwnerTasks(owner.owner, owner.steps[:left]))
        left -= len(shown[-1].steps)
    total, kept = (sum(len(owner.steps) for owner in group) for group in (tasks, shown))
    return shown, total - kept


def file_stem(owner: str) -> str:
    """A file name for an owner's files that no host name can turn into a path: the
    name itself when it is plain, else a digest of it."""
    host = owner.removeprefix("unix:")
    if _SAFE_NAME.fullmatch(host) and host not in (".", ".."):
        return host
    return "host-" + hashlib.sha256(host.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def retry_text(retry: dict[str, Any]) -> str:
    """The password change that verifies a fix, and the events that tell."""
    target = f"{retry['account'] or 'any account'}"
    if retry["host"]:
        target += f" towards {retry['host']}"
    if retry["dc"]:
        target += f" through {retry['dc']}"
    success = (
        f"event {', '.join(map(str, retry['success_ids']))}"
        if retry["success_ids"]
        else "a 'Successfully changed password' event"
    )
    failures = ", ".join(map(str, retry["failure_ids"]))
    return f"change the password of {target}; {success} shows it fixed" + (
        f", event {failures} that it is not yet" if failures else ""
    )


def fix_kit(document: dict[str, Any]) -> dict[str, str]:
    """File name -> text: ``VERIFY.md``, ``windows.ps1`` when Windows has steps, and per
    UNIX host ``<host>.patch`` (when it has quotable line edits) and ``<host>.sh``."""
    tasks = checklist(document)
    files = {"VERIFY.md": _verify(document)}
    for owner in tasks:
        if owner.owner == WINDOWS:
            files["windows.ps1"] = _powershell(owner)
            continue
        stem = file_stem(owner.owner)
        quoted = _quoted(owner)
        if quoted:
            files[f"{stem}.patch"] = _patch(quoted, owner.owner.removeprefix("unix:"))
        files[f"{stem}.sh"] = _shell(owner, stem, quoted)
    return files


def kit_text(files: dict[str, str]) -> str:
    """The kit as one text, each file under a ``==> name <==`` line (as ``tail`` shows
    several files)."""
    return "\n".join(f"==> {name} <==\n{text}" for name, text in files.items())


# -- the patch of a host -----------------------------------------------------------------


def _quoted(tasks: OwnerTasks) -> dict[str, dict[int, dict[str, Any]]]:
    """The line edits the host's patch holds, by file and line: those that can be quoted,
    the first of any two that change one line (the script makes the other)."""
    quoted: dict[str, dict[int, dict[str, Any]]] = {}
    for _problem, step in tasks.steps:
        for edit in step["edits"]:
            if edit["diff"]:
                quoted.setdefault(edit["path"], {}).setdefault(edit["line"], edit)
    return quoted


def _patch(quoted: dict[str, dict[int, dict[str, Any]]], host: str) -> str:
    """The quoted line edits as one unified diff, a file at a time, hunks in line order."""
    if not quoted:
        return ""
    parts = [
        f"evtdiag fixes for UNIX host {host}: {', '.join(quoted)}\n"
        "Apply in the host's collected folder, or on the host in / (files under etc/) or\n"
        "/etc (files at the folder's top), after reading it:  patch -p1 < THIS.patch\n\n"
    ]
    for path, by_line in quoted.items():
        parts.append(f"--- a/{path}\n+++ b/{path}\n")
        for line in sorted(by_line):
            diff = by_line[line]["diff"]
            parts.append(diff[diff.index("@@") :])
    return "".join(parts)


# -- the scripts ---------------------------------------------------------------------------


def _shell(tasks: OwnerTasks, stem: str, quoted: dict[str, dict[int, dict[str, Any]]]) -> str:
    """The host's commands, one block per problem; a line edit the patch holds is named,
    any other is its command."""
    host = tasks.owner.removeprefix("unix:")
    lines = [
        "#!/bin/sh",
        f"# evtdiag fixes for UNIX host {_comment(host)}: one block per problem.",
        "# Read every block; run the commands as root, one at a time.",
        'echo "Read this script first, then run its commands by hand." >&2; exit 1',
        "",
    ]
    if quoted:
        lines += [f"# The line edits are in {stem}.patch:", f"#   patch -p1 < {stem}.patch", ""]
    in_patch = {id(edit) for by_line in quoted.values() for edit in by_line.values()}
    restarts: list[dict[str, Any]] = []
    for problem, step in tasks.steps:
        lines.append(f"# -- {problem['id']}: {_comment(problem_subject(problem))}")
        lines.append(f"# {_comment(step['action'])}")
        for edit in step["edits"]:
            if id(edit) in in_patch:
                lines.append(f"# (line {edit['line']} of {edit['path']}: in the patch)")
            else:
                lines.append(
                    f"# line {edit['line']} of {edit['path']} to read: {_comment(edit['after'])}"
                )
                lines.append(edit["command"])
        for command in step["commands"]:
            if command["note"]:
                lines.append(f"# {_comment(command['note'])}")
            lines.append(command["text"] if command["shell"] == "sh" else f"# {command['text']}")
        restarts = restarts or step["then"]
        lines.append("")
    if restarts:
        lines.append("# -- then, once: make ssod read sso.conf again")
        for command in restarts:
            lines.append(f"# {_comment(command['note'])}")
            lines.append(command["text"])
    return "\n".join(lines) + "\n"


def _powershell(tasks: OwnerTasks) -> str:
    lines = [
        "# evtdiag fixes for the Windows side (AD and IDMU admins): one block per problem.",
        "# Read every block; run its commands in an elevated Windows PowerShell 5.1 on a DC.",
        'Write-Warning "Read this script first, then run its commands by hand."; return',
        "",
    ]
    for problem, step in tasks.steps:
        lines.append(f"# -- {problem['id']}: {_comment(problem_subject(problem))}")
        lines.append(f"# {_comment(step['action'])}")
        for command in step["commands"]:
            if command["shell"] == "powershell":
                if command["note"]:
                    lines.append(f"# {_comment(command['note'])}")
                lines.append(command["text"])
            else:
                lines.append(f"# or in cmd.exe ({_comment(command['note'])}): {command['text']}")
        lines.append("")
    return "\n".join(lines)


def _verify(document: dict[str, Any]) -> str:
    """The retries to make after the fixes, and what to send back."""
    ids = document["success_ids"]
    success = (
        f'event {", ".join(map(str, ids))} ("Successfully changed password")'
        if ids
        else 'a "Successfully changed password" event (its id is not known from these logs)'
    )
    lines = [
        "# Verify the fixes",
        "",
        "After each fix, change the password of the account named (in Windows, through the DC",
        f"named when there is one) and look for {success} naming the host.",
        "The failure events listed mean it is not fixed yet.",
        "",
        "| problem | retry | not fixed yet while |",
        "|---|---|---|",
    ]
    for problem in impact_order(p for p in document["problems"] if p["fix"]):
        retry = problem["fix"]["verify"]
        target = f"{retry['account'] or 'any account'} on {retry['host'] or 'any host'}"
        if retry["dc"]:
            target += f" through {retry['dc']}"
        failures = ", ".join(map(str, retry["failure_ids"])) or "-"
        lines.append(f"| {problem['id']} | {_cell(target)} | event {failures} |")
    lines += [
        "",
        "## Send back",
        "",
        "The PSync events of every DC since the fixes (on each DC, in cmd.exe):",
        "",
        *(f"    {command}" for command in EXPORT_COMMANDS),
        "",
        "evtdiag then tells what is fixed, still failing, or not yet tried:",
        "",
        "    evtdiag report *-psync.evtx --hosts ... --format json -o after.json",
        "    evtdiag compare before.json after.json",
        "",
    ]
    return "\n".join(lines)


def _comment(text: str) -> str:
    """``text`` on one line: inside a comment, a line break would start a command."""
    return " ".join(str(text).split())


def _cell(text: str) -> str:
    return _comment(text).replace("|", "\\|")
