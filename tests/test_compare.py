"""``evtdiag compare``: the problems of two real reports of one site, each in its category."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from tests.diagnose.scenario import DC1, DC2, DEFAULT_SSO, Scenario

EXCLUDES_ERIN = DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -erin")
GOOD_HOSTS = ("web01", "db02", "mail05")
HOSTILE = "<script>alert(1)</script>\x1b[2J"


def moment_after_last_event(sc: Scenario) -> datetime:
    """A moment between the events written so far and the next ones (3 minutes on)."""
    last = max(event.time_created for events in sc.events.values() for event in events)
    return last + timedelta(minutes=1)


def save(folder: Path, name: str, document: dict) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(document))
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Reports of one site over three phases.

    FIRST: app03's key is wrong (8203 for everyone), dave fails on web01, erin is excluded
    from SYNC_USERS everywhere. THEN: app03's key fixed, dave still fails on web01, carol
    now fails on mail05, erin changes nothing. LAST: every attempt succeeds (erin's none).
    """
    root = tmp_path_factory.mktemp("site")
    sc = Scenario(root)
    for host in (*GOOD_HOSTS, "app03"):
        sc.host(host, sso=EXCLUDES_ERIN)
    for user in ("alice", "bob", "carol", "dave", "erin"):
        sc.attempt(user, "app03", event_id=8203, times=2)
        for host in GOOD_HOSTS:
            sc.attempt(user, host, ok=user != "erin" and (user, host) != ("dave", "web01"))
    first_end = moment_after_last_event(sc)
    for user in ("alice", "bob", "carol", "dave"):
        sc.attempt(user, "app03", ok=True)
        for host in GOOD_HOSTS:
            sc.attempt(user, host, ok=(user, host) not in {("dave", "web01"), ("carol", "mail05")})
    then_end = moment_after_last_event(sc)
    for user in ("alice", "bob", "carol", "dave"):
        for host in (*GOOD_HOSTS, "app03"):
            sc.attempt(user, host, ok=True)
    runs = {
        "before": sc.run(until=first_end),
        "after": sc.run(since=first_end, until=then_end),
        "whole": sc.run(until=then_end),
        "last": sc.run(since=then_end),
        "bare-before": sc.run(until=first_end, hosts=False),
    }
    return {name: save(root, name, document) for name, (_, document) in runs.items()}


def compare(before: Path, after: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["compare", str(before), str(after), *options])
    return result.exit_code, result.stdout or result.stderr


def compared(before: Path, after: Path) -> tuple[int, dict]:
    code, output = compare(before, after, "--format", "json")
    return code, json.loads(output)


def categories(document: dict) -> dict[tuple, str]:
    """(scope, account, host) of each problem (as BEFORE names it, else AFTER) -> category."""
    found = {}
    for entry in document["problems"]:
        problem = entry["before"] or entry["after"]
        found[(problem["scope"], problem["account"], problem["host"])] = entry["category"]
    return found


def entry_of(document: dict, scope: str, account: str | None, host: str | None) -> dict:
    (entry,) = [
        e
        for e in document["problems"]
        if ((e["before"] or e["after"])["scope"], (e["before"] or e["after"])["account"],
            (e["before"] or e["after"])["host"]) == (scope, account, host)
    ]  # fmt: skip
    return entry


def test_each_problem_is_fixed_not_yet_verified_still_failing_or_new(site) -> None:
    code, document = compared(site["before"], site["after"])
    assert categories(document) == {
        ("host", None, "app03"): "fixed",
        ("account", "erin", None): "not-yet-verified",
        ("pair", "dave", "web01"): "still-failing",
        ("pair", "carol", "mail05"): "new",
    }
    assert code == 1
    fixed = entry_of(document, "host", None, "app03")
    # AFTER has no app03 problem: its events show the fix, the first success since.
    assert fixed["after"] is None and fixed["matched_by"] is None
    assert re.search(
        r"verified 2026-09-01 \d\d:\d\d:00 by a success of alice on app03", fixed["reason"]
    )
    unverified = entry_of(document, "account", "erin", None)
    assert unverified["reason"] == "not in AFTER; nothing tried in its scope since BEFORE's end"
    assert unverified["retry"] == "retry erin on db02, mail05, web01"
    still = entry_of(document, "pair", "dave", "web01")
    assert still["matched_by"] == "id" and still["after"]["status"] == "open"
    assert still["before"]["id"] == still["after"]["id"]
    new = entry_of(document, "pair", "carol", "mail05")
    assert new["before"] is None and new["after"]["cause"]


