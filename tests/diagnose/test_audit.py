"""Each best-practice audit rule: a firing case with its evidence, and a quiet case."""

from __future__ import annotations

import pytest

from tests.diagnose.scenario import DC1, DC2, DEFAULT_SSO, Scenario, audit

NET_GROUP = """Group name     {group}
Comment

Members

-------------------------------------------------------------------------------
{members}
The command completed successfully.
"""
NET_ACCOUNTS = """Force user logoff how long after time expires?:       Never
Minimum password age (days):                          {min_days}
Maximum password age (days):                          42
Minimum password length:                              {min_length}
Length of password history maintained:                24
The command completed successfully.
"""


@pytest.fixture
def sc(tmp_path) -> Scenario:
    scenario = Scenario(tmp_path)
    scenario.attempt("alice", "web01", ok=True)
    return scenario


def lines(finding: dict) -> list[tuple[str, int | None]]:
    return [(e["file"].split("/")[-1], e["line"]) for e in finding["evidence"] if e["file"]]


def subjects(finding: dict) -> list[str | None]:
    """The account each evidence item is about (what redaction hides), None for a setting."""
    return [e["subject"] for e in finding["evidence"]]


def test_quiet_configuration_has_no_finding(sc: Scenario) -> None:
    sc.host("web01")
    sc.windows("PasswordPropDeny.txt", "Administrator\n")
    sc.windows("Administrators.txt", "Administrator\n")
    sc.windows("net-accounts.txt", NET_ACCOUNTS.format(min_days=1, min_length=14))
    _, doc = sc.run()
    assert doc["audit"] == []


