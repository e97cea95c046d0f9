"""``evtdiag report``: the sample scenario's conclusions, the JSON contract, options, exit codes."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from evtdiag.cli import cli
from evtdiag.event_summary import EVENT_SAMPLE
from tests.conftest import CONTRACT_INPUT_KEYS, SAMPLE_LOGS, SAMPLE_REPORT_ARGS

SAMPLE_ARGS = [*SAMPLE_REPORT_ARGS, "-q"]

# What sample_logs/README.md plants, as evtdiag must conclude it.
EXPECTED_PROBLEMS = [
    ("host", None, "build06", None, "encryption-key-mismatch"),
    ("host", None, "app03", None, "sync-users-not-listed"),
    ("host", None, "legacy07.corp.example.com", None, "unknown-host"),
    ("host", None, "legacy07.corp.example.com", None, "no-host-config"),
    ("account", "frank", None, None, "sync-users-excluded"),
    ("account", "erin", None, None, "windows-not-in-allow-group"),
    ("account", "root", None, None, "superuser"),
    ("account", "svc_backup", None, None, "windows-deny-group"),
    ("dc", None, "FIN04", "DC02.corp.example.com", "dc-not-in-sync-hosts"),
    ("pair", "carol", "db02.corp.example.com", None, "unix-account-missing"),
    ("pair", "KSmith", "mail05.corp.example.com", None, "name-case-mismatch"),
    ("pair", "dave", "web01.corp.example.com", None, "unix-account-disabled"),
]
EXPECTED_AUDIT = {
    ("sync-users-all-keyword", "web01"),
    ("superuser-not-excluded", "web01"),
    ("admin-not-in-deny-group", None),
    ("disabled-account-not-blocked", "web01"),
    ("disabled-account-not-blocked", "db02"),
    ("case-sensitive-names", "mail05"),
    ("policy-weaker-than-unix", "web01"),
    ("policy-weaker-than-unix", "db02"),
    ("policy-weaker-than-unix", "fin04"),
    ("legacy-crypt-8-char", "build06"),
    ("weak-encrypt-key", "mail05"),
    ("dc-config-inconsistent", "FIN04"),
}


@pytest.fixture(scope="module")
def sample_events(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The demo's events, as ``report --events`` writes them (JSON Lines)."""
    from click.testing import CliRunner

    path = tmp_path_factory.mktemp("events") / "events.jsonl"
    result = CliRunner().invoke(cli, ["report", *SAMPLE_ARGS, "--format", "json", "-q",
                                      "--events", str(path)])  # fmt: skip
    assert result.exit_code == 1, result.stderr
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def sample_json() -> dict:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["report", *SAMPLE_ARGS, "--format", "json"])
    assert result.exit_code == 1, result.stderr
    return json.loads(result.stdout)


def test_sample_conclusions(sample_json: dict) -> None:
    found = [
        (p["scope"], p["account"], p["host"], p["dc"], p["cause"]) for p in sample_json["problems"]
    ]
    assert found == EXPECTED_PROBLEMS
    assert {(a["rule"], a["host"]) for a in sample_json["audit"]} == EXPECTED_AUDIT
    assert sample_json["verdict"] == "warning"


def test_the_readme_demo_without_success_id_finds_the_same_problems(runner) -> None:
    args = [a for a in SAMPLE_ARGS if a not in ("--success-id", "12291")]
    result = runner.invoke(cli, ["report", *args, "--format", "json"])
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    found = [
        (p["scope"], p["account"], p["host"], p["dc"], p["cause"]) for p in document["problems"]
    ]
    assert found == EXPECTED_PROBLEMS and document["verdict"] == "warning"
    assert document["success_id_details"] == [{"id": 12291, "basis": "inferred", "events": 104}]


