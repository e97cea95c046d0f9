"""Scope classification: host, account, DC and pair problems, and their overlaps."""

from __future__ import annotations

import pytest

from tests.diagnose.scenario import DC1, DC2, DEFAULT_SSO, Scenario, only, problems


@pytest.fixture
def sc(tmp_path) -> Scenario:
    return Scenario(tmp_path)


def listed_only(*names: str) -> str:
    return DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=" + " ".join(f"+{n}" for n in names))


def test_a_host_that_refuses_everyone_is_one_host_problem(sc: Scenario) -> None:
    sc.host("app03", sso=listed_only("nobody"))
    sc.host("web01")
    for user in ("alice", "bob", "carol", "dave"):
        sc.attempt(user, "app03", times=2)
        sc.attempt(user, "web01", ok=True)
    _, doc = sc.run()
    assert len(doc["problems"]) == 1
    problem = doc["problems"][0]
    assert (problem["scope"], problem["host"], problem["cause"]) == (
        "host",
        "app03",
        "sync-users-not-listed",
    )
    assert problem["event_count"] == 8
    assert problem["accounts"] == ["alice", "bob", "carol", "dave"]


def test_unexplained_refusals_of_nearly_everyone_are_a_host_problem(sc: Scenario) -> None:
    sc.host("web01")
    for user in ("alice", "bob", "carol", "dave"):
        sc.attempt(user, "web01")
    sc.attempt("erin", "web01", ok=True)  # 4 of 5 = 80 %
    _, doc = sc.run()
    problem = only(doc, scope="host")
    assert problem["cause"] == "unexplained" and "4 of the 5 accounts" in problem["scope_reason"]


def test_refusals_of_a_minority_stay_pairs(sc: Scenario) -> None:
    sc.host("web01")
    sc.attempt("alice", "web01")
    sc.attempt("bob", "web01")
    for user in ("carol", "dave", "erin"):
        sc.attempt(user, "web01", ok=True)
    _, doc = sc.run()
    assert [p["scope"] for p in doc["problems"]] == ["pair", "pair"]


def test_an_account_refused_everywhere_is_one_account_problem(sc: Scenario) -> None:
    excluded = DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -frank")
    for host in ("web01", "db02", "mail05"):
        sc.host(host, sso=excluded, users=("alice", "frank"))
        sc.attempt("frank", host)
        sc.attempt("alice", host, ok=True)
    _, doc = sc.run()
    problem = only(doc, scope="account")
    assert (problem["account"], problem["cause"], problem["host"]) == (
        "frank",
        "sync-users-excluded",
        None,
    )
    assert [
        (line["file"].split("/")[-2], line["line"])
        for line in problem["evidence"]
        if line["kind"] == "config"
    ] == [("db02", 8), ("mail05", 8), ("web01", 8)]
    assert len(doc["problems"]) == 1


def test_host_and_account_problems_overlap_and_each_event_is_explained_once(sc: Scenario) -> None:
    # app03 lists only alice: it refuses nearly everyone, a host problem. frank is
    # excluded on every other host: an account problem. frank on app03 belongs to the
    # host problem (the events show no account cause there).
    excluded = DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -frank")
    sc.host("app03", sso=listed_only("alice"), users=("alice", "bob", "carol", "dave", "frank"))
    for host in ("web01", "db02"):
        sc.host(host, sso=excluded, users=("alice", "bob", "carol", "dave", "frank"))
    for user in ("alice", "bob", "carol", "dave", "frank"):
        for host in ("app03", "web01", "db02"):
            refused = user == "frank" or (host == "app03" and user != "alice")
            sc.attempt(user, host, ok=not refused)
    _, doc = sc.run()
    host = only(doc, scope="host")
    account = only(doc, scope="account")
    assert (host["host"], host["cause"], host["accounts"]) == (
        "app03",
        "sync-users-not-listed",
        ["bob", "carol", "dave", "frank"],
    )
    assert (account["account"], account["cause"]) == ("frank", "sync-users-excluded")
    assert account["hosts"] == ["db02", "web01"]
    explained = [(e["source"], e["record_id"]) for p in doc["problems"] for e in p["events"]]
    failures = [(e["source"], e["record_id"]) for e in sc.reported if e["outcome"] == "failure"]
    assert sorted(explained) == sorted(failures)


def test_failures_through_one_dc_only_are_a_dc_problem(sc: Scenario) -> None:
    sc.host("fin04")  # lists both DCs: the cause is not in the configuration
    for user in ("alice", "bob", "carol"):
        sc.attempt(user, "fin04", ok=True, dc=DC1)
        sc.attempt(user, "fin04", dc=DC2)
    _, doc = sc.run()
    problem = only(doc, scope="dc")
    assert (problem["host"], problem["dc"], problem["cause"]) == ("fin04", DC2, "unexplained")
    assert "only through DC02.corp.example.com" in problem["scope_reason"]
    assert doc["audit"] and doc["audit"][-1]["rule"] == "dc-config-inconsistent"