def test_a_problem_resolved_in_after_is_fixed_and_one_still_open_there_is_still_failing(
    site,
) -> None:
    # The whole period holds BEFORE's failures too: app03 is resolved there, erin is open
    # but not tried since BEFORE's end: unchanged, not still failing.
    code, document = compared(site["before"], site["whole"])
    assert categories(document) == {
        ("host", None, "app03"): "fixed",
        ("account", "erin", None): "unchanged",
        ("pair", "dave", "web01"): "still-failing",
        ("pair", "carol", "mail05"): "new",
    }
    fixed = entry_of(document, "host", None, "app03")
    assert fixed["matched_by"] == "id" and fixed["after"]["status"] == "resolved"
    assert re.fullmatch(
        r"verified 2026-09-01 \d\d:\d\d:00 by a success of alice on app03 through "
        r"DC01.corp.example.com",
        fixed["reason"],
    )
    erin = entry_of(document, "account", "erin", None)
    assert erin["reason"] == (
        "sync-users-excluded still found in AFTER; nothing tried in its scope since BEFORE's end"
    )
    assert code == 1


def test_nothing_still_failing_or_new_exits_0_even_with_problems_not_yet_verified(site) -> None:
    code, document = compared(site["before"], site["last"])
    assert categories(document) == {
        ("host", None, "app03"): "fixed",
        ("account", "erin", None): "not-yet-verified",
        ("pair", "dave", "web01"): "fixed",
    }
    assert document["summary"] == {
        "fixed": 2,
        "new": 0,
        "still-failing": 0,
        "not-yet-verified": 1,
        "unchanged": 0,
        "intended": 0,
    }
    assert code == 0
    # And the other way round: what was fine before and fails after is new.
    code, document = compared(site["last"], site["after"])
    assert set(categories(document).values()) == {"new"} and code == 1


def test_only_after_events_later_than_the_last_failure_count(site, tmp_path) -> None:
    # AFTER covers BEFORE's period too; drop its app03 and erin problems as if it had
    # not found them: app03's earlier 8203s and erin's refusals predate BEFORE's last
    # failures and must not count, app03's later successes do.
    whole = json.loads(site["whole"].read_text())
    whole["problems"] = [
        p for p in whole["problems"] if p["host"] != "app03" and p["account"] != "erin"
    ]
    code, document = compared(site["before"], save(tmp_path, "overlap", whole))
    assert categories(document) == {
        ("host", None, "app03"): "fixed",
        ("account", "erin", None): "not-yet-verified",
        ("pair", "dave", "web01"): "still-failing",
        ("pair", "carol", "mail05"): "new",
    }
    before = json.loads(site["before"].read_text())
    (app03,) = [p for p in before["problems"] if p["host"] == "app03"]
    fixed = entry_of(document, "host", None, "app03")
    verified = re.search(r"verified 2026-09-01 (\S+) by a success of alice", fixed["reason"])
    assert verified and verified[1] > app03["last_failure"][11:19]
    assert code == 1


