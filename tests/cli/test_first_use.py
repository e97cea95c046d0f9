"""Small defects a new user meets (issue 13, item 6), each pinned by a test."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from evtdiag.cli import cli
from tests.conftest import REPO, SAMPLE_LOGS, SAMPLE_REPORT_ARGS

LOGS = [str(p) for p in sorted(SAMPLE_LOGS.glob("*.evtx"))]


def test_dash_as_output_writes_the_report_to_standard_output(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["report", *LOGS, "-q", "-o", "-"])
    assert result.exit_code == 1
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert list(tmp_path.iterdir()) == []  # no file named "-", no default report file


def test_hosts_that_configure_none_of_the_events_hosts_is_a_warning(runner, tmp_path):
    wrong = SAMPLE_LOGS / "hosts" / "web01"  # one host's folder instead of their parent
    out = tmp_path / "r.json"
    result = runner.invoke(
        cli, ["report", *LOGS, "--hosts", str(wrong), "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 1
    warning = f"none of the 7 hosts in the events has a configuration in {wrong}"
    assert f"Warning: {warning}" in result.stderr
    assert any(note.startswith(warning) for note in json.loads(out.read_text())["notes"])
    good = runner.invoke(cli, ["report", *SAMPLE_REPORT_ARGS, "--format", "json", "-q"])
    assert "Warning: none of" not in good.stderr


def test_check_config_on_a_folder_without_hosts_exits_3(runner, tmp_path) -> None:
    result = runner.invoke(cli, ["check-config", "--hosts", str(tmp_path)])
    assert result.exit_code == 3
    assert f"no host configuration in {tmp_path}" in result.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["-o", "missing-folder/r.html"], "is not an existing folder"),
        (["--redact-key", "not-a-key.txt", "-o", "r.html"], "the key must be hexadecimal"),
    ],
)
def test_outputs_and_the_redaction_key_are_checked_before_any_log_is_read(
    runner, tmp_path, monkeypatch, options, message
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not-a-key.txt").write_text("hello\n")
    result = runner.invoke(cli, ["report", *LOGS, *options])
    assert result.exit_code == 2 and message in result.stderr
    assert "Read " not in result.stderr  # the speed line of a read: nothing was read


def test_events_shows_user_and_host_of_an_undeclared_id(runner) -> None:
    result = runner.invoke(
        cli, ["events", str(LOGS[0]), "--no-success-inference", "--format", "csv", "-q"]
    )
    assert result.exit_code == 0
    rows = [line.split(",") for line in result.stdout.splitlines()[1:]]
    undeclared = [row for row in rows if row[2] == "12291"]
    assert undeclared and all(row[3] == "other" for row in undeclared)
    assert all(row[4] and row[5] for row in undeclared)  # user and host shown


@pytest.mark.skipif(
    shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs a git checkout"
)
@pytest.mark.parametrize(
    "name",
    ["report.html", "report.html.redaction.json", "evtdiag-report-20261202T101010Z.html"],
)
def test_default_outputs_are_git_ignored(name: str) -> None:
    checked = subprocess.run(["git", "check-ignore", "-q", name], cwd=REPO, check=False)
    assert checked.returncode == 0, f"{name} is not ignored"
