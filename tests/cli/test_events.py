"""``evtdiag events``: listing, formats, coverage on stderr, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from evtdiag.cli import cli
from tests.conftest import CONTRACT_INPUT_KEYS, SAMPLE_LOGS

SAMPLE_EVTX = sorted(SAMPLE_LOGS.glob("*.evtx"))


def run(runner, *args):
    return runner.invoke(cli, ["events", *args])


def test_table_lists_the_sample_events_and_coverage_goes_to_stderr(runner) -> None:
    result = run(runner, str(SAMPLE_LOGS), "--success-id", "12291")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["time", "(UTC)", "DC", "id"]
    assert len(lines) == 1 + 555
    assert "user-denied" in result.stdout and "success" in result.stdout
    assert "Coverage:" in result.stderr and "Coverage:" not in result.stdout
    assert "DC02-Application.evtx" in result.stderr and "dirty yes" in result.stderr
    assert "README.md: skipped, not an event log" in result.stderr


def test_json_has_events_and_contract_inputs(runner) -> None:
    result = run(runner, *map(str, SAMPLE_EVTX), "--format", "json", "--success-id", "12291")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert len(document["events"]) == 555
    kinds = {e["kind"] for e in document["events"]}
    assert {"user-denied", "success", "key-mismatch", "account-disabled", "deny-group"} <= kinds
    first = document["inputs"][0]
    assert set(first) >= CONTRACT_INPUT_KEYS
    assert sum(i["psync_events"] for i in document["inputs"]) == 555
    assert document["events"][0]["time"].endswith("Z")


def test_csv(runner) -> None:
    result = run(runner, str(SAMPLE_EVTX[0]), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and set(rows[0]) >= {"time", "dc", "event_id", "kind", "user", "host", "record_id"}
    assert all(row["dc"] == "DC01.corp.example.com" for row in rows)


def test_glob(runner) -> None:
    result = run(runner, str(SAMPLE_LOGS / "DC0*-Application.evtx"), "--format", "json")
    assert len(json.loads(result.stdout)["inputs"]) == 2


def test_missing_path_is_a_usage_error(runner, tmp_path: Path) -> None:
    result = run(runner, str(tmp_path / "nope.evtx"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {tmp_path / 'nope.evtx'}: no such file or folder"


def test_nothing_readable_exits_3(runner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello")
    result = run(runner, str(tmp_path))
    assert result.exit_code == 3
    assert "no readable event log" in result.stderr and "a.txt" in result.stderr


def test_success_id_that_is_a_failure_id_is_refused(runner) -> None:
    result = run(runner, str(SAMPLE_EVTX[0]), "--success-id", "12294")
    assert result.exit_code == 2 and "12294" in result.stderr


def test_version(runner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("evtdiag, version ")


def test_jobs_do_not_change_the_output_and_a_speed_summary_ends_stderr(runner) -> None:
    outputs = [
        run(runner, str(SAMPLE_LOGS), "--format", "json", "-q", "--jobs", jobs)
        for jobs in ("1", "2")
    ]
    assert outputs[0].exit_code == outputs[1].exit_code == 0
    assert outputs[0].stdout == outputs[1].stdout
    last = outputs[1].stderr.strip().splitlines()[-1]
    assert last.startswith("Read 4,984 records") and "records/s" in last and "MB/s" in last


def test_progress_line_counts_records_and_stays_silent_off_a_terminal() -> None:
    from evtdiag.progress import ProgressLine

    stream = io.StringIO()
    line = ProgressLine(100, stream=stream)
    line("a.evtx", 50, 100, records=10)
    line("a.evtx", 100, 100, records=5)
    line("b.evtx", 100, 100)  # a plain (path, done, size) call still works
    line.close()
    assert line.records == 15 and stream.getvalue() == ""


def test_progress_line_fits_the_terminal(monkeypatch) -> None:
    import os
    import shutil

    from evtdiag import progress as progress_module
    from evtdiag.progress import ProgressLine

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(
        shutil, "get_terminal_size", lambda fallback=None: os.terminal_size((40, 24))
    )
    clock = iter(range(0, 1000, 1))
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: float(next(clock)))
    stream = Terminal()
    line = ProgressLine(10_000_000, stream=stream)
    for done in range(1, 5):
        line("a-very-long-folder-name/with/a-long-file-name.evtx", done * 1_000_000, 10_000_000)
    line.close()
    drawn = [part for part in stream.getvalue().split("\r") if part]
    assert drawn and all(len(part) <= 39 for part in drawn)


def test_nothing_but_host_configurations_says_where_they_belong(runner) -> None:
    result = runner.invoke(cli, ["events", str(SAMPLE_LOGS / "hosts")])
    assert result.exit_code == 3
    assert "this looks like host configurations: give that folder with --hosts" in result.stderr
    assert len(result.stderr) < 400
