"""The collector script: run it with sh on a fake root and read what it packs."""

from __future__ import annotations

import shutil
import subprocess
import tarfile

import pytest

from evtdiag.hosts.collector import collect_script
from evtdiag.hosts.inventory import load_inventory
from evtdiag.hosts.policy import min_length_for
from evtdiag.hosts.ssoconf import decide
from tests.hosts import collector_run

H6 = "$6$rounds=5000$saltsalt$" + "k" * 86
H1 = "$1$abcdefgh$0123456789abcdefghijkl"
DES = "abCDefGHijKLm"
SSHA = "{ssha512}06$0123456789abcdef$ZZZZZZZZZZZZZZZZ"
KEY = "ABCDZ#efgh$12345xyzQW"
HOSTKEY = "Per-Host$Key9"
SECRETS = (H6, H1, DES, SSHA, KEY, HOSTKEY, "saltsalt", "0123456789abcdef")

pytestmark = pytest.mark.skipif(
    shutil.which("sh") is None or shutil.which("tar") is None, reason="needs sh and tar"
)


def fake_root(root):
    etc = root / "etc"
    (etc / "security").mkdir(parents=True)
    (root / "etc" / "opt" / "sso").mkdir(parents=True)
    (etc / "opt" / "sso" / "sso.conf").write_text(
        f"# ssod\r\nENCRYPT_KEY={KEY}\r\nSYNC_HOSTS=(dc1 6677 {HOSTKEY}) (dc2)\r\n"
        "SYNC_USERS=-root ALL\r\nCASE_IGNORE_NAME=1\r\n"
    )
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nold:x:100:100::/h:/bin/sh\n")
    (etc / "shadow").write_text(
        f"root:{H6}:19000:0:99999:7:::\nbob:{H1}:19000:0:99999:7:::\n"
        f"old:{DES}:19000:0:99999:7:::\nlk:!{H6}:19000:0:99999:7:::\n"
        "ns:*:19000:0:99999:7:::\nnp::19000:0:99999:7:::\n"
    )
    (etc / "login.defs").write_text("PASS_MIN_LEN 8\n")
    (etc / "security" / "passwd").write_text(
        f"alice:\n\tpassword = {SSHA}\n\tlastupdate = 1700000000\n\tflags = ADMCHG\n"
    )
    (etc / "security" / "user").write_text("default:\n\tminlen = 8\n")


def run_collector(tmp_path, *args):
    if not (tmp_path / "root").exists():
        fake_root(tmp_path / "root")
    return collector_run.run_collector(tmp_path, *args)


def test_script_is_posix_sh_text():
    text = collect_script()
    assert text.startswith("#!/bin/sh") and "EVTDIAG_ROOT" in text
    assert subprocess.run(["sh", "-n", "-c", text], check=False).returncode == 0


def test_collect_sanitises_and_inventory_reads(tmp_path):
    proc, out = run_collector(tmp_path)
    assert proc.returncode == 0, proc.stderr
    archive = out / "web01.tar.gz"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        blobs = {m.name: tar.extractfile(m).read().decode() for m in tar if m.isfile()}
    assert {
        "web01/sso.conf",
        "web01/passwd",
        "web01/shadow",
        "web01/login.defs",
        "web01/security/passwd",
        "web01/security/user",
        "web01/MANIFEST",
    } <= names
    everything = "".join(blobs.values()) + proc.stdout + proc.stderr
    for secret in SECRETS:
        assert secret not in everything
    assert "ENCRYPT_KEY=<redacted length=21 classes=digit,lower,punct,upper>" in everything
    assert "(dc1 6677 <redacted length=13 classes=digit,lower,punct,upper>) (dc2)" in everything
    assert "SYNC_USERS=-root ALL" in blobs["web01/sso.conf"]
    shadow = blobs["web01/shadow"]
    for token in (
        "root:<active/sha512>:19000",
        "bob:<active/md5>",
        "old:<active/des>",
        "lk:<locked/sha512>",
        "ns:<never-set/none>",
        "np:<no-password/none>",
    ):
        assert token in shadow
    assert "password = <active/ssha512>" in blobs["web01/security/passwd"]
    assert blobs["web01/passwd"].startswith("root:x:0:0:root:/root:/bin/sh")
    assert "file security/pwquality.conf: absent" in blobs["web01/MANIFEST"]
    # only the archive is left behind
    assert sorted(p.name for p in out.iterdir()) == ["web01.tar.gz"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("evtdiag.")] == []

    inv = load_inventory(str(out))
    h = inv.hosts[0]
    assert h.name == "web01" and h.warnings == ()
    assert h.sso.encrypt_key.length == 21 and h.sso.sync_hosts[0].key.length == 13
    assert {e.name: (e.status, e.scheme) for e in h.shadow}["lk"] == ("locked", "sha512")
    assert h.file("security/pwquality.conf").state == "absent"
    assert min_length_for(h.policy, "alice").value == 8
    assert not decide(h.sso, "root").allowed
    for secret in SECRETS:
        assert secret not in repr(inv)


