"""Diagnosis v2: the event pattern decides the scope, time decides the status, the verdict
counts what is still open (issue 11's scenarios, written with the test EVTX writer)."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLE_LOGS
from tests.diagnose.scenario import DC1, DC2, DEFAULT_SSO, Scenario, only, problems

DC4 = "DC04.corp.example.com"
HOSTS = tuple(f"h{n:02d}" for n in range(1, 13))


@pytest.fixture
def sc(tmp_path) -> Scenario:
    return Scenario(tmp_path)


def shapes(document: dict) -> list[tuple]:
    """What the scope of each problem is, and about whom (not why)."""
    return sorted(
        (p["scope"], p["account"], p["host"], p["dc"], tuple(p["accounts"]), tuple(p["hosts"]))
        for p in document["problems"]
    )


def scope_of_each_failure(document: dict) -> dict[tuple, str]:
    return {(e["source"], e["record_id"]): p["scope"] for p in document["problems"]
            for e in p["events"]}  # fmt: skip


def test_the_demo_logs_alone_sort_the_failures_as_the_logs_with_configurations(runner) -> None:
    import json

    from evtdiag.cli import cli

    logs = [str(p) for p in sorted(SAMPLE_LOGS.glob("*.evtx"))]
    configured = ["--hosts", str(SAMPLE_LOGS / "hosts"), "--windows", str(SAMPLE_LOGS / "windows")]
    with_configs = runner.invoke(cli, ["report", *logs, *configured, "--format", "json", "-q"])
    alone = runner.invoke(cli, ["report", *logs, "--format", "json", "-q"])
    full, bare = json.loads(with_configs.stdout), json.loads(alone.stdout)
    assert shapes(full) == shapes(bare)
    assert scope_of_each_failure(full) == scope_of_each_failure(bare)
    causes = {(p["scope"], p["host"] or p["account"]): p["cause"] for p in bare["problems"]}
    # What the event ids document holds without any configuration.
    assert causes[("host", "build06")] == "encryption-key-mismatch"
    assert causes[("pair", "web01.corp.example.com")] == "unix-account-disabled"
    assert causes[("account", "root")] == "superuser"
    assert causes[("account", "frank")] == "unexplained"
    assert only(bare, scope="dc")["host"] == "FIN04"
    # web01 and mail05 accept most accounts: no host problem there.
    assert not [p for p in bare["problems"] if p["scope"] == "host" and "web01" in p["host"]]
    assert not [p for p in bare["problems"] if p["scope"] == "host" and "mail05" in p["host"]]
    unexplained = only(bare, scope="pair", host="db02.corp.example.com")
    assert unexplained["cause"] == "unexplained" and "collect-script" in unexplained["remediation"]


def missing_dc4(sc: Scenario) -> None:
    """Twelve hosts list DC01 and DC02 but not DC04, promoted later: every password changed
    at DC04 fails everywhere; the same accounts get through when changed at DC01/02."""
    for host in HOSTS:
        sc.host(host)
    for user in ("alice", "bob", "carol", "dave"):
        for dc in (DC1, DC2, DC4):
            for host in HOSTS:
                sc.attempt(user, host, ok=dc != DC4, dc=dc)


@pytest.mark.parametrize("with_hosts", [True, False])
def test_a_dc_missing_from_every_sync_hosts_is_one_dc_wide_problem(
    sc: Scenario, with_hosts: bool
) -> None:
    missing_dc4(sc)
    code, doc = sc.run(hosts=with_hosts)
    assert code == 1
    problem = only(doc, scope="dc")
    assert len(doc["problems"]) == 1
    assert (problem["dc"], problem["host"]) == (DC4, None)
    assert problem["hosts"] == list(HOSTS)
    assert problem["event_count"] == 4 * 12
    assert "failed on 12 of the 12 hosts" in problem["scope_reason"]
    assert problem["cause"] == ("dc-not-in-sync-hosts" if with_hosts else "unexplained")
    assert problem["status"] == "open"


def test_a_dc_problem_stays_open_while_its_host_succeeds_through_another_dc(
    sc: Scenario,
) -> None:
    sc.host("fin04", sso=DEFAULT_SSO.replace(f"SYNC_HOSTS=({DC1}) ({DC2})", f"SYNC_HOSTS=({DC1})"))
    for user in ("alice", "bob", "carol"):
        sc.attempt(user, "fin04", dc=DC2)
    for user in ("alice", "bob", "carol"):  # later, through DC01 only
        sc.attempt(user, "fin04", ok=True, dc=DC1)
    code, doc = sc.run()
    problem = only(doc, scope="dc")
    assert (problem["host"], problem["dc"], problem["cause"]) == (
        "fin04",
        DC2,
        "dc-not-in-sync-hosts",
    )
    assert problem["status"] == "open" and problem["resolved_at"] is None
    assert doc["verdict"] == "warning" and code == 1


def test_a_key_fixed_mid_period_is_resolved_and_the_verdict_counts_the_rest(
    sc: Scenario,
) -> None:
    sc.host("build06")
    sc.host("web01", users=("alice", "bob", "carol"))  # no dave: a pair that stays
    for user in ("alice", "bob", "carol"):
        sc.attempt(user, "build06", event_id=8203, times=2)
    sc.attempt("dave", "web01")
    for user in ("alice", "bob", "carol"):  # the key was corrected
        sc.attempt(user, "build06", ok=True)
        sc.attempt(user, "web01", ok=True)
    sc.attempt("dave", "web01")
    code, doc = sc.run()
    key = only(doc, scope="host", host="build06")
    assert (key["cause"], key["status"], key["severity"]) == (
        "encryption-key-mismatch",
        "resolved",
        "info",
    )
    assert key["cause_severity"] == "error"
    assert key["resolved_at"] > key["last_failure"]
    assert key["verified_by"]["kind"] == "event" and "host build06" in key["verified_by"]["text"]
    pair = only(doc, scope="pair")
    assert (pair["account"], pair["cause"], pair["status"]) == ("dave", "unix-account-missing",
                                                                "open")  # fmt: skip
    assert doc["verdict"] == "warning" and code == 1
    assert any("1 problem(s) were fixed" in r for r in doc["verdict_reasons"])


def test_everything_fixed_means_operational_and_exit_0_with_the_history_listed(
    sc: Scenario, runner
) -> None:
    sc.host("build06")
    for user in ("alice", "bob"):
        sc.attempt(user, "build06", event_id=8203)
    for user in ("alice", "bob"):
        sc.attempt(user, "build06", ok=True)
    code, doc = sc.run()
    assert (doc["verdict"], code) == ("operational", 0)
    assert [(p["scope"], p["status"]) for p in doc["problems"]] == [("host", "resolved")]
    from evtdiag.cli import cli

    text = runner.invoke(cli, ["report", *map(str, sc.write_logs()), "--success-id", "12291",
                               "--hosts", str(sc.hosts_dir), "--format", "text", "-q"])  # fmt: skip
    assert text.exit_code == 0
    assert "No open problems." in text.stdout
    resolved = text.stdout.split("Resolved problems", 1)[1]
    assert "host build06" in resolved and "verified" in resolved


def test_an_8204_whose_lock_is_gone_is_still_a_disabled_account_and_resolved(
    sc: Scenario,
) -> None:
    sc.host("web01")  # the shadow collected after the unlock: dave is active
    sc.attempt("dave", "web01", event_id=8204, times=3)
    for user in ("alice", "bob", "dave"):
        sc.attempt(user, "web01", ok=True)
    _, doc = sc.run()
    problem = only(doc, account="dave")
    assert (problem["cause"], problem["basis"], problem["status"]) == (
        "unix-account-disabled",
        "documented",
        "resolved",
    )
    assert "no longer shows a lock" in problem["detail"]
    assert any("dave: password active" in e["text"] for e in problem["evidence"])


def test_an_account_problem_is_not_resolved_by_hosts_that_never_refused_it(
    sc: Scenario,
) -> None:
    excluded = DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -frank")
    refusing = ("web01", "db02", "app03", "fin04")
    for host in refusing:
        sc.host(host, sso=excluded)
    sc.host("mail05")
    for host in refusing:  # 4 of the 5 hosts he is sent to: an account problem
        sc.attempt("frank", host)
    sc.attempt("frank", "mail05", ok=True)  # later, but mail05 never refused him
    _, doc = sc.run()
    problem = only(doc, account="frank")
    assert problem["scope"] == "account" and problem["status"] == "open"


@pytest.mark.parametrize(
    ("member", "severity"),
    [("adm.jones", "info"), ("svc_backup", "info"), ("carol", "error")],
)
def test_the_deny_group_protecting_an_admin_or_service_account_is_intended(
    sc: Scenario, member: str, severity: str
) -> None:
    sc.host("web01")
    sc.windows("PasswordPropDeny.txt", f"{member}\n")
    sc.windows("Administrators.txt", "adm.jones\n")
    sc.event(12289, member, level=3)
    sc.attempt("alice", "web01", ok=True)
    code, doc = sc.run()
    problem = only(doc, cause="windows-deny-group")
    assert problem["severity"] == severity
    if severity == "info":
        assert "intended protection" in problem["detail"]
        assert (doc["verdict"], code) == ("operational", 0)
    else:
        assert (doc["verdict"], code) == ("warning", 1)


def test_a_host_tried_by_one_account_follows_the_documented_cause(sc: Scenario) -> None:
    sc.host("build06")
    sc.host("web01")
    sc.attempt("alice", "build06", event_id=8203)
    sc.attempt("alice", "web01", ok=True)
    sc.attempt("bob", "web01", ok=True)
    _, doc = sc.run()
    problem = only(doc, host="build06")
    assert problem["scope"] == "host"
    assert "cannot tell the host from the pair" in problem["scope_reason"]
    assert not problems(doc, scope="pair")
