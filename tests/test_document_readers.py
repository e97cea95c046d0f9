"""What readers ask of a saved report beyond its fields, answered once by evtdiag.document:
open or resolved, counted or not, the listing order, a host's identity."""

from __future__ import annotations

import json
from typing import Any

from evtdiag.document import (
    SCOPES,
    counted_in,
    host_identities,
    host_identity,
    is_open,
    load,
    problem_order,
    resolution_text,
    verdict_counts,
)
from evtdiag.render.problems import SECTIONS
from evtdiag.render.timefmt import TimeFormatter


def _problem(pid: str, scope: str, **fields: Any) -> dict[str, Any]:
    return {"id": pid, "scope": scope, "account": "alice", "host": "web01", "dc": "DC1",
            "cause": "unexplained", "severity": "error", "basis": "inferred",
            "event_count": 1, "first_seen": "2026-01-01T10:00:00Z",
            "last_seen": "2026-01-02T10:00:00Z", "evidence": [], "remediation": "",
            **fields}  # fmt: skip


def _report(problems: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A report with the contract's fields only, as an older evtdiag wrote it."""
    document = {"schema": "evtdiag/1", "verdict": "failing", "inputs": [],
                "events": {"total": 0, "items": []}, "problems": problems, "audit": [],
                **fields}  # fmt: skip
    return load(json.dumps(document).encode(), "old.json")


def test_an_older_report_reads_as_open_problems_counted_by_spelling() -> None:
    document = _report([_problem("P-1", "pair"), _problem("P-2", "host", severity="info")])
    assert [is_open(p) for p in document["problems"]] == [True, True]
    assert [p["id"] for p in counted_in(document)] == ["P-1"]  # info is intended
    counts = verdict_counts(document)
    assert (counts["accounts_open"], counts["pairs"]) == (counts["accounts_failing"], None)


def test_problems_are_listed_in_the_order_of_the_renderers_sections() -> None:
    assert tuple(section.scope for section in SECTIONS) == SCOPES
    listed = [_problem("P-1", "pair"), _problem("P-2", "dc", status="resolved"),
              _problem("P-3", "account"), _problem("P-4", "host")]  # fmt: skip
    problems = _report(listed)["problems"]
    assert [p["id"] for p in problem_order(problems)] == ["P-4", "P-3", "P-1", "P-2"]


def test_a_host_is_named_by_the_report_else_by_its_folded_short_name() -> None:
    before = _report([], host_identities=[{"host": "app7", "identity": "web01"}])
    after = _report([], host_identities=[{"host": "app7", "identity": "app7"}])
    identities = host_identities(before, after)
    assert host_identity("app7", identities) == "app7"  # the later report wins
    assert host_identity("WEB01.corp.example.com", identities) == "web01"
    assert host_identity("web01", identities) == "web01"  # one host, not two rows
    assert host_identity("10.0.0.5", {}) == "10.0.0.5"  # an IP stays whole
    assert host_identity(None, identities) == ""


def test_the_resolution_names_the_success_that_verified_it() -> None:
    verified = {"kind": "event", "file": "a.evtx", "line": None, "text": "success of bob"}
    problem = _report([_problem("P-1", "pair", status="resolved",
                                resolved_at="2026-01-03T09:00:00Z",
                                verified_by=verified)])["problems"][0]  # fmt: skip
    assert resolution_text(problem, TimeFormatter("UTC")) == (
        "last failure 2026-01-02 10:00:00, verified 2026-01-03 09:00:00 by success of bob"
    )
