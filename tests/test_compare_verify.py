"""Verification that tells the truth (issue 23): fix a host's configuration in a copy of
the site, compare BEFORE with AFTER reports built by the engine, with and without the
retry that proves the fix."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.diagnose.scenario import DEFAULT_SSO, Scenario, only
from tests.test_compare import compare, compared

USERS = ("alice", "bob", "carol", "dave", "ksmith")
HOSTS = ("web01", "db02", "mail05")
BROKEN = {("KSmith", "mail05"), ("dave", "web01"), ("carol", "db02")}
"""KSmith: mail05 compares names exactly; dave: locked on web01; carol: no account on db02."""


def demo_site(root: Path) -> Scenario:
    """A small site like the README demo: a name-case mismatch on mail05, a locked and a
    missing account, a wrong key on app03, and root refused on purpose everywhere."""
    sc = Scenario(root)
    sc.host("web01", users=USERS, shadow={"dave": "!$6$FAKEsalt$FAKEhash"})
    sc.host("db02", users=("alice", "bob", "dave", "ksmith"))
    sc.host(
        "mail05", users=USERS, sso=DEFAULT_SSO.replace("CASE_IGNORE_NAME=1", "CASE_IGNORE_NAME=0")
    )
    sc.host("app03", users=USERS, sso=DEFAULT_SSO.replace("Abcdefghij#1234567890", "Wrong#key123"))
    for user in ("alice", "bob", "carol", "dave", "KSmith", "root"):
        for host in HOSTS:
            sc.attempt(user, host, ok=user != "root" and (user, host) not in BROKEN)
        sc.attempt(user, "app03", event_id=8203)
    return sc


def fixed_copy(sc: Scenario, host: str, old: str, new: str) -> None:
    """Point the scenario at a copy of its host configurations with ``old`` replaced by
    ``new`` in ``host``'s sso.conf, as an admin fixes a copy of the collected files."""
    copy = sc.root / f"hosts-fixed-{len(list(sc.root.glob('hosts-fixed-*')))}"
    shutil.copytree(sc.hosts_dir, copy)
    sso = copy / host / "sso.conf"
    assert old in sso.read_text()
    sso.write_text(sso.read_text().replace(old, new))
    sc.hosts_dir = copy


def report(sc: Scenario, name: str) -> Path:
    path = sc.root / f"{name}.json"
    path.write_text(json.dumps(sc.run()[1]))
    return path


def by_subject(document: dict) -> dict[tuple, dict]:
    """(scope, account, host, cause as BEFORE names it, else AFTER) -> entry."""
    found = {}
    for entry in document["problems"]:
        problem = entry["before"] or entry["after"]
        key = (problem["scope"], problem["account"], problem["host"], problem["cause"])
        found[key] = entry
    return found


KSMITH = ("pair", "KSmith", "mail05", "name-case-mismatch")
ROOT = ("account", "root", None, "superuser")


@pytest.fixture
def mail05_fixed(tmp_path) -> tuple[Scenario, Path, Path]:
    """The site, BEFORE's report, and AFTER's once mail05 ignores case, no new event."""
    sc = demo_site(tmp_path)
    before = report(sc, "before")
    assert only(json.loads(before.read_text()), account="KSmith")["cause"] == KSMITH[3]
    fixed_copy(sc, "mail05", "CASE_IGNORE_NAME=0", "CASE_IGNORE_NAME=1")
    return sc, before, report(sc, "after")