def test_the_json_document(site, tmp_path) -> None:
    output = tmp_path / "comparison.json"
    args = ("--format", "json", "--tz", "Europe/Paris", "-o", str(output))
    assert compare(site["before"], site["after"], *args)[0] == 1
    document = json.loads(output.read_text())
    assert document["schema"] == "evtdiag-compare/1"
    before = json.loads(site["before"].read_text())
    assert document["before"] == {
        "path": str(site["before"]),
        "generated_at": before["generated_at"],
        "verdict": before["verdict"],
        "first_event": before["events"]["first_time"],
        "last_event": before["events"]["last_time"],
    }
    assert document["after"]["path"] == str(site["after"])
    assert document["summary"] == {
        "fixed": 1,
        "new": 1,
        "still-failing": 1,
        "not-yet-verified": 1,
        "unchanged": 0,
        "intended": 0,
    }
    assert [e["category"] for e in document["problems"]] == [
        "fixed",
        "new",
        "still-failing",
        "not-yet-verified",
    ]
    assert document["new_events"] > 0 and document["nothing_new"] is False
    for entry in document["problems"]:
        assert set(entry) == {"category", "before", "after", "reason", "matched_by", "retry"}
    still = entry_of(document, "pair", "dave", "web01")
    assert still["before"]["subject"] == {
        "scope": "pair",
        "account": "dave",
        "host": "web01",
        "dc": "",
    }
    assert "evidence" not in still["before"] and "events" not in still["before"]
    # JSON times are UTC whatever --tz says; the text shows the zone asked for.
    after = json.loads(site["after"].read_text())
    (dave,) = [p for p in after["problems"] if p["account"] == "dave"]
    utc = dave["last_failure"][11:19]
    assert f"the last 2026-09-01 {utc} (dave on web01" in still["reason"]
    paris = f"{(int(utc[:2]) + 2) % 24:02d}{utc[2:]}"
    text = compare(site["before"], site["after"], "--tz", "Europe/Paris")[1]
    assert f"the last 2026-09-01 {paris} (dave on web01" in text
    assert "(times in Europe/Paris)" in text
    # -o refuses to overwrite without --force, as the report does.
    code, message = compare(site["before"], site["after"], *args)
    assert code == 2 and "--force" in message
    assert compare(site["before"], site["after"], *args, "--force")[0] == 1


def test_the_text_lists_the_categories_in_order(site) -> None:
    code, text = compare(site["before"], site["after"])
    assert code == 1
    assert text.splitlines()[0] == (
        "evtdiag compare: 1 fixed, 1 new, 1 still failing, 1 not yet verified, 0 unchanged, "
        "0 intended"
    )
    headings = [line for line in text.splitlines() if re.match(r"^[A-Z][a-z ]+: \d+$", line)]
    assert headings == ["Fixed: 1", "New: 1", "Still failing: 1", "Not yet verified: 1"]
    assert "  pair dave on web01 [unexplained]" in text


def test_problems_match_by_subject_when_the_cause_changed(site) -> None:
    # Without --hosts erin's refusals are unexplained; with them, SYNC_USERS excludes her:
    # another cause, another id, the same account problem. The two reports hold the same
    # events: nothing was tried since, so every problem is unchanged (exit 0).
    code, document = compared(site["bare-before"], site["before"])
    erin = entry_of(document, "account", "erin", None)
    assert (erin["before"]["cause"], erin["after"]["cause"]) == (
        "unexplained",
        "sync-users-excluded",
    )
    assert erin["before"]["id"] != erin["after"]["id"]
    assert (erin["matched_by"], erin["category"]) == ("subject", "unchanged")
    assert erin["reason"].startswith("now explained in AFTER: sync-users-excluded; nothing tried")
    assert {e["category"] for e in document["problems"]} == {"unchanged"}
    assert code == 0
    text = compare(site["bare-before"], site["before"])[1]
    assert "account erin [unexplained -> sync-users-excluded]" in text


def test_a_problem_gone_from_after_whose_scope_still_fails_is_still_failing(tmp_path) -> None:
    # fin04 refuses what DC02 sends (a DC problem); later DC01 sends nothing to it, so
    # AFTER sees a host refusing everyone: another problem, and the DC's one is not fixed.
    sc = Scenario(tmp_path)
    for host in ("web01", "fin04"):
        sc.host(host)
    for user in ("alice", "bob", "carol"):
        sc.attempt(user, "fin04", ok=True, dc=DC1)
        sc.attempt(user, "fin04", dc=DC2)
        sc.attempt(user, "web01", ok=True, dc=DC2)
    boundary = moment_after_last_event(sc)
    for user in ("alice", "bob", "carol"):
        sc.attempt(user, "fin04", dc=DC2)
        sc.attempt(user, "web01", ok=True, dc=DC2)
    before = save(tmp_path, "before", sc.run(until=boundary)[1])
    after = save(tmp_path, "after", sc.run(since=boundary)[1])
    code, document = compared(before, after)
    assert categories(document) == {
        ("dc", None, "fin04"): "still-failing",
        ("host", None, "fin04"): "new",
    }
    gone = entry_of(document, "dc", None, "fin04")
    assert gone["after"] is None
    assert gone["reason"].startswith("3 failure(s) in its scope since BEFORE's end, the last")
    assert gone["reason"].endswith(f"(carol on fin04 through {DC2}), no success after it")
    assert code == 1


