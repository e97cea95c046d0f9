"""``evtdiag check-config`` and ``collect-script``, and the secret canary."""

from __future__ import annotations

import subprocess

from evtdiag.cli import cli
from evtdiag.hosts.inventory import load_inventory
from evtdiag.hosts.windows import load_windows

CANARY_HASH = "$6$CANARYsalt$" + "C" * 86
CANARY_KEY = "CanaryKey#1234567890xy"
CANARY_HOST_KEY = "CanaryHostKey$9"
CANARIES = (CANARY_HASH, CANARY_KEY, CANARY_HOST_KEY, "CANARYsalt")


def make_hosts(root):
    web = root / "web01"
    web.mkdir(parents=True)
    (web / "sso.conf").write_text(
        f"ENCRYPT_KEY={CANARY_KEY}\nSYNC_HOSTS=(dc1 6677 {CANARY_HOST_KEY})\n"
        "SYNC_USERS=-root +alice\nBOGUS=1\n"
    )
    (web / "passwd").write_text("root:x:0:0::/:/bin/sh\nalice:x:1000:1000::/h:/bin/sh\n")
    (web / "shadow").write_text(
        f"root:{CANARY_HASH}:19000:0:99999:7:::\nalice:!{CANARY_HASH}:19000:0:99999:7:::\n"
    )
    return root


def make_windows(root):
    root.mkdir()
    (root / "PasswordPropDeny.txt").write_text("root\n")
    (root / "net-accounts.txt").write_text("Minimum password length:   7\n")
    return root


def test_check_config_output_and_warnings_exit_1(tmp_path, runner):
    hosts = make_hosts(tmp_path / "hosts")
    win = make_windows(tmp_path / "win")
    result = runner.invoke(cli, ["check-config", "--hosts", str(hosts), "--windows", str(win)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "sso.conf                 present" in out
    assert "login.defs               absent" in out
    assert "ENCRYPT_KEY=<22 characters: upper, lower, digit, punct>" in out
    assert "SYNC_USERS: only +alice except root" in out
    assert "sso.conf:4: unknown key BOGUS ignored" in out
    assert "PasswordPropAllow: not supplied" in out
    assert "everyone allowed" in out
    assert "policy min_length = 7" in out


def test_check_config_clean_exit_0(tmp_path, runner):
    (tmp_path / "web01").mkdir()
    (tmp_path / "web01" / "sso.conf").write_text("SYNC_USERS=ALL\n")
    result = runner.invoke(cli, ["check-config", "--hosts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "0 warning(s)" in result.output


def test_check_config_bad_path_exit_2(tmp_path, runner):
    result = runner.invoke(cli, ["check-config", "--hosts", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_collect_script_command(runner):
    result = runner.invoke(cli, ["collect-script"])
    assert result.exit_code == 0 and result.output.startswith("#!/bin/sh")


def test_canary_never_leaks(tmp_path, runner):
    hosts = make_hosts(tmp_path / "hosts")
    win = make_windows(tmp_path / "win")
    result = runner.invoke(cli, ["check-config", "--hosts", str(hosts), "--windows", str(win)])
    seen = result.output + (result.stderr if result.stderr_bytes else "")
    inv = load_inventory(str(hosts))
    seen += repr(inv) + repr(load_windows(str(win)))

    # collector on a fake root made of the same files, then the inventory of its archive
    script = tmp_path / "collect.sh"
    script.write_text(runner.invoke(cli, ["collect-script"]).output)
    fake = tmp_path / "root" / "etc"
    fake.mkdir(parents=True)
    for name in ("sso.conf", "passwd", "shadow"):
        (fake / name).write_bytes((hosts / "web01" / name).read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.run(
        ["sh", str(script), "-o", str(out)],
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "EVTDIAG_ROOT": str(tmp_path / "root"),
            "EVTDIAG_HOSTNAME": "web01",
            "TMPDIR": str(tmp_path),
        },
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    seen += proc.stdout + proc.stderr + repr(load_inventory(str(out)))
    result2 = runner.invoke(cli, ["check-config", "--hosts", str(out)])
    seen += result2.output
    written = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    import gzip

    written += gzip.decompress((out / "web01.tar.gz").read_bytes())
    for canary in CANARIES:
        assert canary not in seen
        assert canary.encode() not in written
    assert "<22 characters" in seen and "<redacted length=22" in written.decode("latin-1")