def test_collect_with_explicit_sso_path(tmp_path):
    fake_root(tmp_path / "root")
    (tmp_path / "root" / "etc" / "opt" / "sso" / "sso.conf").rename(
        tmp_path / "root" / "etc" / "custom.conf"
    )
    proc, out = run_collector(tmp_path, "/etc/custom.conf")
    assert proc.returncode == 0, proc.stderr
    h = load_inventory(str(out)).hosts[0]
    assert h.file("sso.conf").state == "present" and h.sso.encrypt_key.length == 21


def test_collect_without_sso_conf(tmp_path):
    fake_root(tmp_path / "root")
    (tmp_path / "root" / "etc" / "opt" / "sso" / "sso.conf").unlink()
    proc, out = run_collector(tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "no sso.conf collected" in proc.stderr
    h = load_inventory(str(out)).hosts[0]  # the other files are still packed
    assert h.file("sso.conf").state == "absent" and h.sso is None
    assert h.file("passwd").state == "present"


@pytest.mark.parametrize(
    ("sync_hosts", "kept"),
    [
        ("(dc1 6677 ab)cdSECRET) (dc2 6677 x(yzSECRET2) (dc3)", "(dc1 6677 <redacted length=11"),
        ("(dc1 6677 0000)(SECRET00) (dc2)", "(dc1 6677 <redacted length=14"),
        ("(dc1 6677 SECRETtail", "SYNC_HOSTS=<redacted: not in the (host [port [key]]) form>"),
        ("(dc1 6677 SECRET) \\", "SYNC_HOSTS=(dc1 6677 <redacted length=6"),  # continued
    ],
)
def test_host_keys_with_parentheses_or_odd_lines_never_leave(tmp_path, sync_hosts, kept):
    fake_root(tmp_path / "root")
    conf = tmp_path / "root" / "etc" / "opt" / "sso" / "sso.conf"
    conf.write_text(f"SYNC_HOSTS={sync_hosts}\n")
    shadow = tmp_path / "root" / "etc" / "shadow"
    shadow.write_text(shadow.read_text() + f"colonless{H6}\n")
    proc, out = run_collector(tmp_path)
    assert proc.returncode == 0, proc.stderr
    with tarfile.open(out / "web01.tar.gz") as tar:
        blobs = {m.name: tar.extractfile(m).read().decode() for m in tar if m.isfile()}
    everything = "".join(blobs.values())
    assert "SECRET" not in everything and H6 not in everything
    assert kept in blobs["web01/sso.conf"]
    assert "first field is not an account name was removed" in blobs["web01/shadow"]


def test_lines_whose_layout_would_carry_a_secret_out_are_not_copied(tmp_path):
    root = tmp_path / "root"
    fake_root(root)
    conf = root / "etc" / "opt" / "sso" / "sso.conf"
    conf.write_text(conf.read_text() + f"SYNC_HOSTS=(dc3,6677,{HOSTKEY})\r\n")
    shadow = root / "etc" / "shadow"
    shadow.write_text(shadow.read_text() + f"bad3 {H6}:19000:0:99999:7:::\n")
    proc, out = run_collector(tmp_path)
    assert proc.returncode == 0, proc.stderr
    with tarfile.open(out / "web01.tar.gz") as tar:
        blobs = {m.name: tar.extractfile(m).read().decode() for m in tar if m.isfile()}
    everything = "".join(blobs.values())
    assert HOSTKEY not in everything and H6 not in everything and "saltsalt" not in everything
    assert "SYNC_HOSTS=<redacted: not in the (host [port [key]]) form>" in blobs["web01/sso.conf"]
    assert "first field is not an account name was removed" in blobs["web01/shadow"]