def test_sync_users_all_keyword(sc: Scenario) -> None:
    sc.host("web01", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=ALL -root"))
    (finding,) = audit(sc.run()[1], "sync-users-all-keyword")
    assert finding["host"] == "web01" and lines(finding) == [("sso.conf", 8)]


def test_superuser_not_excluded(sc: Scenario) -> None:
    sc.host("web01", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=ALL"))
    (finding,) = audit(sc.run()[1], "superuser-not-excluded")
    assert lines(finding) == [("sso.conf", 8), ("passwd", 1)]
    assert subjects(finding) == [None, "root"]


def test_superuser_excluded_is_quiet(sc: Scenario) -> None:
    sc.host("web01")
    assert audit(sc.run()[1], "superuser-not-excluded") == []


def test_admin_not_in_deny_group(sc: Scenario) -> None:
    sc.host("web01")
    sc.windows(
        "PasswordPropDeny.txt", NET_GROUP.format(group="PasswordPropDeny", members="svc_backup")
    )
    sc.windows("Domain Admins.txt", "CORP\\adm.jones\nsvc_backup\n")
    (finding,) = audit(sc.run()[1], "admin-not-in-deny-group")
    texts = [e["text"] for e in finding["evidence"]]
    assert texts[0] == "CORP\\adm.jones is a member of Domain Admins"
    assert not any("svc_backup is a member" in t for t in texts)
    assert subjects(finding) == ["CORP\\adm.jones", None]  # then: "none of them is in ..."


def test_disabled_account_not_blocked(sc: Scenario) -> None:
    sc.host("web01", shadow={"dave": "!$6$FAKEsalt$FAKEhash"})
    (finding,) = audit(sc.run()[1], "disabled-account-not-blocked")
    assert finding["host"] == "web01" and lines(finding) == [("shadow", 5), ("sso.conf", 8)]
    assert subjects(finding) == ["dave", None]


def test_disabled_account_blocked_by_deny_group_is_quiet(sc: Scenario) -> None:
    sc.host("web01", shadow={"dave": "!$6$FAKEsalt$FAKEhash"})
    sc.windows("PasswordPropDeny.txt", "dave\n")
    assert audit(sc.run()[1], "disabled-account-not-blocked") == []


def test_locked_system_account_is_not_reported(sc: Scenario) -> None:
    sc.host("web01", passwd_extra="daemon:x:2:2::/:/usr/sbin/nologin\n", shadow={"daemon": "!*"})
    assert audit(sc.run()[1], "disabled-account-not-blocked") == []


def test_case_sensitive_names(sc: Scenario) -> None:
    sc.host("web01", sso=DEFAULT_SSO.replace("CASE_IGNORE_NAME=1", "CASE_IGNORE_NAME=0"))
    (finding,) = audit(sc.run()[1], "case-sensitive-names")
    assert lines(finding) == [("sso.conf", 7)]


def test_password_file_mismatch(sc: Scenario) -> None:
    sc.host("web01", sso=DEFAULT_SSO.replace("USE_SHADOW=1", "USE_SHADOW=0"))
    (finding,) = audit(sc.run()[1], "password-file-mismatch")
    assert lines(finding) == [("sso.conf", 5), ("sso.conf", 6)]


def test_policy_weaker_than_unix(sc: Scenario) -> None:
    sc.host("web01", files={"login.defs": "PASS_MIN_LEN 8\nPASS_MIN_DAYS 2\n"})
    sc.windows("net-accounts.txt", NET_ACCOUNTS.format(min_days=1, min_length=7))
    findings = audit(sc.run()[1], "policy-weaker-than-unix")
    assert sorted(lines(f)[1] for f in findings) == [("login.defs", 1), ("login.defs", 2)]


def test_policy_as_strict_is_quiet(sc: Scenario) -> None:
    sc.host("web01", files={"login.defs": "PASS_MIN_LEN 8\n"})
    sc.windows("net-accounts.txt", NET_ACCOUNTS.format(min_days=0, min_length=8))
    assert audit(sc.run()[1], "policy-weaker-than-unix") == []


def test_legacy_crypt_8_char(sc: Scenario) -> None:
    sc.host("build06", shadow={"alice": "FAKEdes12345A", "bob": "FAKEdes12345B"})
    (finding,) = audit(sc.run()[1], "legacy-crypt-8-char")
    assert finding["host"] == "build06" and "2 account(s): alice, bob" in finding["explanation"]
    assert subjects(finding) == ["alice", "bob"]


def test_weak_encrypt_key_never_shows_the_key(sc: Scenario) -> None:
    sso = DEFAULT_SSO.replace("ENCRYPT_KEY=Abcdefghij#1234567890", "ENCRYPT_KEY=shortkey1234")
    sc.host("mail05", sso=sso)
    doc = sc.run()[1]
    (finding,) = audit(doc, "weak-encrypt-key")
    assert finding["evidence"][0]["text"] == "ENCRYPT_KEY=<12 characters: lower, digit>"
    assert "shortkey1234" not in str(doc)


def test_dc_config_inconsistent(sc: Scenario) -> None:
    sc.host("web01")
    sc.host("db02")
    sc.attempt("bob", "db02", ok=True, dc=DC1)  # DC02 never sends to db02
    sc.attempt("bob", "web01", ok=True, dc=DC2)
    (finding,) = audit(sc.run()[1], "dc-config-inconsistent")
    assert finding["host"] == "db02" and "DC02.corp.example.com never did" in finding["explanation"]


def test_dc_config_inconsistent_is_one_finding_for_many_hosts(sc: Scenario) -> None:
    for n in range(30):
        sc.attempt("bob", f"host{n:02d}", ok=True, dc=DC1)
    sc.attempt("bob", "web01", ok=True, dc=DC2)
    (finding,) = audit(sc.run()[1], "dc-config-inconsistent")
    assert finding["host"] is None and "host00, host01" in finding["explanation"]
    assert "and 10 more" in finding["explanation"] and len(finding["evidence"]) == 5


def test_locked_accounts_follow_uid_min_and_max(sc: Scenario) -> None:
    sc.host(
        "web01",
        passwd_extra="olduser:x:600:600::/h:/bin/sh\nnfsnobody:x:65534:65534::/:/sbin/nologin\n",
        shadow={"olduser": "!!", "nfsnobody": "!!"},
        files={"login.defs": "UID_MIN 500\nUID_MAX 60000\n"},
    )
    (finding,) = audit(sc.run()[1], "disabled-account-not-blocked")
    assert "olduser is locked" in finding["explanation"]


def test_locked_aix_system_stanzas_are_not_reported(sc: Scenario) -> None:
    stanzas = "default:\n\tminlen = 8\n\ndaemon:\n\taccount_locked = true\n"
    sc.host("fin04", passwd_extra="daemon:x:1:1::/etc:/bin/false\n",
            files={"security/user": stanzas})  # fmt: skip
    assert audit(sc.run()[1], "disabled-account-not-blocked") == []


def test_admin_groups_are_followed_through_nested_groups(sc: Scenario) -> None:
    sc.host("web01")
    sc.windows("PasswordPropDeny.txt", "Domain Admins\nkrbtgt\n")
    sc.windows("Domain Admins.txt", "Administrator\nadm.jones\n")
    sc.windows("Administrators.txt", "Administrator\nDomain Admins\nEnterprise Admins\nops.lee\n")
    (finding,) = audit(sc.run()[1], "admin-not-in-deny-group")
    texts = [e["text"] for e in finding["evidence"]]
    assert texts[0] == "ops.lee is a member of Administrators"
    assert "1 account(s) concerned" in finding["explanation"]
    assert "group Enterprise Admins not supplied: its members were not checked" in texts


def test_a_key_longer_than_21_characters_is_outside_the_policy(sc: Scenario) -> None:
    long_key = "Abcdefghij#1234567890XYZ"  # 24 characters
    sc.host(
        "web01",
        sso=DEFAULT_SSO.replace("ENCRYPT_KEY=Abcdefghij#1234567890", f"ENCRYPT_KEY={long_key}"),
    )
    (finding,) = audit(sc.run()[1], "weak-encrypt-key")
    assert finding["evidence"][0]["text"].startswith("ENCRYPT_KEY=<24 characters")
