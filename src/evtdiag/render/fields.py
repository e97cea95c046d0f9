"""Field-by-field JSON views of the model, shared by every JSON output.

Writing each field out by hand (rather than ``asdict``) keeps the JSON contract of
docs/contract.md visible in one place and stops internal fields from leaking into it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from evtdiag.event_summary import iso
from evtdiag.model import ConfigWarning, Evidence, InputCoverage, PsyncEvent, Skipped

if TYPE_CHECKING:  # the diagnosis is not imported to list events (`evtdiag events`)
    from evtdiag.diagnose.model import AuditFinding, Cause, Command, EventRef, Fix, Problem


def names_by_kind(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """(kind, name) pairs as the report writes them: a list of names per kind, so that
    a host of thousands of accounts adds a line per name, not five."""
    grouped: dict[str, list[str]] = {}
    for kind, name in pairs:
        grouped.setdefault(kind, []).append(name)
    return grouped


def skipped_json(skip: Skipped) -> dict[str, Any]:
    place = skip.place
    return {
        "file": place.file,
        "chunk": place.chunk,
        "offset": place.offset,
        "record_id": place.record_id,
        "line": place.line,
        "reason": skip.reason,
        "lost": skip.lost,
    }


def input_json(coverage: InputCoverage) -> dict[str, Any]:
    """One entry of ``inputs`` (contract: docs/contract.md, ``inputs``)."""
    return {
        "path": coverage.path,
        "sha256": coverage.sha256,
        "format": coverage.format,
        "size": coverage.size,
        "records": coverage.records,
        "psync_events": coverage.psync_events,
        "skipped": [skipped_json(skip) for skip in coverage.skipped],
        "dirty": coverage.dirty,
        "first_time": iso(coverage.first_time),
        "last_time": iso(coverage.last_time),
        "computers": list(coverage.computers),
        "duplicates": coverage.duplicates,
        "origins": dict(coverage.origins),
        "note": coverage.note,
    }


def event_json(event: PsyncEvent) -> dict[str, Any]:
    record = event.record
    return {
        "time": iso(event.time),
        "dc": event.dc,
        "event_id": event.event_id,
        "qualifiers": record.qualifiers,
        "kind": event.kind,
        "outcome": event.outcome.value,
        "user": event.user,
        "host": event.host,
        "source": record.source,
        "record_id": record.record_id,
        "provider": record.provider,
        "channel": record.channel,
        "level": record.level,
        "data": list(record.data),
        "unverified": record.unverified,
        "message_derived": event.message_derived,
        "provenance": event.provenance,
    }


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    item: dict[str, Any] = {
        "kind": evidence.kind,
        "file": evidence.file,
        "line": evidence.line,
        "text": evidence.text,
    }
    if evidence.kind == "event":
        item["record_id"] = evidence.record_id
        item["xml"] = evidence.xml
    else:
        item["subject"] = evidence.subject
    return item


def cause_json(cause: Cause) -> dict[str, Any]:
    return {
        "cause": cause.code,
        "title": cause.title,
        "basis": cause.basis,
        "severity": cause.severity,
        "explanation": cause.explanation,
        "detail": cause.detail,
        "remediation": cause.remediation,
        "doc_url": cause.doc_url,
        "evidence": [evidence_json(e) for e in cause.evidence],
    }


def event_ref_json(ref: EventRef) -> dict[str, Any]:
    return {
        "source": ref.source,
        "record_id": ref.record_id,
        "time": iso(ref.time),
        "dc": ref.dc,
        "event_id": ref.event_id,
        "account": ref.account,
        "host": ref.host,
    }


def problem_json(problem: Problem) -> dict[str, Any]:
    """One entry of ``problems`` (contract fields first, then evtdiag's additions)."""
    cause = problem.cause
    return {
        "id": problem.id,
        "scope": problem.scope,
        "account": problem.account,
        "host": problem.host,
        "dc": problem.dc,
        "cause": cause.code,
        "severity": problem.severity,
        "basis": cause.basis,
        "event_count": problem.event_count,
        "first_seen": iso(problem.first_seen),
        "last_seen": iso(problem.last_seen),
        "status": problem.status,
        "last_failure": iso(problem.last_failure),
        "resolved_at": iso(problem.resolved_at),
        "evidence": [evidence_json(e) for e in cause.evidence],
        "remediation": cause.remediation,
        "title": cause.title,
        "explanation": cause.explanation,
        "detail": cause.detail,
        "doc_url": cause.doc_url,
        "scope_reason": problem.scope_reason,
        "verified_by": evidence_json(problem.verified_by) if problem.verified_by else None,
        "subject": dict(zip(("scope", "account", "host", "dc"), problem.subject, strict=True)),
        "cause_severity": cause.severity,
        "accounts": list(problem.accounts),
        "hosts": list(problem.hosts),
        "fix": fix_json(problem.fix) if problem.fix else None,
        # The first cause is the problem's own (its title, evidence... above): named only.
        "causes": [{"cause": cause.code}, *(cause_json(c) for c in problem.causes[1:])],
        "events": [event_ref_json(ref) for ref in problem.events],
    }


def fix_json(fix: Fix) -> dict[str, Any]:
    """A problem's ``fix``: its steps by owner, each line edit with its diff, and the
    retry that verifies it."""
    return {
        "summary": fix.summary,
        "steps": [
            {
                "owner": step.owner,
                "action": step.action,
                "edits": [
                    {
                        "file": edit.file,
                        "path": edit.path,
                        "line": edit.line,
                        "before": edit.before,
                        "after": edit.after,
                        "diff": edit.diff,
                        "command": edit.command,
                    }
                    for edit in step.edits
                ],
                "commands": [command_json(c) for c in step.commands],
                "then": [command_json(c) for c in step.then],
            }
            for step in fix.steps
        ],
        "verify": {
            "account": fix.verify.account,
            "host": fix.verify.host,
            "dc": fix.verify.dc,
            "success_ids": list(fix.verify.success_ids),
            "failure_ids": list(fix.verify.failure_ids),
        },
        "alternative": fix.alternative,
    }


def command_json(command: Command) -> dict[str, str]:
    return {"shell": command.shell, "text": command.text, "note": command.note}


def audit_json(finding: AuditFinding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "rule": finding.rule,
        "host": finding.host,
        "severity": finding.severity,
        "evidence": [evidence_json(e) for e in finding.evidence],
        "remediation": finding.remediation,
        "basis": finding.basis,
        "title": finding.title,
        "explanation": finding.explanation,
    }


def warning_json(warning: ConfigWarning) -> dict[str, Any]:
    return {
        "file": warning.place.file,
        "line": warning.place.line,
        "message": warning.message,
        "names": names_by_kind(warning.names),
    }
