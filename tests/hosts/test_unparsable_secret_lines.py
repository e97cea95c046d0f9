"""A line that cannot be parsed, in a file that holds secrets (shadow, passwd, AIX
security/passwd, sso.conf's ENCRYPT_KEY and SYNC_HOSTS), is described by file, line and
what is wrong, never quoted: planted hashes and keys reach no output (Reliability v2,
item 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evtdiag.hosts import parse_aix_security_passwd, parse_passwd, parse_shadow, parse_sso_conf
from tests.hosts.scenario import reports, run, write_psync_log

SALT = "PlantedSalt"
HASH = f"$6${SALT}$PlantedHashThatMustNeverBeShown0123456789"
DES = "plAntEdDes4x"  # 13-character DES hashes have no '$' to recognise them by
HOST_KEY = "PlantedHostKey42x"
SECRETS = (SALT, "PlantedHash", DES, HOST_KEY)


def _shown(entries: object, warnings: object) -> str:
    """Everything a parse result could put in an output."""
    return repr(entries) + repr(warnings)


@pytest.mark.parametrize(
    "line",
    [
        f"bad3 {HASH}:19000:0:99999:7:::",  # a space instead of the first ':'
        f"bad3\t{HASH}:19000:0:99999:7:::",
        f"{HASH}:19000:0:99999:7:::",  # the name left out
        f"bad3{HASH}:19000:0:99999:7:::",  # the ':' left out
        f"bad3 {HASH}",
    ],
)
def test_shadow_line_with_a_name_that_is_no_name_is_described(line: str) -> None:
    entries, warnings = parse_shadow(f"root:!:19000:0:99999:7:::\n{line}\n".encode(), "shadow")
    assert [e.name for e in entries] == ["root"]
    assert [w.place.line for w in warnings] == [2]
    assert "not an account name" in warnings[0].message
    assert not any(s in _shown(entries, warnings) for s in SECRETS)


def test_shadow_field_count_warning_does_not_quote_the_name() -> None:
    """With a ':' missing after a DES hash glued to the name, the "name" holds the hash."""
    _, warnings = parse_shadow(f"bad3{DES}:19000:0:99999:7:::\n".encode(), "shadow")
    assert [w.message for w in warnings] == [
        "expected 9 ':'-separated fields, found 8; line skipped"
    ]


def test_shadow_line_without_its_name_is_skipped() -> None:
    """With the name left out, field 1 is the DES hash: it must not become a name."""
    entries, warnings = parse_shadow(f"{DES}:19000:0:99999:7:::\n".encode(), "shadow")
    assert entries == () and [w.place.line for w in warnings] == [1]
    assert DES not in _shown(entries, warnings)


def test_passwd_line_with_a_hash_in_the_name_field_is_described() -> None:
    data = f"root:x:0:0::/:/bin/sh\nbad3 {DES}:100:100::/h:/bin/sh:\n".encode()
    entries, warnings = parse_passwd(data, "passwd")
    assert [e.name for e in entries] == ["root"] and [w.place.line for w in warnings] == [2]
    assert DES not in _shown(entries, warnings)


def test_aix_stanza_header_that_is_no_name_is_dropped_with_its_stanza() -> None:
    data = (
        f"alice:\n\tpassword = *\nbad3 {{ssha256}}06{HASH}:\n\tlastupdate = x\n"
        "bob:\n\tpassword = *\n"
    ).encode()
    entries, warnings = parse_aix_security_passwd(data, "security/passwd")
    assert [e.name for e in entries] == ["alice", "bob"]
    assert [w.place.line for w in warnings] == [3]  # its attributes go with it
    assert "stanza header is not an account name" in warnings[0].message
    assert not any(s in _shown(entries, warnings) for s in SECRETS)


@pytest.mark.parametrize(
    "value",
    [f"(DC01,6677,{HOST_KEY})", f"(dc01, 6677, {HOST_KEY})", f"(dc01 6677 k) (DC02,{HOST_KEY})"],
)
def test_sync_hosts_with_commas_is_not_used_nor_shown(value: str) -> None:
    conf = parse_sso_conf(f"SYNC_USERS=ALL\nSYNC_HOSTS={value}\n".encode(), "sso.conf")
    assert conf.sync_hosts is None
    shown = conf.get("SYNC_HOSTS").text + repr(conf.warnings) + repr(conf.sync_hosts)
    assert HOST_KEY not in shown and "DC01," not in shown
    assert any(w.place.line == 2 and "commas" in w.message for w in conf.warnings)


def _planted_host(root: Path) -> Path:
    web = root / "hosts" / "web01"
    (web / "security").mkdir(parents=True)
    (web / "sso.conf").write_text(f"SYNC_HOSTS=(DC01,6677,{HOST_KEY})\nSYNC_USERS=ALL\n")
    (web / "passwd").write_text(
        f"root:x:0:0::/:/bin/sh\nalice:x:1001:1001::/h:/bin/sh\nbad3 {DES}:7:7::/h:/bin/sh:\n"
    )
    (web / "shadow").write_text(
        f"root:!:19000:0:99999:7:::\nalice:!:19000:0:99999:7:::\nbad3 {HASH}:19000:0:99999:7:::\n"
    )
    (web / "security" / "passwd").write_text(f"carol:\n\tpassword = *\nbad3 {HASH}:\n")
    return root / "hosts"


def test_planted_secrets_reach_no_output(tmp_path: Path) -> None:
    hosts = _planted_host(tmp_path)
    code, printed = run("check-config", "--hosts", str(hosts))
    outputs = {"check-config": printed}
    log = write_psync_log(tmp_path / "dc01.evtx", ("alice", "bad3"), "web01")
    for options in ((), ("--redact",)):
        out = tmp_path / "-".join(("out", *options))
        out.mkdir()
        found = reports(log, hosts, out, *options)
        outputs |= {f"{fmt} {' '.join(options)}": text for fmt, text in found.items()}
    assert len(outputs) == 7
    for output, text in outputs.items():
        leaked = [s for s in SECRETS if s.casefold() in text.casefold()]
        assert leaked == [], f"{output} shows {leaked}"
        assert "not an account name" in text, output
    described = (
        "sso.conf:1: SYNC_HOSTS is not a list",
        "web01/passwd:3: the first field is not",
        "shadow:3: the first field is not",
        "security/passwd:3: the stanza header is not",
    )
    assert code == 1 and all(d in printed for d in described), printed