def test_a_fix_without_a_retry_is_not_yet_verified_with_the_retry_to_make(mail05_fixed) -> None:
    _, before, after = mail05_fixed
    code, document = compared(before, after)
    entries = by_subject(document)
    ksmith = entries[KSMITH]
    assert ksmith["category"] == "not-yet-verified"
    assert ksmith["after"]["cause"] == "unexplained"  # what AFTER alone can say of it
    assert ksmith["reason"] == (
        "configuration changed: cause name-case-mismatch no longer found — retry to verify"
    )
    assert ksmith["retry"] == "retry KSmith on mail05"
    # The others are found as before and nothing was tried since: none is still failing.
    assert {key: e["category"] for key, e in entries.items() if key != KSMITH} == {
        ("host", None, "app03", "encryption-key-mismatch"): "unchanged",
        ("pair", "dave", "web01", "unix-account-disabled"): "unchanged",
        ("pair", "carol", "db02", "unix-account-missing"): "unchanged",
        ROOT: "intended",
    }
    assert document["new_events"] == 0 and document["nothing_new"] is False
    assert code == 0
    code, text = compare(before, after)
    assert code == 0
    assert "Still failing" not in text
    assert re.search(
        r"Not yet verified: 1\n  pair KSmith on mail05 \[name-case-mismatch -> unexplained\]\n"
        r"      configuration changed: cause name-case-mismatch no longer found — retry to "
        r"verify\n      retry KSmith on mail05\n",
        text,
    )
    assert "AFTER has no attempt after BEFORE's last event" in text
    assert "      once fixed, retry dave on web01\n" in text
    code, html = compare(before, after, "--format", "html")
    assert "<strong>retry KSmith on mail05</strong>" in html
    assert "AFTER has no attempt after BEFORE&#39;s last event" in html


def test_a_success_after_the_fix_makes_it_fixed_and_only_intended_refusals_exit_0(
    mail05_fixed,
) -> None:
    sc, before, _ = mail05_fixed
    sc.attempt("KSmith", "mail05", ok=True)
    sc.attempt("root", "web01")  # refused again, on purpose
    code, document = compared(before, report(sc, "after-retry"))
    entries = by_subject(document)
    assert entries[KSMITH]["category"] == "fixed"
    assert re.fullmatch(
        r"verified 2026-09-01 \d\d:\d\d:00 by a success of KSmith on mail05 through "
        r"DC01\.corp\.example\.com",
        entries[KSMITH]["reason"],
    )
    assert entries[ROOT]["category"] == "intended"
    assert entries[ROOT]["reason"].startswith("refused on purpose: 1 failure(s) in its scope")
    assert document["new_events"] == 2
    assert code == 0


def test_a_failure_after_before_ends_is_still_failing_and_exits_1(mail05_fixed) -> None:
    sc, before, _ = mail05_fixed
    sc.attempt("dave", "web01")
    code, document = compared(before, report(sc, "after-dave"))
    dave = by_subject(document)[("pair", "dave", "web01", "unix-account-disabled")]
    assert dave["category"] == "still-failing" and dave["retry"] is None
    assert re.fullmatch(
        r"1 failure\(s\) in its scope since BEFORE's end, the last 2026-09-01 \d\d:\d\d:00 "
        r"\(dave on web01 through DC01\.corp\.example\.com\), no success after it",
        dave["reason"],
    )
    assert code == 1


def test_a_report_compared_with_itself_has_nothing_new(mail05_fixed) -> None:
    _, before, _ = mail05_fixed
    code, document = compared(before, before)
    assert document["nothing_new"] is True and document["new_events"] == 0
    assert {e["category"] for e in document["problems"]} == {"unchanged", "intended"}
    assert code == 0
    code, text = compare(before, before)
    assert text.splitlines()[0].startswith("evtdiag compare: nothing new to compare (")
    assert code == 0
    code, html = compare(before, before, "--format", "html")
    assert "nothing new to compare" in html and code == 0


