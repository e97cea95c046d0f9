"""passwd, shadow and AIX security/passwd: hashes reduced at parse time."""

from __future__ import annotations

from datetime import date

import pytest

from evtdiag.hosts.accounts import (
    classify,
    parse_aix_security_passwd,
    parse_passwd,
    parse_shadow,
)

HASH6 = "$6$saltsalt$" + "Q" * 86


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (HASH6, ("active", "sha512")),
        ("$1$ab$cdefghijklmnopqrstuv", ("active", "md5")),
        ("$5$ab$cd", ("active", "sha256")),
        ("$2b$12$abcdefghijk", ("active", "bcrypt")),
        ("$2a$12$x", ("active", "bcrypt")),
        ("$2y$12$x", ("active", "bcrypt")),
        ("$y$j9T$abc$def", ("active", "yescrypt")),
        ("abCDefGHijKLm", ("active", "des")),
        ("{ssha512}06$abc", ("active", "ssha512")),
        ("{SMD5}xyz", ("active", "smd5")),
        ("", ("no-password", "none")),
        ("*", ("never-set", "none")),
        ("*NP*", ("never-set", "none")),
        ("!", ("locked", "none")),
        ("!!", ("locked", "none")),
        ("*LK*", ("locked", "none")),
        ("!" + HASH6, ("locked", "sha512")),
        ("<active/sha512>", ("active", "sha512")),
        ("<locked/sha512>", ("locked", "sha512")),
        ("<no-password/none>", ("no-password", "none")),
        ("<never-set/none>", ("never-set", "none")),
        ("weird", ("active", "unknown")),
    ],
)
def test_classify(field, expected):
    assert classify(field) == expected


def test_shadow_dates_and_no_hash_kept():
    data = f"root:{HASH6}:19000:0:99999:7::19500:\nbob:!!:0:0:99999:7:::\n".encode()
    entries, warnings = parse_shadow(data, "h/shadow")
    assert warnings == []
    root = entries[0]
    assert (root.status, root.scheme) == ("active", "sha512")
    assert root.last_change == date(2022, 1, 8) and root.expires == date(2023, 5, 23)
    assert root.place.line == 1
    assert HASH6 not in repr(entries) and "saltsalt" not in repr(entries)
    assert entries[1].status == "locked"


def test_shadow_malformed_lines_warn_without_quoting():
    data = f"nocolons\nroot:{HASH6}\n".encode()
    entries, warnings = parse_shadow(data, "s")
    assert [w.place.line for w in warnings] == [1, 2]
    assert HASH6 not in repr(warnings)
    assert entries == ()  # without its 9 fields, field 1 may be a hash, not a name


def test_passwd_fields_and_hash_in_passwd():
    data = (
        b"root:x:0:0:root:/root:/bin/bash\n+::::::\nold:abCDefGHijKLm:100:100::/h:/bin/sh\n"
        b"bad:x:zz:1::/:/bin/sh\nshort:x:1\n"
    )
    entries, warnings = parse_passwd(data, "p")
    root = entries[0]
    assert (root.name, root.uid, root.gid, root.shell) == ("root", 0, 0, "/bin/bash")
    assert root.password_status == "shadowed"
    assert entries[1].password_scheme == "des" and "abCDefGHijKLm" not in repr(entries)
    assert entries[2].uid is None
    assert sorted(w.place.line for w in warnings) == [2, 4, 5]


def test_aix_security_passwd():
    data = (
        b"* comment\nalice:\n\tpassword = {ssha512}06$abcHASH\n\tlastupdate = 1700000000\n"
        b"\tflags = ADMCHG,NOCHECK\n\nbob:\n\tpassword = *\n\ncarol:\n\tlastupdate = 1\n"
    )
    entries, warnings = parse_aix_security_passwd(data, "security/passwd")
    assert warnings == []
    a, b, c = entries
    assert (a.name, a.status, a.scheme) == ("alice", "active", "ssha512")
    assert a.last_change == date(2023, 11, 14) and a.flags == ("ADMCHG", "NOCHECK")
    assert a.place.line == 2
    assert b.status == "never-set" and c.status == "no-password"
    assert "abcHASH" not in repr(entries)


def test_hostile_account_files():
    data = b"x" * (10 * 1024 * 1024) + b"\n\x00\x01\x02:x:0\nroot:x:0:0::/:/bin/sh\n"
    entries, warnings = parse_passwd(data, "p")
    assert [e.name for e in entries] == ["root"]
    assert {w.place.line for w in warnings} == {1, 2}
    parse_shadow(data, "s")
    parse_aix_security_passwd(data, "a")


def test_nis_include_lines_in_shadow_are_not_accounts():
    from evtdiag.hosts.accounts import NIS_INCLUDE, parse_shadow

    entries, warnings = parse_shadow(b"+::::::::\nalice:!:19000:0:99999:7:::\n", "shadow")
    assert [e.name for e in entries] == ["alice"]
    assert [w.message for w in warnings] == [NIS_INCLUDE]


def test_shadow_expiry_zero_is_not_a_date_and_aix_values_may_be_quoted():
    from evtdiag.hosts.accounts import parse_shadow
    from evtdiag.hosts.policy import parse_aix_security_user

    (entry,), _ = parse_shadow(b"alice:$6$s$h:19000:0:99999:7::0:\n", "shadow")
    assert entry.expires is None
    stanzas, _ = parse_aix_security_user(
        b'carol:\n\taccount_locked = "true"\n\tminlen = "9"\n', "user"
    )
    assert stanzas[0].account_locked is True and stanzas[0].minlen == 9
