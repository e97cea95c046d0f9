"""Numbers in configuration files are ASCII digits: any other digit (``²`` passes
``str.isdigit()`` but not ``int()``; ``٣`` passes both) is a warning at file:line, never
an exception that aborts ``report`` or ``check-config`` (Reliability v2, item 8)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from evtdiag.hosts import (
    parse_aix_security_passwd,
    parse_login_defs,
    parse_net_accounts,
    parse_passwd,
    parse_shadow,
    parse_sso_conf,
)
from evtdiag.hosts._text import ascii_int
from evtdiag.model import ConfigWarning
from tests.hosts.scenario import reports, run, write_psync_log

SUPERSCRIPT_TWO = "\u00b2"  # byte 0xB2 of a latin-1 file
ARABIC_INDIC_THREE = "\u0663"
MANY_DIGITS = "1" * 5000  # int() refuses more than 4,300 digits


@pytest.mark.parametrize(
    ("text", "signed", "expected"),
    [
        ("0", False, 0),
        ("6677", False, 6677),
        ("-1", True, -1),
        ("-1", False, None),
        ("", False, None),
        ("-", True, None),
        ("+1", True, None),
        (" 1", False, None),
        ("1\n", False, None),
        ("1" + SUPERSCRIPT_TWO, False, None),
        (ARABIC_INDIC_THREE, False, None),
        ("\uff11", False, None),  # full-width one
        ("9" * 18, False, 10**18 - 1),
        ("9" * 19, False, None),
        (MANY_DIGITS, False, None),
    ],
)
def test_ascii_int_reads_ascii_digits_only(text: str, signed: bool, expected: int | None) -> None:
    assert ascii_int(text, signed=signed) == expected


def _shadow(data: bytes, file: str) -> list[ConfigWarning]:
    return parse_shadow(data, file)[1]


def _passwd(data: bytes, file: str) -> list[ConfigWarning]:
    entries, warnings = parse_passwd(data, file)
    assert entries[-1].uid is None or entries[-1].gid is None
    return warnings


def _sso(data: bytes, file: str) -> list[ConfigWarning]:
    return list(parse_sso_conf(data, file).warnings)


def _net_accounts(data: bytes, file: str) -> list[ConfigWarning]:
    settings, warnings = parse_net_accounts(data, file)
    assert settings[-1].value is None
    return warnings


def _login_defs(data: bytes, file: str) -> list[ConfigWarning]:
    settings, warnings = parse_login_defs(data, file)
    assert settings[-1].value is None
    return warnings


def _aix_passwd(data: bytes, file: str) -> list[ConfigWarning]:
    entries, warnings = parse_aix_security_passwd(data, file)
    assert entries[-1].last_change is None
    return warnings


Parser = Callable[[bytes, str], list[ConfigWarning]]


@pytest.mark.parametrize(
    ("parse", "text", "line", "said"),
    [
        (_shadow, "root:!:19000:0:99999:7:::\nalice:!:19²00:0:99999:7:::\n", 2, "last change"),
        (_shadow, "alice:!:19000:0:99999:7::2²:\n", 1, "expiration date"),
        (_shadow, f"alice:!:{MANY_DIGITS}:0:99999:7:::\n", 1, "last change"),
        (_passwd, "root:x:0:0::/:/bin/sh\nalice:x:1²:100::/h:/bin/sh\n", 2, "uid or gid"),
        (_passwd, "alice:x:1001:1²::/h:/bin/sh\n", 1, "uid or gid"),
        (_passwd, f"alice:x:{MANY_DIGITS}:1::/h:/bin/sh\n", 1, "uid or gid"),
        (_sso, "SYNC_USERS=ALL\nSYNC_HOSTS=(dc01 66²77)\n", 2, "port of dc01"),
        (_sso, "PORT_NUMBER=66²77\n", 1, "PORT_NUMBER"),
        (_sso, "CASE_IGNORE_NAME=²\n", 1, "CASE_IGNORE_NAME: '²' is not a number"),
        (_sso, f"ENCRYPT_KEY=<redacted length={MANY_DIGITS} classes=upper>\nBAD\n", 2, ""),
        (_net_accounts, "Minimum password length:        1²\n", 1, "Minimum password length"),
        (_login_defs, f"PASS_MIN_LEN {ARABIC_INDIC_THREE}\n", 1, "PASS_MIN_LEN"),
        (_aix_passwd, "a:\n\tpassword = *\n\tlastupdate = 17²\n", 3, "lastupdate is not a number"),
    ],
)
def test_a_number_in_other_digits_is_a_warning_at_its_line(
    parse: Parser, text: str, line: int, said: str
) -> None:
    warnings = parse(text.encode(), "f")
    assert any(w.place.line == line and said in w.message for w in warnings), warnings


def test_case_ignore_name_in_other_digits_keeps_the_default() -> None:
    conf = parse_sso_conf("CASE_IGNORE_NAME=\u0660\n".encode(), "sso.conf")  # Arabic-Indic 0
    assert conf.case_ignore_name is True and conf.case_ignore_place is None


def test_check_config_and_report_warn_instead_of_aborting(tmp_path: Path) -> None:
    web = tmp_path / "hosts" / "web01"
    web.mkdir(parents=True)
    # latin-1 files: byte 0xB2 reads as a superscript two
    (web / "sso.conf").write_bytes(b"SYNC_HOSTS=(dc01 66\xb277)\nSYNC_USERS=ALL\n")
    (web / "passwd").write_bytes(b"root:x:0:0::/:/bin/sh\nalice:x:1\xb2:1::/h:/bin/sh\n")
    (web / "shadow").write_bytes(b"alice:!:19\xb200:0:99999:7:::\n")
    code, printed = run("check-config", "--hosts", str(tmp_path / "hosts"))
    assert code == 1, printed
    for where in ("sso.conf:1: SYNC_HOSTS: port", "passwd:2: alice: uid", "shadow:1: alice: last"):
        assert where in printed
    log = write_psync_log(tmp_path / "dc01.evtx", ("alice",), "web01")
    for fmt, output in reports(log, tmp_path / "hosts", tmp_path).items():
        assert "alice: uid or gid is not a number" in output, fmt
