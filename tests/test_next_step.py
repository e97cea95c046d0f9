"""A logs-only report says how many problems lack a cause for want of configurations
and what to collect: in the verdict, the terminal summary and the HTML page."""

from __future__ import annotations

import json

from evtdiag.cli import cli
from tests.conftest import SAMPLE_LOGS, SAMPLE_REPORT_ARGS

LOGS_ONLY = [*map(str, sorted(SAMPLE_LOGS.glob("*.evtx"))), "--success-id", "12291"]
NEXT_STEP = (
    "6 of 10 open problems are unexplained: run `evtdiag collect-script` on the hosts "
    "and rerun with --hosts."
)


def test_logs_only_verdict_says_what_to_collect(runner) -> None:
    result = runner.invoke(cli, ["report", *LOGS_ONLY, "--format", "json", "-q"])
    document = json.loads(result.stdout)
    assert document["verdict_reasons"][-1] == NEXT_STEP


def test_with_configurations_there_is_no_next_step(runner) -> None:
    result = runner.invoke(cli, ["report", *SAMPLE_REPORT_ARGS, "--format", "json", "-q"])
    assert "collect-script" not in " ".join(json.loads(result.stdout)["verdict_reasons"])


def test_terminal_summary_and_html_say_it(runner, tmp_path) -> None:
    page = tmp_path / "report.html"
    result = runner.invoke(cli, ["report", *LOGS_ONLY, "-o", str(page)])
    assert result.exit_code == 1, result.stderr
    assert NEXT_STEP in result.stderr
    html = page.read_text(encoding="utf-8")
    assert "unexplained: run `evtdiag collect-script` on the hosts" in html
    assert "<dd>no configurations were given</dd>" in html


def test_text_report_says_no_configurations_were_given(runner) -> None:
    result = runner.invoke(cli, ["report", *LOGS_ONLY, "--format", "text", "-q"])
    assert "Hosts in the events without a configuration: no configurations were given" in (
        result.stdout
    )
