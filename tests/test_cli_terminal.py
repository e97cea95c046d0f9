"""What ``report`` shows on a terminal: its help by sections, suggestions for a mistyped
option, the speed line only with -v, and the stderr summary once, after the report."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from evtdiag.cli import cli
from evtdiag.cli.options import closest_options
from tests.conftest import SAMPLE_LOGS, SAMPLE_REPORT_ARGS


def test_report_help_lists_configurations_and_output_before_reading(runner) -> None:
    text = runner.invoke(cli, ["report", "--help"]).stdout
    order = [text.index(f"\n{heading}:\n") for heading in
             ("Configurations", "Output", "Reading the logs")]  # fmt: skip
    assert order == sorted(order)
    options = text[order[0] :]
    assert options.index("--hosts") < options.index("--format") < options.index("--provider")


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("--host", "'--hosts'"), ("--window", "'--windows'"), ("--succes-id", "'--success-id'")],
)
def test_a_mistyped_option_suggests_the_one_meant(runner, typed, suggested) -> None:
    result = runner.invoke(cli, ["report", typed, "x", str(SAMPLE_LOGS)])
    assert result.exit_code == 2
    assert f"No such option '{typed}'. Did you mean {suggested}?" in result.stderr
    assert "--jobs" not in result.stderr and "--tz" not in result.stderr


def test_nothing_alike_suggests_nothing() -> None:
    assert closest_options("--zzz", ["--hosts", "--jobs", "--tz"]) == []


def test_the_speed_line_only_with_verbose(runner, tmp_path) -> None:
    quiet = runner.invoke(cli, ["report", *SAMPLE_REPORT_ARGS, "-o", str(tmp_path / "a.html")])
    assert "records/s" not in quiet.stderr and "VERDICT" in quiet.stderr
    loud = runner.invoke(cli, ["report", *SAMPLE_REPORT_ARGS, "-v", "-o", str(tmp_path / "b.html")])
    assert "records/s" in loud.stderr


def run_on_terminal(args: list[str], *, stdout_to_terminal: bool) -> tuple[str, str]:
    """Run evtdiag with stderr on a pseudo-terminal (and stdout too, or a pipe); return
    what the pipe and the terminal received."""
    leader, follower = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    process = subprocess.Popen(
        [sys.executable, "-m", "evtdiag", *args],
        stdout=follower if stdout_to_terminal else subprocess.PIPE,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    piped = ""
    if process.stdout is not None:  # small: stderr holds no summary to fill the terminal
        with process.stdout:
            piped = process.stdout.read().decode()
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        screen += chunk
    process.wait(timeout=120)
    os.close(leader)
    return piped, screen.decode()


def test_no_summary_over_a_pager_and_the_verdict_once_on_a_terminal(tmp_path: Path) -> None:
    args = ["report", *SAMPLE_REPORT_ARGS, "--format", "text"]
    piped, screen = run_on_terminal(args, stdout_to_terminal=False)
    assert piped.startswith("VERDICT: WARNING")
    assert "VERDICT" not in screen  # `| less` gets the report, the terminal no summary
    _, screen = run_on_terminal(args, stdout_to_terminal=True)
    assert screen.count("VERDICT") == 1
    _, screen = run_on_terminal([*args, "-o", str(tmp_path / "r.txt")], stdout_to_terminal=False)
    assert screen.count("VERDICT") == 1  # written to a file: the summary is the answer
