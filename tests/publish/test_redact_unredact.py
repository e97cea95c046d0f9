"""``unredact`` decodes every pseudonym redaction wrote, including those next to a ``-``:
a SYNC_USERS exclusion (``-user-7f3a``) and file names (``dc-706f-Application.evtx``)
(Reliability v2, item 15)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.cli.paths import command_paths
from evtdiag.publish.redact import mapping_document, redact_document
from evtdiag.publish.unredact import unredact
from tests.publish.test_redact_matcher import attempt_row

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
        "attempts": {"rows": [attempt_row("alice", "web01", "DC01")]},
        "inputs": [{"path": "logs/DC01-Application.evtx", "computers": ["DC01"]}],
        "notes": ["sso.conf:3: SYNC_USERS=-alice,+bob on web01"],
    }
    redacted, redactor = redact_document(document, b"k" * 32, command_paths)
    text = json.dumps(redacted)
    assert "alice" not in text and "DC01" not in text
    mapping = tmp_path / "r.redaction.json"
    mapping.write_text(json.dumps(mapping_document(redactor)))
    result = CliRunner().invoke(cli, ["unredact", str(mapping), text])
    assert result.exit_code == 0, result.output
    decoded = json.loads(result.stdout)
    assert decoded["inputs"][0]["path"] == "logs/DC01-Application.evtx"
    assert decoded["notes"] == document["notes"]


def _mapping_file(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "m.redaction.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"format": "evtdiag-redaction/1", "mapping": None}, "no 'mapping' object"),
        ({"mapping": ["user-1a2b", "alice"]}, "no 'mapping' object"),
        ([1, 2], "no 'mapping' object"),
        ({"mapping": {"": "alice"}}, "'' is not a pseudonym"),
        ({"mapping": {"\x1b]0;PWNED\x07": "alice"}}, "'\\x1b]0;PWNED\\x07' is not a pseudonym"),
        ({"mapping": {"user-1a2b": ""}}, "the name of user-1a2b is not a non-empty text"),
        ({"mapping": {"user-1a2b": None}}, "the name of user-1a2b is not a non-empty text"),
        ("{" * 100_000, "not JSON"),
        ("\xff\xfe{", "not JSON"),
    ],
)
def test_a_damaged_mapping_is_refused_in_one_line(tmp_path: Path, content, message) -> None:
    """Reliability v3 (minor): ``"mapping": null`` was a traceback (exit 4); a key that is
    no pseudonym (empty, or a terminal escape) was used as one."""
    result = CliRunner().invoke(cli, ["unredact", str(_mapping_file(tmp_path, content)), "x"])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "\x1b" not in result.stderr


def test_a_name_with_terminal_escapes_is_put_back_escaped(tmp_path: Path) -> None:
    """Names come from strangers' logs: one holding ESC sequences must not reach the
    terminal raw when it is put back."""
    path = _mapping_file(tmp_path, {"mapping": {"user-1a2b": "al\x1b]0;PWNED\x07ice"}})
    result = CliRunner().invoke(cli, ["unredact", str(path), "user-1a2b failed"])
    assert result.exit_code == 0 and result.stdout == "al\\x1b]0;PWNED\\x07ice failed\n"


def test_standard_input_that_is_not_utf8_is_decoded_as_a_file_is(tmp_path: Path) -> None:
    path = _mapping_file(tmp_path, {"mapping": {"user-1a2b": "alice"}})
    result = CliRunner().invoke(cli, ["unredact", str(path)], input=b"\xff user-1a2b\n")
    assert result.exit_code == 0 and result.stdout == "\ufffd alice\n"


def test_closed_standard_input_is_a_usage_error(tmp_path: Path) -> None:
    path = _mapping_file(tmp_path, {"mapping": {"user-1a2b": "alice"}})
    evtdiag = Path(sys.executable).with_name("evtdiag")
    done = subprocess.run(
        ["sh", "-c", f'"{evtdiag}" unredact "{path}" <&-'], capture_output=True, text=True
    )
    assert done.returncode == 2, done.stderr
    assert "standard input cannot be read" in done.stderr and "Traceback" not in done.stderr


def test_spellings_that_differ_in_case_decode_to_their_own_spelling() -> None:
    """Redaction keeps the case pattern of each spelling (``KSmith`` -> ``USer-…``); each
    pseudonym decodes to the spelling it replaced, another case of it to the first."""
    mapping = {"USer-a277": "KSmith", "user-a277": "ksmith", "user-a277~2": "kSMITh"}
    text = "Windows sends 'USer-a277', the UNIX account is 'user-a277'; user-a277~2, User-A277"
    assert unredact(text, mapping) == (
        "Windows sends 'KSmith', the UNIX account is 'ksmith'; kSMITh, ksmith"
    )
