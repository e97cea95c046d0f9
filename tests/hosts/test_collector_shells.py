"""The collector under ``sh``, ``dash`` and ``busybox sh`` on hostile sso.conf, shadow and
passwd layouts: every planted key and hash is looked for in the archive's bytes (as
written, and in UTF-16), and evtdiag reads what is left as ssod reads the original
(issue 26, item 3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evtdiag.hosts.inventory import load_inventory
from evtdiag.hosts.ssoconf import KNOWN_KEYS
from tests.hosts.collector_run import SHELLS, archive_files, run_collector

KEYS = {
    "one": "KEYoneQ7x!pl",
    "two": "KEYtwoR8y?mq",
    "three": "KEYthreeS9z=",
    "old": "OLDkeyT0w#nr",
    "typo": "TYPOkeyU1v%ks",
    "glued": "GLUEDkeyV2u&jt",
}
DES = "abCDefGHijKLm"
HASHES = {
    "sha512": "$6$PlantSalt$" + "H" * 86,
    "des": DES,
    "md5": "$1$PlantMd5$ZZZZYYYYXXXXWWWWVVVVUU",
}
SECRETS = (*KEYS.values(), *HASHES.values(), "PlantSalt", "PlantMd5")

SSO = (
    "# ssod configuration\n"
    f"SYNC_HOSTS=(dc01 6677 {KEYS['one']}) \\\n"
    f"(dc02 6677 {KEYS['two']}) # second DC\n"
    "ENCRYPT_KEY=\\\n"
    f"{KEYS['three']}\n"
    f"CASE_IGNORE_NAME=0 # old key was {KEYS['old']}\n"
    f"# ENCRYPT_KEY={KEYS['old']}\n"
    f"ENCRYPTKEY={KEYS['typo']}\n"
    f"just {KEYS['glued']} words\n"
    "SYNC_USERS=-root -m.wei\u00df +\u0130lker +\U0001f600x ALL\n"
    "PORT_NUMBER=6677\n"
)
"""Line 10 is SYNC_USERS, line 11 PORT_NUMBER, whatever the line ends."""

LAYOUTS = {
    "utf-8 lf": SSO.encode(),
    "utf-8 crlf": SSO.replace("\n", "\r\n").encode(),
    "cr only": SSO.replace("\n", "\r").encode(),
    "utf-8 bom": SSO.encode("utf-8-sig"),
    "utf-16le bom": SSO.encode("utf-16"),  # little-endian here: BOM FF FE
    "utf-16be bom": b"\xfe\xff" + SSO.replace("\n", "\r\n").encode("utf-16-be"),
    "nul in key": SSO.replace(f"ENCRYPTKEY={KEYS['typo']}", f"ENCRYPT_KEY=ab\0{KEYS['typo']}")
    .replace(f"just {KEYS['glued']}", f"just\0{KEYS['glued']}")
    .encode(),
    "continued at the end": (SSO + f"ENCRYPT_KEY={KEYS['glued']} \\").encode(),
}

SHADOW = (
    f"root:{HASHES['sha512']}:19000:0:99999:7:::\n"
    f"{DES}:19000:0:99999:7:::\n"  # the name left out: the DES hash is field 1
    f":{HASHES['md5']}:19000:0:99999:7:::\n"  # an empty name
    f"alice:{HASHES['sha512'][:14]}:{HASHES['sha512'][14:]}:19000:0:99999:7:::\n"  # ':' in
    f"bob {HASHES['md5']}:19000:0:99999:7:::\n"
    f"carol:!{HASHES['md5']}:19000:0:99999:7:::\r\n"
    "+:::::::\n"
)
PASSWD = (
    "root:x:0:0:root:/root:/bin/sh\n"
    f"{DES}:0:0::/:/bin/sh\n"  # the name left out
    f"legacy:{DES}:100:100::/h:/bin/sh\n"
    "+@netgroup\n"
)

AIX_PASSWD = (
    f"alice:\n\tpassword = {{ssha512}}06{HASHES['sha512']}\n\tlastupdate = 1700000000\n"
    "\tflags = ADMCHG\n\n"
    f"bad3 {{ssha256}}06{HASHES['md5']}:\n\tpassword = *\n\n"  # a hash glued to the name
    f"bob:\n\tpasswrd = {HASHES['md5']}\n"  # a misspelled attribute
    f"{HASHES['sha512']}\n"  # a hash slid onto a line of its own
    f'\tpassword = "{DES}"\r\n'
    f"* old password was {DES}\n"
)


def _fake_root(root: Path, sso: bytes) -> None:
    (root / "etc" / "security").mkdir(parents=True)
    (root / "etc" / "sso.conf").write_bytes(sso)
    (root / "etc" / "shadow").write_text(SHADOW)
    (root / "etc" / "passwd").write_text(PASSWD)
    (root / "etc" / "security" / "passwd").write_text(AIX_PASSWD)


def _leaks(blob: bytes) -> list[str]:
    """The planted secrets found in ``blob``: as written, in UTF-16, or in part (the
    first eight characters of each)."""
    found = []
    for secret in SECRETS:
        forms = {secret[:8], secret[-8:]}
        encoded = [f.encode(e) for f in forms for e in ("utf-8", "utf-16-le", "utf-16-be")]
        if any(form in blob for form in encoded):
            found.append(secret)
    return found


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("shell", SHELLS)
def test_no_planted_secret_reaches_the_archive(tmp_path: Path, shell: str, layout: str) -> None:
    _fake_root(tmp_path / "root", LAYOUTS[layout])
    proc, out = run_collector(tmp_path, shell=shell)
    assert proc.returncode == 0, proc.stderr
    files = archive_files(out)
    assert {"web01/sso.conf", "web01/shadow", "web01/passwd", "web01/security/passwd"} <= set(files)
    leaked = {name: _leaks(blob) for name, blob in files.items() if _leaks(blob)}
    assert leaked == {}, files
    assert _leaks((proc.stdout + proc.stderr).encode()) == []

    sso = files["web01/sso.conf"].decode()
    lines = sso.split("\n")
    assert lines[1] == (
        "SYNC_HOSTS=(dc01 6677 <redacted length=12 classes=digit,lower,punct,upper>) "
        "(dc02 6677 <redacted length=12 classes=digit,lower,punct,upper>) #"
    )
    assert lines[3] == "ENCRYPT_KEY=<redacted length=12 classes=digit,lower,punct,upper>"
    assert lines[2] == lines[4] == ""  # the lines the joined ones took
    assert lines[5] == "CASE_IGNORE_NAME=0 #"
    assert lines[9] == "SYNC_USERS=-root -m.wei\u00df +\u0130lker +\U0001f600x ALL"
    assert lines[10] == "PORT_NUMBER=6677"

    host = load_inventory(str(out)).hosts[0]
    assert host.sso is not None
    assert host.sso.encrypt_key.length in (12, len(KEYS["glued"]))
    assert [(h.host, h.key.length) for h in host.sso.sync_hosts] == [("dc01", 12), ("dc02", 12)]
    assert host.sso.get("SYNC_USERS").place.line == 10
    assert {e.name for e in host.sso.sync_users} >= {"m.wei\u00df", "\u0130lker"}
    assert not any("unknown key KEY" in w.message for w in host.sso.warnings)
    assert {e.name for e in host.shadow} == {"root", "carol", "alice", "bob"}
    assert {e.name for e in host.passwd} == {"root", "legacy"}
    aix = files["web01/security/passwd"].decode()
    assert "alice:\n\tpassword = <active/ssha512>\n" in aix
    assert "bob:\n* evtdiag: a line of no known form was removed\n" in aix
    assert "\tpassword = <active/des>\n" in aix


def test_collector_copies_exactly_the_keys_evtdiag_knows() -> None:
    """The script's list of keys whose values are copied is evtdiag's, less the two
    that hold keys: a key it does not know has its value redacted."""
    script = Path(__file__).parents[2] / "templates" / "collect-script.sh"
    listed = re.findall(r'^PLAIN_KEYS="([^"]*)"', script.read_text(), flags=re.MULTILINE)
    names = " ".join(listed).replace("$PLAIN_KEYS", "").split()
    assert len(names) == len(set(names))
    assert set(names) == set(KNOWN_KEYS) - {"ENCRYPT_KEY", "SYNC_HOSTS"}


@pytest.mark.parametrize("shell", SHELLS)
def test_a_host_without_sso_conf_fails_saying_so(tmp_path: Path, shell: str) -> None:
    (tmp_path / "root" / "etc").mkdir(parents=True)
    (tmp_path / "root" / "etc" / "passwd").write_text("alice:x:1000:1000::/h:/bin/sh\n")
    proc, out = run_collector(tmp_path, shell=shell)
    assert proc.returncode == 1, proc.stderr
    assert "no sso.conf collected" in proc.stderr
    assert "web01/passwd" in archive_files(out)  # what there was is still packed