def test_every_failure_is_explained_by_exactly_one_problem(
    sample_json: dict, sample_events: list[dict]
) -> None:
    """Each problem counts its failures and keeps its first and last ones: the counts add
    up to the failures of the events file, and no failure is kept by two problems."""
    kept = [(e["source"], e["record_id"]) for p in sample_json["problems"] for e in p["events"]]
    failures = {
        (e["source"], e["record_id"]): e["time"] for e in sample_events if e["outcome"] == "failure"
    }
    assert len(kept) == len(set(kept)) and set(kept) <= set(failures)
    assert sum(p["event_count"] for p in sample_json["problems"]) == len(failures)
    for problem in sample_json["problems"]:
        times = [failures[(e["source"], e["record_id"])] for e in problem["events"]]
        assert times == sorted(times)
        assert len(times) == min(problem["event_count"], 2 * EVENT_SAMPLE)


def test_json_contract_fields(sample_json: dict) -> None:
    assert sample_json["schema"] == "evtdiag/2"
    assert sample_json["tool"]["name"] == "evtdiag"
    assert sample_json["generated_at"].endswith("Z")
    assert sample_json["events"]["total"] == 555
    assert sample_json["events"]["by_id"] == {
        "8200": 59,
        "8203": 98,
        "8204": 11,
        "12289": 4,
        "12290": 3,
        "12291": 104,
        "12294": 276,
    }
    problem_keys = {
        "id",
        "scope",
        "account",
        "host",
        "dc",
        "cause",
        "severity",
        "basis",
        "event_count",
        "first_seen",
        "last_seen",
        "evidence",
        "remediation",
        "status",
        "last_failure",
        "resolved_at",
    }
    for problem in sample_json["problems"]:
        assert problem_keys <= set(problem)
        assert problem["status"] in ("open", "resolved")
        assert problem["last_failure"] == problem["last_seen"]
        assert (problem["resolved_at"] is None) == (problem["status"] == "open")
        assert problem["scope"] in ("account", "host", "pair", "dc")
        assert problem["severity"] in ("error", "warning", "info")
        assert problem["basis"] in ("documented", "inferred")
        for item in problem["evidence"]:
            assert {"kind", "file", "line", "text"} <= set(item)
            assert item["kind"] in ("config", "event", "absence")
    for finding in sample_json["audit"]:
        assert {"id", "rule", "host", "severity", "evidence", "remediation"} <= set(finding)
    for entry in sample_json["inputs"]:
        assert set(entry) >= CONTRACT_INPUT_KEYS


def test_no_secret_reaches_the_report(sample_json: dict) -> None:
    text = json.dumps(sample_json)
    assert "$6$" not in text and "FAKE" not in text
    for conf in (SAMPLE_LOGS / "hosts").glob("*/sso.conf"):
        for line in conf.read_text(errors="replace").splitlines():
            if line.startswith("ENCRYPT_KEY="):
                assert line.split("=", 1)[1].strip() not in text


