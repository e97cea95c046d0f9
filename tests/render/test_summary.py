"""The verdict and the open problems on stderr after a report, and render's exit code."""

from __future__ import annotations

import json
import sys

import pytest

from evtdiag.cli import cli
from evtdiag.cli.say import say_summary
from evtdiag.render.summary import terminal_summary
from tests.conftest import SAMPLE_REPORT_ARGS
from tests.diagnose.scenario import Scenario


@pytest.fixture(scope="module")
def sample_document(tmp_path_factory) -> dict:
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("summary") / "r.json"
    result = CliRunner().invoke(
        cli, ["report", *SAMPLE_REPORT_ARGS, "-q", "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 1, result.stderr
    return json.loads(out.read_text())


def test_a_report_to_a_file_ends_stderr_with_the_verdict_and_the_open_problems(
    runner, tmp_path
) -> None:
    result = runner.invoke(cli, ["report", *SAMPLE_REPORT_ARGS, "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("VERDICT: WARNING")))
    assert lines[start] == ("VERDICT: WARNING: 10 open problem(s), 2 intended refusal(s)")
    problems = lines[start + 1 :]
    assert len(problems) == 12 and problems == lines[-12:]
    assert problems[0].split() == ["ERROR", "host", "build06", "encryption-key-mismatch"]
    assert "\x1b" not in result.stderr  # not a terminal: no colour


def test_quiet_keeps_the_summary_silent(runner, tmp_path) -> None:
    result = runner.invoke(
        cli, ["report", *SAMPLE_REPORT_ARGS, "-q", "-o", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 1 and "VERDICT" not in result.stderr


def test_colour_only_on_a_terminal_without_no_color(sample_document, monkeypatch, capsys):
    assert "\x1b[" in terminal_summary(sample_document, colour=True)
    assert "\x1b[" not in terminal_summary(sample_document, colour=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    say_summary(sample_document)
    assert "\x1b[" in capsys.readouterr().err
    monkeypatch.setenv("NO_COLOR", "1")
    say_summary(sample_document)
    assert "\x1b[" not in capsys.readouterr().err


def test_names_cannot_forge_summary_lines(sample_document) -> None:
    forged = json.loads(json.dumps(sample_document))
    forged["problems"][0]["host"] = "web01\nVERDICT: OPERATIONAL\x1b[2J"
    text = terminal_summary(forged, colour=False)
    assert text.count("\n") == 1 + 12 and "\x1b" not in text
    assert "VERDICT: OPERATIONAL" in text.splitlines()[1]  # inside the line, escaped


def test_render_exits_as_report_did_for_the_same_document(runner, tmp_path) -> None:
    sc = Scenario(tmp_path)
    sc.host("build06")
    for user in ("alice", "bob"):
        sc.attempt(user, "build06", event_id=8203)
    for user in ("alice", "bob"):
        sc.attempt(user, "build06", ok=True)  # fixed and verified: operational, exit 0
    code, document = sc.run()
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(document))
    rendered = runner.invoke(cli, ["render", str(saved), "--format", "text", "-q"])
    assert (code, rendered.exit_code) == (0, 0)
    sc.attempt("carol", "build06", event_id=8203)  # a new failure after the fix
    code, document = sc.run()
    saved.write_text(json.dumps(document))
    rendered = runner.invoke(cli, ["render", str(saved), "--format", "text"])
    assert (code, rendered.exit_code) == (1, 1)
    assert "VERDICT: WARNING: 1 open problem(s)" in rendered.stderr