def test_a_new_refusal_that_protects_the_superuser_does_not_fail_the_comparison(
    tmp_path,
) -> None:
    sc = Scenario(tmp_path)
    sc.host("web01")
    for user in ("alice", "bob"):
        sc.attempt(user, "web01", ok=True)
    boundary = moment_after_last_event(sc)
    sc.attempt("root", "web01")  # refused as intended (-root): info, like the verdict says
    sc.attempt("alice", "web01", ok=True)
    before = save(tmp_path, "before", sc.run(until=boundary)[1])
    after = save(tmp_path, "after", sc.run(since=boundary)[1])
    code, document = compared(before, after)
    assert categories(document) == {("account", "root", None): "intended"}
    assert entry_of(document, "account", "root", None)["reason"].startswith(
        "not in BEFORE; refused on purpose (superuser): 1 failure(s)"
    )
    assert code == 0


def test_html_escapes_names_from_the_logs_and_allows_only_its_style(tmp_path) -> None:
    sc = Scenario(tmp_path)
    sc.host("web01", users=("alice", "bob", "carol", "dave"))
    for user in ("alice", "bob", "carol", "dave"):
        sc.attempt(user, "web01", ok=True)
    boundary = moment_after_last_event(sc)
    sc.attempt(HOSTILE, "web01")
    for user in ("alice", "bob", "carol", "dave"):
        sc.attempt(user, "web01", ok=True)
    before = save(tmp_path, "before", sc.run(until=boundary)[1])
    after = save(tmp_path, "after", sc.run(since=boundary)[1])
    code, html = compare(before, after, "--format", "html")
    assert code == 1
    assert "<script" not in html and "\x1b" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[2J on web01" in html
    style = re.search(r"<style>(.*?)</style>", html, re.S)[1]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy.replace("&#39;", "'") == (
        f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
    text = compare(before, after)[1]
    assert "\x1b" not in text and "<script>alert(1)</script>\\x1b[2J on web01" in text


def strip_new_fields(document: dict) -> dict:
    """The report as evtdiag wrote it before status, subject and host identities."""
    document.pop("host_identities")
    for problem in document["problems"]:
        for key in ("status", "subject", "last_failure", "resolved_at", "verified_by"):
            problem.pop(key)
    return document


def test_older_reports_without_status_subject_or_host_identities_still_compare(
    site, tmp_path
) -> None:
    older = {
        name: save(tmp_path, name, strip_new_fields(json.loads(site[name].read_text())))
        for name in ("before", "after")
    }
    code, document = compared(older["before"], older["after"])
    assert code == 1
    assert categories(document) == categories(compared(site["before"], site["after"])[1])
    still = entry_of(document, "pair", "dave", "web01")
    assert still["before"]["status"] == "open"
    assert still["before"]["subject"] == {
        "scope": "pair",
        "account": "dave",
        "host": "web01",
        "dc": "",
    }


def test_unreadable_or_foreign_json_is_a_usage_error(site, tmp_path) -> None:
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"schema": "something/2"}')
    code, message = compare(foreign, site["after"])
    assert code == 2 and "foreign.json is not an evtdiag report" in message
    broken = json.loads(site["after"].read_text())
    del broken["problems"][0]["scope"]
    path = save(tmp_path, "broken", broken)
    code, message = compare(site["before"], path)
    assert code == 2
    assert "broken.json is not a valid evtdiag/2 report: problems[0].scope: missing" in message
    not_json = tmp_path / "notes.json"
    not_json.write_text("not json")
    assert compare(not_json, site["after"])[0] == 2
