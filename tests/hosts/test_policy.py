"""UNIX password policy files."""

from __future__ import annotations

from evtdiag.hosts.model import UnixPolicy
from evtdiag.hosts.policy import (
    min_length_for,
    parse_aix_security_user,
    parse_login_defs,
    parse_pwquality,
)


def test_login_defs():
    data = (
        b"# x\nPASS_MAX_DAYS\t99999\nPASS_MIN_DAYS 1\nPASS_MIN_LEN    8\n"
        b"UMASK 022\nPASS_MIN_LEN x\n"
    )
    settings, warnings = parse_login_defs(data, "login.defs")
    assert [(s.name, s.value, s.place.line) for s in settings] == [
        ("max_days", 99999, 2),
        ("min_days", 1, 3),
        ("min_length", 8, 4),
        ("min_length", None, 6),
    ]
    assert warnings[0].place.line == 6
    assert UnixPolicy(settings).get("min_length").value is None  # last wins


def test_pwquality():
    settings, warnings = parse_pwquality(b"# minlen = 3\n minlen = 12 \ndcredit=-1\n", "pwq")
    assert [(s.name, s.value, s.place.line) for s in settings] == [("minlen", 12, 2)]
    assert warnings == []


def test_aix_user_default_applies():
    data = (
        b"default:\n\tminlen = 8\n\taccount_locked = false\n\n"
        b"alice:\n\tminlen = 12\n\nbob:\n\taccount_locked = true\n\ncarol:\n\tminlen = x\n"
    )
    users, warnings = parse_aix_security_user(data, "security/user")
    by = {u.name: u for u in users}
    assert by["alice"].minlen == 12 and by["alice"].account_locked is False
    assert by["bob"].minlen == 8 and by["bob"].account_locked is True
    assert warnings[0].place.line == 12
    pol = UnixPolicy((), users)
    assert min_length_for(pol, "alice").value == 12
    assert min_length_for(pol, "nobody").value == 8


def test_min_length_falls_back_to_pwquality():
    settings, _ = parse_pwquality(b"minlen = 9\n", "pwq")
    assert min_length_for(UnixPolicy(settings), "x").value == 9


def test_policy_hostile():
    junk = b"\x00" * 1000 + b"\n" + b"P" * (10 * 1024 * 1024)
    assert parse_login_defs(junk, "l")[0] == ()
    assert len(parse_pwquality(junk, "q")[1]) == 2
    parse_aix_security_user(junk, "u")