def test_sections_come_in_the_order_a_ticket_wants(mail05_fixed) -> None:
    """Every category at once: KSmith retried (fixed), erin refused on db02 (new), dave
    refused again (still failing), carol's account added on db02 and not retried (not
    yet verified), app03 untouched (unchanged), root (intended)."""
    sc, before, _ = mail05_fixed
    passwd = sc.hosts_dir / "db02" / "passwd"
    passwd.write_text(passwd.read_text() + "carol:x:1101:100::/home/carol:/bin/bash\n")
    sc.attempt("KSmith", "mail05", ok=True)
    sc.attempt("dave", "web01")
    sc.attempt("erin", "db02")
    code, text = compare(before, report(sc, "after-all"))
    headings = [line for line in text.splitlines() if re.match(r"^[A-Z][a-z ]+: \d+$", line)]
    assert headings == [
        "Fixed: 1",
        "New: 1",
        "Still failing: 1",
        "Not yet verified: 1",
        "Unchanged: 1",
        "Intended: 1",
    ]
    assert text.splitlines()[0] == (
        "evtdiag compare: 1 fixed, 1 new, 1 still failing, 1 not yet verified, 1 unchanged, "
        "1 intended"
    )
    assert "      retry carol on db02\n" in text
    assert code == 1
    document = compared(before, report(sc, "after-all-json"))[1]
    assert [e["category"] for e in document["problems"]] == [
        "fixed",
        "new",
        "still-failing",
        "not-yet-verified",
        "unchanged",
        "intended",
    ]


def test_a_dc_problem_not_yet_verified_names_the_dc_to_change_the_password_on(tmp_path) -> None:
    sc = Scenario(tmp_path)
    dc1, dc2 = "DC01.corp.example.com", "DC02.corp.example.com"
    sc.host("web01")
    sc.host("fin04", sso=DEFAULT_SSO.replace(f"SYNC_HOSTS=({dc1}) ({dc2})", f"SYNC_HOSTS=({dc1})"))
    for user in ("alice", "bob", "carol"):
        sc.attempt(user, "fin04", ok=True, dc=dc1)
        sc.attempt(user, "fin04", dc=dc2)
        sc.attempt(user, "web01", ok=True, dc=dc2)
    before = report(sc, "before")
    fixed_copy(sc, "fin04", f"SYNC_HOSTS=({dc1})", f"SYNC_HOSTS=({dc1}) ({dc2})")
    code, document = compared(before, report(sc, "after"))
    (entry,) = document["problems"]
    assert entry["category"] == "not-yet-verified"
    assert entry["before"]["cause"] == "dc-not-in-sync-hosts"
    assert entry["retry"] == (
        f"retry alice (or any account sent there) on fin04 through {dc2} "
        "(change the password on that DC)"
    )
    assert code == 0


def test_refusals_naming_only_the_account_or_the_host_count_as_failures_since(tmp_path) -> None:
    """A Windows-side refusal (12290: the account only) and an unknown host (8200: the
    host only) after BEFORE's end keep their problems still failing; dave, refused by
    web01 before and not tried since, is unchanged."""
    sc = Scenario(tmp_path)
    sc.host("web01", shadow={"dave": "!$6$FAKEsalt$FAKEhash"})
    for user in ("alice", "bob", "carol", "dave"):
        sc.attempt(user, "web01", ok=user != "dave")
    for _ in range(3):
        sc.event(12290, "erin")
        sc.event(8200, "ghost07")
    before = report(sc, "before")
    sc.event(12290, "erin")
    sc.event(8200, "ghost07")
    code, document = compared(before, report(sc, "after"))
    categories = {
        (e["before"]["scope"], e["before"]["account"] or e["before"]["host"]): e["category"]
        for e in document["problems"]
    }
    assert categories == {
        ("account", "erin"): "still-failing",
        ("host", "ghost07"): "still-failing",
        ("pair", "dave"): "unchanged",
    }
    reasons = {
        e["before"]["account"] or e["before"]["host"]: e["reason"] for e in document["problems"]
    }
    assert re.search(r"the last 2026-09-01 \d\d:\d\d:00 \(erin through DC01", reasons["erin"])
    assert re.search(r"the last 2026-09-01 \d\d:\d\d:00 \(ghost07 through DC01", reasons["ghost07"])
    assert document["new_events"] == 2 and code == 1
