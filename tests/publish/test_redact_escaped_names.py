"""Redaction finds names as the document writes them: the raw event XML in its strings
escapes ``&``, ``<``, ``>`` (and ``"`` in attributes), and ``&`` is legal in a Windows
account name (Reliability v2, item 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evtdiag.cli.paths import command_paths
from evtdiag.publish.name_matcher import NameMatcher, replace
from evtdiag.publish.redact import redact_document
from tests.hosts.scenario import reports, write_psync_log

KEY = b"k" * 32


@pytest.mark.parametrize(
    ("name", "written", "expected"),
    [
        ("r&d_svc", "<Data>r&amp;d_svc</Data>", "<Data>{}</Data>"),
        ("r&d_svc", '<Data Name="User">R&amp;D_SVC</Data>', '<Data Name="User">{}</Data>'),
        ("a<b>c", "<Data>a&lt;b&gt;c</Data>", "<Data>{}</Data>"),
        ('say"hi', '<Data Name="say&quot;hi">say"hi</Data>', '<Data Name="{0}">{0}</Data>'),
    ],
)
def test_names_are_found_as_xml_escapes_them(name: str, written: str, expected: str) -> None:
    evidence = {"kind": "event", "file": None, "line": None, "text": "", "xml": written}
    document = {"problems": [{"account": name, "host": "web01", "evidence": [evidence]}]}
    redacted, redactor = redact_document(document, KEY, command_paths)
    pseudonym = redactor.pseudonyms[name.casefold()]
    if "R&amp;D" in written:
        pseudonym = pseudonym.upper()  # the case pattern of the spelling replaced
    assert redacted["problems"][0]["evidence"][0]["xml"] == expected.format(pseudonym)


def test_an_escaped_spelling_is_still_only_a_whole_name() -> None:
    matcher = NameMatcher({"r&amp;d_svc": "user-1a2b"})
    text = "r&amp;d_svc2 xr&amp;d_svc r&amp;d_svc."
    assert replace(text, matcher.find(text)) == (
        "r&amp;d_svc2 xr&amp;d_svc user-1a2b."
    )


def test_redacted_reports_keep_no_name_with_an_ampersand(tmp_path: Path) -> None:
    log = write_psync_log(tmp_path / "dc01.evtx", ("r&d_svc", "alice"), "web01")
    (tmp_path / "hosts").mkdir()
    found = reports(log, tmp_path / "hosts", tmp_path, "--redact")
    for fmt, text in found.items():
        assert "user-" in text, fmt
        assert "r&d_svc" not in text and "r&amp;d_svc" not in text, fmt
        assert "r&amp;amp;d_svc" not in text, fmt  # the HTML of the raw XML