def test_text_report_reads_verdict_first(runner) -> None:
    result = runner.invoke(cli, ["report", *SAMPLE_ARGS, "--format", "text"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "VERDICT: WARNING"
    headings = [line.split(":")[0] for line in lines if line.startswith("Per-")]
    assert headings == [
        "Per-host problems (one host refuses many accounts)",
        "Per-account problems (one account is refused by nearly every host)",
        "Per-DC problems (one DC fails where another works)",
        "Per-pair problems (one account on one host)",
    ]
    assert "[config] " in result.stdout and "fix: " in result.stdout


def test_time_zone_changes_text_times_not_json(runner) -> None:
    utc = runner.invoke(cli, ["report", *SAMPLE_ARGS, "--format", "text"]).stdout
    paris = runner.invoke(
        cli, ["report", *SAMPLE_ARGS, "--format", "text", "--tz", "Europe/Paris"]
    ).stdout
    assert "2026-09-01 10:48:54" in utc and "2026-09-01 12:48:54" in paris
    assert "(Europe/Paris)" in paris
    bad = runner.invoke(cli, ["report", *SAMPLE_ARGS, "--tz", "Mars/Olympus"])
    assert bad.exit_code == 2 and "unknown time zone" in bad.stderr


def test_json_times_are_utc_whatever_the_time_zone(runner) -> None:
    args = ["report", *SAMPLE_ARGS, "--format", "json", "--since", "2026-10-01T08:00:00+02:00"]
    utc = json.loads(runner.invoke(cli, args).stdout)
    paris = json.loads(runner.invoke(cli, [*args, "--tz", "Europe/Paris"]).stdout)
    assert utc["run"]["since"] == paris["run"]["since"] == "2026-10-01T06:00:00.000000Z"
    times = [ref["time"] for problem in utc["problems"] for ref in problem["events"]]
    assert times and all(t.endswith("Z") for t in times)
    assert utc["events"]["first_time"].endswith("Z")
    assert [ref["time"] for problem in paris["problems"] for ref in problem["events"]] == times
    assert paris["events"]["first_time"] == utc["events"]["first_time"]


def test_since_and_until_limit_the_events(runner, tmp_path: Path) -> None:
    listing = tmp_path / "events.csv"
    result = runner.invoke(
        cli,
        [
            "report",
            *SAMPLE_ARGS,
            "--format",
            "json",
            "--since",
            "2026-10-01",
            "--until",
            "2026-10-05",
            "--events",
            str(listing),
        ],
    )
    document = json.loads(result.stdout)
    with listing.open(encoding="utf-8") as rows:
        times = [row["time"] for row in csv.DictReader(rows)]
    assert times and all("2026-10-01" <= t < "2026-10-05" for t in times)
    assert len(times) == document["events"]["total"]
    assert "2026-10-01" <= document["events"]["first_time"] <= document["events"]["last_time"]
    assert document["events"]["last_time"] < "2026-10-05"
    bad = runner.invoke(cli, ["report", *SAMPLE_ARGS, "--since", "last tuesday"])
    assert bad.exit_code == 2 and "neither an ISO date" in bad.stderr


def test_relative_since_in_the_future_of_the_logs_finds_no_events(runner) -> None:
    result = runner.invoke(cli, ["report", *SAMPLE_ARGS, "--format", "json", "--since", "1d"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["verdict"] == "no-psync-events"


def test_output_file_is_not_overwritten_without_force(runner, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    first = runner.invoke(cli, ["report", *SAMPLE_ARGS, "--format", "json", "-o", str(out)])
    assert first.exit_code == 1 and json.loads(out.read_text())["schema"] == "evtdiag/2"
    again = runner.invoke(cli, ["report", *SAMPLE_ARGS, "--format", "json", "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.stderr
    forced = runner.invoke(
        cli, ["report", *SAMPLE_ARGS, "--format", "json", "-o", str(out), "--force"]
    )
    assert forced.exit_code == 1
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left


def test_operational_logs_exit_0(runner, tmp_path: Path) -> None:
    from tests.diagnose.scenario import Scenario

    sc = Scenario(tmp_path)
    sc.host("web01")
    sc.attempt("alice", "web01", ok=True)
    result = runner.invoke(
        cli,
        [
            "report",
            *map(str, sc.write_logs()),
            "--hosts",
            str(sc.hosts_dir),
            "--success-id",
            "12291",
            "--format",
            "text",
        ],
    )
    assert result.exit_code == 0 and result.stdout.startswith("VERDICT: OPERATIONAL")


def test_no_usable_input_exits_3(runner, tmp_path: Path) -> None:
    (tmp_path / "x.evtx").write_text("garbage")
    result = runner.invoke(cli, ["report", str(tmp_path / "x.evtx")])
    assert result.exit_code == 3


def test_help_documents_exit_codes(runner) -> None:
    result = runner.invoke(cli, ["report", "--help"])
    assert "0 no open problems" in result.stdout and "3 no usable input" in result.stdout


def test_since_after_until_is_a_usage_error(runner) -> None:
    result = runner.invoke(
        cli, ["report", *SAMPLE_ARGS, "--since", "2026-10-01", "--until", "2026-09-01"]
    )
    assert result.exit_code == 2 and "must come before --until" in result.stderr


def test_a_period_without_events_says_how_many_lie_outside(runner) -> None:
    result = runner.invoke(
        cli, ["report", *SAMPLE_ARGS, "--format", "json", "--since", "2027-01-01"]
    )
    document = json.loads(result.stdout)
    assert document["verdict"] == "no-psync-events"
    assert "the logs hold 555 outside it" in document["verdict_reasons"][0]


def test_a_time_ago_too_far_back_is_a_usage_error(runner) -> None:
    result = runner.invoke(cli, ["report", *SAMPLE_ARGS, "--since", "99999999d"])
    assert result.exit_code == 2 and "too far into the past" in result.stderr


@pytest.mark.parametrize(
    ("option", "moment"),
    [("--since", "0001-01-01T00:00:00+00:01"), ("--until", "9999-12-31T23:59:59-00:01")],
)
def test_a_moment_outside_the_years_of_utc_is_a_usage_error(runner, option: str,
                                                             moment: str) -> None:  # fmt: skip
    """In UTC the first is in the year 0, the second in 10000: no datetime holds them."""
    result = runner.invoke(cli, ["report", *SAMPLE_ARGS, "--format", "json", option, moment])
    assert result.exit_code == 2, result.output
    assert "lies outside the years 1 to 9999 in UTC" in result.stderr


def test_a_moment_with_an_offset_is_taken_in_utc(runner) -> None:
    result = runner.invoke(cli, ["report", *SAMPLE_ARGS, "--format", "json",
                                 "--since", "2026-10-01T02:00:00+02:00"])  # fmt: skip
    assert json.loads(result.stdout)["run"]["since"] == "2026-10-01T00:00:00.000000Z"


def test_without_success_id_or_inference_the_verdict_names_the_likely_success_id(runner) -> None:
    args = [a for a in SAMPLE_ARGS if a not in ("--success-id", "12291")]
    result = runner.invoke(cli, ["report", *args, "--no-success-inference", "--format", "json"])
    reasons = " ".join(json.loads(result.stdout)["verdict_reasons"])
    assert "104 PSync event(s) with id 12291 name a user and a host" in reasons
    assert "rerun with --success-id 12291" in reasons


def test_local_time_zone_follows_daylight_saving(runner, monkeypatch) -> None:
    import time as time_module

    monkeypatch.setenv("TZ", "Europe/Paris")
    time_module.tzset()
    try:
        result = runner.invoke(cli, ["report", *SAMPLE_ARGS, "--format", "text", "--tz", "local"])
    finally:
        monkeypatch.undo()  # the TZ this process had before
        time_module.tzset()
    assert "2026-09-01 12:48:54" in result.stdout  # CEST (+2) in September, not today's +1
    assert "(local: CET/CEST)" in result.stdout


def test_a_file_name_with_undecodable_bytes_gives_the_same_utf8_report_on_stdout_and_in_a_file(
    runner, tmp_path: Path
) -> None:
    """Python keeps the bytes as lone surrogates; both outputs escape them alike, so the
    JSON on standard output stays UTF-8 that `evtdiag render` can read back."""
    odd = tmp_path / os.fsdecode(b"dc\xff.evtx")
    shutil.copyfile(SAMPLE_LOGS / "DC01-Application.evtx", odd)
    target = tmp_path / "report.json"
    to_file = runner.invoke(cli, ["report", str(odd), "--format", "json", "-q", "-o", str(target)])
    to_stdout = runner.invoke(cli, ["report", str(odd), "--format", "json", "-q"])
    assert to_file.exit_code == to_stdout.exit_code == 1, to_stdout.output
    piped = to_stdout.stdout_bytes
    assert json.loads(piped.decode("utf-8"))["inputs"][0]["path"] == str(odd)
    written = json.loads(target.read_bytes().decode("utf-8"))
    assert written["inputs"] == json.loads(piped)["inputs"]
    events = runner.invoke(cli, ["events", str(odd), "--format", "json", "-q"])
    assert json.loads(events.stdout_bytes.decode("utf-8"))["events"][0]["source"] == str(odd)
