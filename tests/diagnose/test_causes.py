"""Each cause rule, planted in a scenario written with the test EVTX writer: it fires with
the right scope, subject and evidence (file:line), and stays quiet when the fault is absent."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evtdiag.diagnose.causes import causes
from tests.diagnose.scenario import (
    DC1,
    DC2,
    DEFAULT_SSO,
    GOOD_KEY,
    Scenario,
    config_lines,
    only,
    problems,
)


def new_scenario(root: Path) -> Scenario:
    """A scenario whose logs also hold events of other providers, as real logs do."""
    scenario = Scenario(root)
    scenario.noise()
    return scenario


@pytest.fixture
def sc(tmp_path) -> Scenario:
    return new_scenario(tmp_path)


def healthy_hosts(sc: Scenario, *names: str) -> None:
    for name in names:
        sc.host(name)


def test_sync_users_excluded(sc: Scenario) -> None:
    sc.host("web01", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -bob"))
    healthy_hosts(sc, "db02")
    sc.attempt("bob", "web01", times=2)
    sc.attempt("bob", "db02", ok=True)
    sc.attempt("alice", "web01", ok=True)
    code, doc = sc.run()
    assert code == 1
    problem = only(doc, cause="sync-users-excluded")
    assert (problem["scope"], problem["account"], problem["host"]) == ("pair", "bob", "web01")
    assert config_lines(problem) == [("sso.conf", 8, "SYNC_USERS=-root -bob")]
    assert problem["basis"] == "inferred" and problem["event_count"] == 2


def test_sync_users_excluded_quiet_when_not_excluded(sc: Scenario) -> None:
    healthy_hosts(sc, "web01")
    sc.attempt("bob", "web01")
    _, doc = sc.run()
    assert not problems(doc, cause="sync-users-excluded")
    assert only(doc, account="bob")["cause"] == "unexplained"


def test_sync_users_not_listed(sc: Scenario) -> None:
    sc.host("web01", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=+alice +carol"))
    sc.attempt("bob", "web01")
    sc.attempt("alice", "web01", ok=True)
    _, doc = sc.run()
    problem = only(doc, cause="sync-users-not-listed")
    assert (problem["scope"], problem["account"], problem["host"]) == ("pair", "bob", "web01")
    assert config_lines(problem) == [("sso.conf", 8, "SYNC_USERS=+alice +carol")]


def test_name_case_mismatch(sc: Scenario) -> None:
    sso = DEFAULT_SSO.replace("CASE_IGNORE_NAME=1", "CASE_IGNORE_NAME=0")
    sc.host("mail05", sso=sso, users=("alice", "ksmith"))
    sc.attempt("KSmith", "mail05")
    sc.attempt("alice", "mail05", ok=True)
    _, doc = sc.run()
    problem = only(doc, cause="name-case-mismatch")
    assert (problem["scope"], problem["account"], problem["host"]) == ("pair", "KSmith", "mail05")
    assert config_lines(problem) == [
        ("sso.conf", 7, "CASE_IGNORE_NAME=0"),
        ("passwd", 3, "ksmith: uid 1002, shell /bin/bash"),
    ]
    assert "the UNIX account is 'ksmith'" in problem["detail"]


def test_name_case_is_ignored_by_default(sc: Scenario) -> None:
    sc.host("mail05", users=("alice", "ksmith"))
    sc.attempt("KSmith", "mail05")
    _, doc = sc.run()
    assert not problems(doc, cause="name-case-mismatch")
    assert not problems(doc, cause="unix-account-missing")


def test_unix_account_missing(sc: Scenario) -> None:
    sc.host("db02")
    sc.attempt("zoe", "db02")
    sc.attempt("alice", "db02", ok=True)
    _, doc = sc.run()
    problem = only(doc, cause="unix-account-missing")
    assert (problem["scope"], problem["account"], problem["host"]) == ("pair", "zoe", "db02")
    (missing,) = [e for e in problem["evidence"] if e["kind"] == "absence"]
    assert missing["file"].endswith("db02/passwd") and "no account 'zoe'" in missing["text"]


def test_unix_account_missing_needs_a_passwd_file(sc: Scenario) -> None:
    folder = sc.host("db02")
    (folder / "passwd").unlink()
    sc.attempt("zoe", "db02")
    _, doc = sc.run()
    assert not problems(doc, cause="unix-account-missing")
    problem = only(doc, account="zoe")
    assert problem["cause"] == "unexplained"
    assert any("passwd not supplied" in e["text"] for e in problem["evidence"])


@pytest.mark.parametrize(("event_id", "basis"), [(8204, "documented"), (12294, "inferred")])
def test_unix_account_disabled(sc: Scenario, event_id: int, basis: str) -> None:
    sc.host("web01", shadow={"dave": "!$6$FAKEsalt$FAKEhash"})
    sc.attempt("dave", "web01", event_id=event_id)
    _, doc = sc.run()
    problem = only(doc, cause="unix-account-disabled")
    assert problem["basis"] == basis
    assert config_lines(problem) == [
        ("shadow", 5, "dave: password locked (sha512 hash), last changed 2025-07-31")
    ]
    assert [e["subject"] for e in problem["evidence"] if e["kind"] == "config"] == ["dave"]
    assert "FAKEhash" not in str(doc)


def test_superuser(sc: Scenario) -> None:
    sc.host("web01")
    sc.attempt("root", "web01")
    sc.attempt("alice", "web01", ok=True)
    _, doc = sc.run()
    problem = only(doc, account="root")
    assert [c["cause"] for c in problem["causes"]] == ["superuser", "sync-users-excluded"]
    assert problem["severity"] == "info"
    assert config_lines(problem) == [("passwd", 1, "root: uid 0, shell /bin/bash")]
    assert [e["subject"] for e in problem["evidence"] if e["kind"] == "config"] == ["root"]


def test_password_file_mismatch_is_host_wide(sc: Scenario) -> None:
    sc.host("web01", sso=DEFAULT_SSO.replace("FILE_PATH=/etc/shadow", "FILE_PATH=/etc/passwd"))
    for user in ("alice", "bob"):
        sc.attempt(user, "web01")
    _, doc = sc.run()
    problem = only(doc, cause="password-file-mismatch")
    assert (problem["scope"], problem["host"], problem["account"]) == ("host", "web01", None)
    assert config_lines(problem) == [
        ("sso.conf", 5, "FILE_PATH=/etc/passwd"),
        ("sso.conf", 6, "USE_SHADOW=1"),
    ]


def test_aix_shadow_path_is_not_a_mismatch(sc: Scenario) -> None:
    sc.host(
        "fin04", sso=DEFAULT_SSO.replace("FILE_PATH=/etc/shadow", "FILE_PATH=/etc/security/passwd")
    )
    sc.attempt("alice", "fin04")
    _, doc = sc.run()
    assert not problems(doc, cause="password-file-mismatch")


def test_dc_not_in_sync_hosts(sc: Scenario) -> None:
    sc.host("fin04", sso=DEFAULT_SSO.replace(f"({DC1}) ({DC2})", f"({DC1})"))
    for user in ("alice", "bob"):
        sc.attempt(user, "fin04", ok=True, dc=DC1)
        sc.attempt(user, "fin04", dc=DC2)
    _, doc = sc.run()
    problem = only(doc, cause="dc-not-in-sync-hosts")
    assert (problem["scope"], problem["host"], problem["dc"]) == ("dc", "fin04", DC2)
    assert config_lines(problem) == [("sso.conf", 2, f"SYNC_HOSTS=({DC1})")]
    assert problem["event_count"] == 2


def test_dc_in_sync_hosts_by_short_name(sc: Scenario) -> None:
    sc.host("fin04", sso=DEFAULT_SSO.replace(f"({DC1}) ({DC2})", "(dc01) (DC02)"))
    sc.attempt("alice", "fin04", dc=DC2)
    _, doc = sc.run()
    assert not problems(doc, cause="dc-not-in-sync-hosts")


def test_no_host_config_names_the_names_tried(sc: Scenario) -> None:
    sc.host("web01")
    for user in ("alice", "bob"):  # two accounts refused: the pattern makes it the host's
        sc.attempt(user, "legacy07.corp.example.com")
    _, doc = sc.run()
    problem = only(doc, cause="no-host-config")
    assert (problem["scope"], problem["host"]) == ("host", "legacy07.corp.example.com")
    (missing,) = [e for e in problem["evidence"] if e["kind"] == "absence"]
    assert "names tried: legacy07.corp.example.com, legacy07" in missing["text"]
    assert doc["unmatched_hosts"] == ["legacy07.corp.example.com"]


def test_short_name_and_fqdn_match_the_same_host(sc: Scenario) -> None:
    sc.host("web01", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -bob"))
    sc.attempt("bob", "WEB01.corp.example.com")
    sc.attempt("bob", "web01", dc=DC2)
    _, doc = sc.run()
    problem = only(doc, cause="sync-users-excluded")
    assert problem["event_count"] == 2
    assert doc["unmatched_hosts"] == []


def test_windows_deny_group(sc: Scenario) -> None:
    sc.host("web01")
    sc.windows("PasswordPropDeny.txt", "svc_backup\nkrbtgt\n")
    sc.event(12289, "svc_backup", level=3)
    _, doc = sc.run()
    problem = only(doc, cause="windows-deny-group")
    assert (problem["scope"], problem["account"], problem["host"]) == (
        "account",
        "svc_backup",
        None,
    )
    assert problem["basis"] == "documented" and problem["doc_url"].endswith("dd364560(v=ws.10)")
    assert [(e["text"], e["subject"]) for e in problem["evidence"] if e["kind"] == "config"] == [
        ("svc_backup is listed in PasswordPropDeny", "svc_backup")
    ]


def test_windows_group_evidence_missing_is_said(sc: Scenario) -> None:
    sc.host("web01")
    sc.event(12289, "svc_backup", level=3)
    _, doc = sc.run(windows=False)
    problem = only(doc, cause="windows-deny-group")
    assert problem["evidence"][0] == {
        "kind": "absence",
        "file": None,
        "line": None,
        "text": "PasswordPropDeny membership not supplied (--windows)",
        "subject": None,
    }


def test_windows_not_in_allow_group(sc: Scenario) -> None:
    sc.host("web01")
    sc.windows("PasswordPropAllow.txt", "alice\nbob\n")
    sc.event(12290, "erin", level=3)
    sc.event(12290, "erin", level=3, dc=DC2)
    _, doc = sc.run()
    problem = only(doc, cause="windows-not-in-allow-group")
    assert (problem["scope"], problem["account"], problem["event_count"]) == ("account", "erin", 2)


def test_encryption_key_mismatch_shows_the_key_line_without_the_key(sc: Scenario) -> None:
    sc.host("build06")
    sc.attempt("alice", "build06", event_id=8203)
    _, doc = sc.run()
    problem = only(doc, cause="encryption-key-mismatch")
    assert (problem["scope"], problem["host"], problem["basis"]) == (
        "host",
        "build06",
        "documented",
    )
    assert config_lines(problem) == [
        ("sso.conf", 3, "ENCRYPT_KEY=<21 characters: upper, lower, digit, punct>")
    ]
    assert GOOD_KEY not in str(doc)


def test_unknown_host(sc: Scenario) -> None:
    sc.host("web01")
    sc.event(8200, "oldbox.corp.example.com")
    _, doc = sc.run()
    problem = only(doc, cause="unknown-host")
    assert (problem["scope"], problem["host"]) == ("host", "oldbox.corp.example.com")
    assert [c["cause"] for c in problem["causes"]] == ["unknown-host", "no-host-config"]


def test_untrusted_host(sc: Scenario) -> None:
    sc.host("web01")
    sc.event(8226, "unix07.corp.example.com")  # 8226 names the host only
    sc.event(8226, "unix07.corp.example.com", dc=DC2)
    _, doc = sc.run()
    problem = only(doc, cause="untrusted-host")
    assert (problem["scope"], problem["host"], problem["account"]) == (
        "host",
        "unix07.corp.example.com",
        None,
    )
    assert (problem["basis"], problem["event_count"]) == ("documented", 2)
    assert problem["doc_url"].endswith("dd364331(v=ws.10)")
    assert [c["cause"] for c in problem["causes"]] == ["untrusted-host"]


def test_unrecognized_password(sc: Scenario) -> None:
    sc.host("web01")
    sc.event(8230, "frank")  # 8230 names the user only
    sc.attempt("frank", "web01", ok=True)
    _, doc = sc.run()
    problem = only(doc, cause="unrecognized-password")
    assert (problem["scope"], problem["account"], problem["host"]) == ("account", "frank", None)
    assert problem["basis"] == "documented"
    assert problem["doc_url"].endswith("cc727543(v=ws.10)")
    assert [c["cause"] for c in problem["causes"]] == ["unrecognized-password"]


def test_encryption_key_policy(sc: Scenario) -> None:
    sc.host("web01")
    sc.event(12296, dc=DC2)  # 12296 names nothing: the DC's key policy
    sc.attempt("alice", "web01", ok=True)
    _, doc = sc.run()
    problem = only(doc, cause="encryption-key-policy")
    assert (problem["scope"], problem["account"], problem["host"]) == ("dc", None, None)
    assert problem["dc"].casefold() == DC2.casefold()
    assert (problem["basis"], problem["event_count"]) == ("documented", 1)
    assert problem["doc_url"].endswith("dd364337(v=ws.10)")


def test_unexplained_walks_through_the_checklist(sc: Scenario) -> None:
    sc.host("web01")
    sc.attempt("alice", "web01")
    _, doc = sc.run()
    problem = only(doc, cause="unexplained")
    assert (
        "password policy" in problem["remediation"]
        and "PasswordPropAllow" in problem["remediation"]
    )


def test_without_hosts_a_refusal_is_unexplained_and_the_fix_is_to_collect(tmp_path) -> None:
    from click.testing import CliRunner

    from evtdiag.cli import cli

    sc = Scenario(tmp_path)
    sc.attempt("alice", "web01")
    result = CliRunner().invoke(cli, ["report", *map(str, sc.write_logs()), "--format", "json"])
    import json

    doc = json.loads(result.stdout)
    assert not problems(doc, cause="no-host-config")  # none was looked for
    problem = only(doc, cause="unexplained")
    assert problem["evidence"][0]["text"] == "no host configurations supplied (--hosts)"
    assert "collect-script" in problem["remediation"] and "--hosts" in problem["remediation"]
    assert any("--hosts" in note for note in doc["notes"])


def test_an_event_without_its_host_says_so(sc: Scenario) -> None:
    sc.host("web01")
    sc.event(12294, "bob")  # the host insert is missing
    _, doc = sc.run()
    problem = only(doc, cause="incomplete-event")
    assert problem["account"] == "bob" and problem["detail"] == "Missing: host."
    assert not problems(doc, cause="unexplained")


def test_quoted_sync_users_is_read_without_its_quotes_and_warned(sc: Scenario) -> None:
    sc.host("web01", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", 'SYNC_USERS="-root -bob"'))
    sc.attempt("bob", "web01")
    sc.attempt("alice", "web01", ok=True)
    _, doc = sc.run()
    assert only(doc, account="bob")["cause"] == "sync-users-excluded"
    assert any("in quotes" in w["message"] for w in doc["config_warnings"])


def test_a_never_set_password_counts_as_disabled(sc: Scenario) -> None:
    sc.host("web01", shadow={"erin": "*"})
    sc.attempt("erin", "web01", event_id=8204)
    _, doc = sc.run()
    problem = only(doc, cause="unix-account-disabled")
    assert config_lines(problem) == [
        ("shadow", 6, "erin: password never-set (none hash), last changed 2025-07-31")
    ]


def test_an_expired_account_counts_as_disabled(sc: Scenario) -> None:
    folder = sc.host("web01")
    shadow = (
        (folder / "shadow")
        .read_text()
        .replace(
            "carol:$6$FAKEsalt$FAKEhash:20300:0:99999:7:::",
            "carol:$6$FAKEsalt$FAKEhash:20300:0:99999:7::20330:",
        )
    )
    (folder / "shadow").write_text(shadow)
    sc.attempt("carol", "web01", event_id=8204)  # the events are in September 2026
    _, doc = sc.run()
    problem = only(doc, cause="unix-account-disabled")
    assert problem["detail"] == "The account expired on 2025-08-30, before the failure."
    assert config_lines(problem) == [("shadow", 4, "carol: account expired on 2025-08-30")]


def test_an_inline_comment_is_not_read_as_user_names(sc: Scenario) -> None:
    sc.host(
        "web01", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root    # never root")
    )
    sc.attempt("zoe", "web01")  # not in passwd
    sc.attempt("alice", "web01", ok=True)
    _, doc = sc.run()
    assert only(doc, account="zoe")["cause"] == "unix-account-missing"
    assert any("read as a comment" in w["message"] for w in doc["config_warnings"])


def test_a_missing_account_on_a_nis_host_says_it_may_come_from_nis(sc: Scenario) -> None:
    sc.host("web01", passwd_extra="+@unixusers::::::\n+::::::\n")
    sc.attempt("zoe", "web01")
    _, doc = sc.run()
    problem = only(doc, cause="unix-account-missing")
    assert "may come from the NIS maps" in problem["detail"]
    assert any(e["text"] == "NIS include line (+/-)" for e in problem["evidence"])


def scenario_tests() -> list[Callable[[Scenario], None]]:
    """The tests of this file that take a scenario and nothing else."""
    return [
        test
        for name, test in globals().items()
        if name.startswith("test_")
        and callable(test)
        and list(inspect.signature(test).parameters) == ["sc"]
    ]


def test_every_cause_code_is_the_cause_of_a_scenario_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run this file's scenario tests again, recording the cause of every problem their
    reports give: a registered cause code that none of them gives has no scenario test."""
    given: set[str] = set()
    run = Scenario.run

    def recorded(self: Scenario, **options: Any) -> tuple[int, dict]:
        code, document = run(self, **options)
        given.update(problem["cause"] for problem in document["problems"])
        return code, document

    monkeypatch.setattr(Scenario, "run", recorded)
    for number, test in enumerate(scenario_tests()):
        root = tmp_path / str(number)
        root.mkdir()
        test(new_scenario(root))
    missing = [code for code in causes.codes if code not in given]
    assert not missing, f"no scenario test in this file gives these causes: {missing}"