def test_problem_ids_are_stable(sc: Scenario) -> None:
    sc.host("web01")
    sc.attempt("alice", "web01")
    first = sc.run()[1]["problems"][0]["id"]
    second = sc.run()[1]["problems"][0]["id"]
    assert first == second and first.startswith("P-")


def test_problems_are_ordered_by_scope(sc: Scenario) -> None:
    sc.host("app03", sso=listed_only("alice"))
    sc.host("web01", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -bob"))
    sc.host("db02")
    for user in ("bob", "carol"):
        sc.attempt(user, "app03")
    sc.attempt("bob", "web01")
    sc.attempt("bob", "db02", ok=True)  # bob works somewhere: web01's refusal is a pair
    sc.attempt("alice", "web01", ok=True)
    sc.event(12289, "svc", level=3)
    _, doc = sc.run()
    assert [p["scope"] for p in doc["problems"]] == ["host", "account", "pair"]
    assert problems(doc, scope="pair")[0]["cause"] == "sync-users-excluded"


def test_an_account_refused_everywhere_for_different_reasons_is_one_problem_per_cause(
    sc: Scenario,
) -> None:
    # The pattern (bob refused by every host he was sent to) decides the scope; the
    # configurations give two causes, so the account scope holds one problem per cause.
    sc.host("web01", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -bob"))
    sc.host("web02", users=("alice",))  # no bob here
    for host in ("web01", "web02"):
        sc.attempt("bob", host)
        sc.attempt("alice", host, ok=True)
    _, doc = sc.run()
    found = sorted((p["scope"], p["account"], p["hosts"], p["cause"]) for p in doc["problems"])
    assert found == [
        ("account", "bob", ["web01"], "sync-users-excluded"),
        ("account", "bob", ["web02"], "unix-account-missing"),
    ]
    assert {p["scope_reason"] for p in doc["problems"]} == {
        "refused by 2 of the 2 hosts it was sent to"
    }


def test_excluded_accounts_that_happen_to_use_one_dc_are_not_a_dc_problem(sc: Scenario) -> None:
    sc.host("fin01", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -frank -grace"),
            users=("alice", "bob", "frank", "grace"))  # fmt: skip
    for user in ("alice", "bob"):
        sc.attempt(user, "fin01", ok=True, dc=DC1)
    for user in ("frank", "grace"):  # their site's DC is DC02
        sc.attempt(user, "fin01", dc=DC2)
    _, doc = sc.run()
    assert not problems(doc, scope="dc")
    assert {p["cause"] for p in doc["problems"]} == {"sync-users-excluded"}
    assert not [a for a in doc["audit"] if a["rule"] == "dc-config-inconsistent"]


def test_counts_are_by_identity_not_spelling(sc: Scenario) -> None:
    sc.host("web01", users=("alice", "ksmith"))
    for user, host in (("KSmith", "web01"), ("ksmith", "WEB01.corp.example.com"),
                       ("CORP\\ksmith", "web01")):  # fmt: skip
        sc.attempt(user, host)
    sc.attempt("alice", "web01", ok=True)
    _, doc = sc.run()
    assert doc["counts"] == {
        "accounts": 2,
        "accounts_failing": 1,
        "accounts_open": 1,
        "hosts": 1,
        "hosts_failing": 1,
        "hosts_open": 1,
        "pairs": 2,
        "pairs_open": 1,
    }


def test_open_counts_name_accounts_and_hosts_with_a_problem_of_their_own(sc: Scenario) -> None:
    # app03 refuses everyone (a host problem naming 4 accounts); carol alone is refused
    # by web01 (a pair: db02 takes her). Only carol has a problem of her own, and only
    # app03 and web01: the host problem's accounts are not "accounts with an open problem".
    sc.host("app03", sso=listed_only("nobody"))
    sc.host("web01", users=("alice", "bob", "dave"))
    sc.host("db02", users=("carol",))
    for user in ("alice", "bob", "carol", "dave"):
        sc.attempt(user, "app03", times=2)
        sc.attempt(user, "web01", ok=user != "carol")
    sc.attempt("carol", "db02", ok=True)
    _, doc = sc.run()
    assert sorted((p["scope"], p["cause"]) for p in doc["problems"]) == [
        ("host", "sync-users-not-listed"),
        ("pair", "unix-account-missing"),
    ]
    counts = doc["counts"]
    assert (counts["accounts_open"], counts["hosts_open"]) == (1, 2)
    assert (counts["pairs_open"], counts["pairs"]) == (5, 9)
    assert (counts["accounts_failing"], counts["accounts"]) == (4, 4)
