"""Redaction learns the account an evidence line is about from its ``subject``, never from
the line's prose; a report written before evidence had a subject is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from evtdiag.cli.paths import command_paths
from evtdiag.errors import UsageError
from evtdiag.publish.redact import names_in, redact_document
from tests.publish.test_redact_matcher import attempt_row

KEY = b"k" * 32


def config(text: str, subject: str | None) -> dict[str, Any]:
    return {"kind": "config", "file": "web01/shadow", "line": 3, "text": text, "subject": subject}


def document(audit_evidence: list[dict[str, Any]], cause_evidence: list[dict[str, Any]]) -> dict:
    """A report of one problem (``alice`` on ``web01``) and one audit finding."""
    return {
        "schema": "evtdiag/2",
        "attempts": {"rows": [attempt_row("alice", "web01", "DC01")]},
        "problems": [
            {
                "account": "alice",
                "host": "web01",
                "dc": None,
                "evidence": cause_evidence,
                "causes": [{"evidence": cause_evidence}],
                "events": [],
            }
        ],
        "audit": [{"host": "web01", "evidence": audit_evidence}],
    }


def test_the_names_of_evidence_subjects_are_hidden() -> None:
    doc = document(
        [config("olduser: password locked", "olduser")],
        [config("CORP\\adm.jones is listed in PasswordPropDeny", "CORP\\adm.jones")],
    )
    found = set(names_in(doc))
    assert {("user", "olduser"), ("user", "adm.jones"), ("domain", "CORP")} <= found
    redacted, _ = redact_document(doc, KEY, command_paths)
    text = json.dumps(redacted).casefold()
    assert "olduser" not in text and "adm.jones" not in text and "corp" not in text


def test_the_prose_of_an_evidence_line_is_not_read_for_names() -> None:
    """A line that names an account without saying so in ``subject`` adds no name: what
    the diagnosis writes as prose is free to change wording."""
    doc = document([config("mallory: DES hash", None)], [])
    assert ("user", "mallory") not in set(names_in(doc))


def test_a_report_without_evidence_subjects_is_refused() -> None:
    """Reports written before ``subject`` existed: an account that only an evidence line
    names could not be found and would go out in clear, so the report is refused with
    what to do instead (docs/contract.md, Evidence)."""
    line = config("olduser: password locked", None)
    del line["subject"]
    doc = document([line], [config("alice: password locked", None) | {"line": 4}])
    with pytest.raises(UsageError, match=r"older evtdiag.*write the report again"):
        redact_document(doc, KEY, command_paths)
    line["subject"] = None  # the same report written now: redacted
    for item in doc["problems"][0]["evidence"]:
        assert "subject" in item
    redacted, _ = redact_document(doc, KEY, command_paths)
    assert "alice" not in json.dumps(redacted)


@pytest.mark.parametrize("field", ["host_configs", "config_warnings"])
def test_a_report_whose_configuration_names_are_not_data_is_refused(field: str) -> None:
    """A report written before ``host_configs`` and ``config_warnings`` carried their
    ``names``: a SYNC_USERS entry, a SYNC_HOSTS DC or an account only a warning names
    could not be found (Reliability v3, item 2)."""
    doc = document([], [])
    entry = {"name": "web01", "source": "hosts/web01", "aliases": []}
    if field == "config_warnings":
        entry = {"file": "hosts/web01/passwd", "line": 2, "message": "svc_payroll: uid ..."}
    doc[field] = [entry]
    with pytest.raises(UsageError, match=r"older evtdiag.*write the report again"):
        redact_document(doc, KEY, command_paths)
    entry["names"] = {"user": ["svc_payroll"]}
    redacted, _ = redact_document(doc, KEY, command_paths)
    assert "svc_payroll" not in json.dumps(redacted)
