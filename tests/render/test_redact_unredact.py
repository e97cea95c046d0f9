"""``unredact`` decodes every pseudonym redaction wrote, including those next to a ``-``:
a SYNC_USERS exclusion (``-user-7f3a``) and file names (``dc-706f-Application.evtx``)
(Reliability v2, item 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.render.redact import mapping_document, redact_document
from evtdiag.render.unredact import unredact

MAPPING = {"user-1a2b": "alice", "user-1a2b3c": "bob", "dc-706f": "DC01", "host-2c91": "web01"}
NOT_ALONE = "user-1a2b9 xuser-1a2b user-1a2b_x user-1a2b$"
"""Pseudonyms glued to name characters: some other word, left as it is."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SYNC_USERS=-user-1a2b +user-1a2b3c", "SYNC_USERS=-alice +bob"),
        ("logs/dc-706f-Application.evtx", "logs/DC01-Application.evtx"),
        ("ssod-host-2c91.log", "ssod-web01.log"),
        ("USER-1A2B.", "alice."),
        (NOT_ALONE, NOT_ALONE),
    ],
)
def test_pseudonyms_next_to_a_dash_are_decoded(text: str, expected: str) -> None:
    assert unredact(text, MAPPING) == expected


def test_what_redaction_wrote_decodes_to_the_original(tmp_path: Path) -> None:
    document = {
        "events": {"items": [{"user": "alice", "host": "web01", "dc": "DC01"}]},
        "inputs": [{"path": "logs/DC01-Application.evtx", "computers": ["DC01"]}],
        "notes": ["sso.conf:3: SYNC_USERS=-alice,+bob on web01"],
    }
    redacted, redactor = redact_document(document, b"k" * 32)
    text = json.dumps(redacted)
    assert "alice" not in text and "DC01" not in text
    mapping = tmp_path / "r.redaction.json"
    mapping.write_text(json.dumps(mapping_document(redactor)))
    result = CliRunner().invoke(cli, ["unredact", str(mapping), text])
    assert result.exit_code == 0, result.output
    decoded = json.loads(result.stdout)
    assert decoded["inputs"][0]["path"] == "logs/DC01-Application.evtx"
    assert decoded["notes"] == document["notes"]
