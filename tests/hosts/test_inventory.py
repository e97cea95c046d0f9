"""Host folders, archives, hosts.toml, path safety and name matching."""

from __future__ import annotations

import io
import os
import tarfile

import pytest

from evtdiag.hosts.inventory import load_inventory, toml_nesting
from evtdiag.hosts.policy import min_length_for
from tests.hosts.scenario import run


def write(path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())


def make_tar(path, members: dict[str, bytes], extra=None) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra or ():
            tar.addfile(info)


def test_folder_etc_and_absent_files(tmp_path):
    write(tmp_path / "web01" / "sso.conf", "SYNC_USERS=ALL\n")
    write(tmp_path / "web01" / "passwd", "root:x:0:0::/:/bin/sh\n")
    write(tmp_path / "web01" / "shadow", "")
    write(tmp_path / "app03" / "etc" / "sso.conf", "SYNC_USERS=+a\n")
    write(tmp_path / "app03" / "etc" / "security" / "pwquality.conf", "minlen = 9\n")
    inv = load_inventory(str(tmp_path))
    app, web = inv.hosts
    assert web.file("shadow").state == "present" and web.file("shadow").size == 0
    assert web.shadow == ()  # supplied but empty
    assert web.file("login.defs").state == "absent"
    assert app.sso.sync_users[0].name == "a"
    assert app.passwd is None and app.shadow is None  # not supplied
    assert min_length_for(app.policy, "x").value == 9
    assert inv.warnings == ()


def test_aix_host(tmp_path):
    write(tmp_path / "fin04" / "security" / "passwd", "alice:\n\tpassword = {ssha512}06$x\n")
    write(tmp_path / "fin04" / "security" / "user", "default:\n\tminlen = 8\n")
    h = load_inventory(str(tmp_path)).hosts[0]
    assert h.shadow[0].scheme == "ssha512"
    assert min_length_for(h.policy, "alice").value == 8


def test_tarball_in_memory_and_unsafe_members(tmp_path):
    evil_link = tarfile.TarInfo("db02/shadow")
    evil_link.type = tarfile.SYMTYPE
    evil_link.linkname = "/etc/shadow"
    make_tar(
        tmp_path / "db02.tar.gz",
        {
            "db02/sso.conf": b"SYNC_USERS=ALL\n",
            "db02/passwd": b"root:x:0:0::/:/bin/sh\n",
            "../escape": b"x",
            "/abs": b"x",
        },
        [evil_link],
    )
    before = set(os.listdir(tmp_path))
    inv = load_inventory(str(tmp_path))
    assert set(os.listdir(tmp_path)) == before  # nothing extracted
    h = inv.hosts[0]
    assert h.name == "db02" and h.sso is not None and h.passwd[0].name == "root"
    assert h.file("shadow").state == "absent"
    msgs = [w.message for w in h.warnings]
    assert msgs.count("unsafe member name refused") == 2
    assert "not a regular file (link or device): not read" in msgs


def test_host_archives_are_read_by_the_one_archive_reader_under_their_own_limits(
    tmp_path, monkeypatch
):
    """The archive reader of the logs, with the tighter limits of a collector archive:
    a host file that inflates past the member size is refused with that reason."""
    from evtdiag.archives import Limits
    from evtdiag.hosts import inventory

    make_tar(tmp_path / "web01.tar.gz", {"web01/sso.conf": b"SYNC_USERS=ALL\n" * 500})
    assert load_inventory(str(tmp_path)).hosts[0].sso is not None
    monkeypatch.setattr(inventory, "ARCHIVE_LIMITS", Limits(10, 4096, 1 << 20, 1 << 20))
    host = load_inventory(str(tmp_path)).hosts[0]
    assert host.sso is None
    messages = [w.message for w in host.warnings]
    assert "refused, more than 4,096 bytes once decompressed (a decompression bomb?)" in messages


def test_only_host_files_are_copied_from_a_host_archive(tmp_path, monkeypatch):
    """A collector archive padded with large other members (a bomb, or a whole /etc) costs
    neither memory nor disk: those members are passed over, never copied."""
    import zipfile

    from evtdiag import archives

    copied: list[int] = []
    real_copy = archives._copy

    def counting_copy(*args):
        copied.append(real_copy(*args))
        return copied[-1]

    monkeypatch.setattr(archives, "_copy", counting_copy)
    with zipfile.ZipFile(tmp_path / "web01.tgz", "w", zipfile.ZIP_DEFLATED) as out:
        for n in range(20):
            out.writestr(f"web01/junk{n}.bin", bytes(8 << 20))
        out.writestr("web01/etc/sso.conf", b"SYNC_USERS=ALL\n")
    host = load_inventory(str(tmp_path)).hosts[0]
    assert host.sso is not None and host.warnings == ()
    assert copied == [len(b"SYNC_USERS=ALL\n")]


def test_host_archive_limits_bound_what_is_held(tmp_path, monkeypatch):
    from evtdiag.archives import Limits
    from evtdiag.hosts import inventory

    monkeypatch.setattr(inventory, "ARCHIVE_LIMITS", Limits(2, 1000, 1500, 1 << 20))
    make_tar(
        tmp_path / "web01.tar.gz",
        {"web01/sso.conf": b"#" * 900, "web01/passwd": b"#" * 900, "web01/shadow": b"x"},
    )
    host = load_inventory(str(tmp_path)).hosts[0]
    assert host.file("sso.conf").state == "present"
    assert host.file("passwd").state == "absent" and host.file("shadow").state == "absent"
    messages = [w.message for w in host.warnings]
    assert any("more than 600 bytes once decompressed" in m for m in messages), messages
    assert "more than 2 members: the rest not read" in messages


def test_a_truncated_collector_archive_keeps_what_came_before_the_damage(tmp_path):
    make_tar(
        tmp_path / "whole.tar.gz",
        {"web01/sso.conf": b"SYNC_USERS=ALL\n", "web01/passwd": os.urandom(200_000)},
    )
    data = (tmp_path / "whole.tar.gz").read_bytes()
    (tmp_path / "whole.tar.gz").unlink()
    (tmp_path / "web01.tar.gz").write_bytes(data[: len(data) // 2])
    host = load_inventory(str(tmp_path)).hosts[0]
    assert host.sso is not None
    assert any("gzip data not readable" in w.message for w in host.warnings)


def test_an_archive_without_host_files_says_so(tmp_path):
    import gzip

    (tmp_path / "web01.tar.gz").write_bytes(gzip.compress(b"SYNC_USERS=ALL\n"))  # not a tar
    host = load_inventory(str(tmp_path)).hosts[0]
    assert host.sso is None
    (warning,) = host.warnings
    assert "holds none of the host files" in warning.message


def test_corrupt_tarball(tmp_path):
    write(tmp_path / "bad.tar.gz", b"\x1f\x8b not really")
    h = load_inventory(str(tmp_path)).hosts[0]
    assert h.name == "bad" and "archive not readable" in h.warnings[0].message


def test_hosts_toml_and_matching(tmp_path):
    for name in ("web01", "web02.corp.example.com", "web02.lab.example.com", "db01"):
        (tmp_path / name).mkdir()
    write(
        tmp_path / "hosts.toml", 'web01 = ["web01.corp.example.com", "10.0.4.11"]\nghost = ["x"]\n'
    )
    inv = load_inventory(str(tmp_path))
    assert inv.match("WEB01.corp.example.com").host.name == "web01"
    assert inv.match("10.0.4.11").host.name == "web01"
    assert inv.match("10.0.4.11").how == "alias"
    m = inv.match("web01")
    assert m.host.name == "web01" and m.how == "exact"
    assert inv.match("DB01.other.example.").host.name == "db01"
    amb = inv.match("web02")
    assert amb.host is None and amb.ambiguous
    assert set(amb.candidates) == {"web02.corp.example.com", "web02.lab.example.com"}
    assert inv.match("web02.corp.example.com").host.name == "web02.corp.example.com"
    miss = inv.match("nothere.corp.example.com")
    assert miss.host is None and miss.tried == ("nothere.corp.example.com", "nothere")
    assert not inv.match("10.0.4.12").host
    assert any("ghost" in w.message for w in inv.warnings)


def test_bad_hosts_toml(tmp_path):
    write(tmp_path / "hosts.toml", "web01 = [\n")
    inv = load_inventory(str(tmp_path))
    assert "hosts.toml not readable" in inv.warnings[0].message


@pytest.mark.parametrize(
    "value",
    ["[" * 2000 + '"x"' + "]" * 2000, "{a = " * 2000 + "1" + "}" * 2000],
)
def test_hosts_toml_nested_deep_is_refused_with_a_warning(tmp_path, value):
    """tomllib recurses per level: 2,000 levels made every command exit 4 (issue 26)."""
    write(tmp_path / "web01" / "sso.conf", "SYNC_USERS=ALL\n")
    write(tmp_path / "hosts.toml", f"web01 = {value}\n")
    inv = load_inventory(str(tmp_path))
    assert [h.name for h in inv.hosts] == ["web01"]
    assert [w.message for w in inv.warnings] == [
        "hosts.toml nests arrays or tables 2000 deep (more than 64); ignored"
    ]
    code, printed = run("check-config", "--hosts", str(tmp_path))
    assert code == 1 and "2000 deep" in printed, printed


def test_toml_nesting_skips_strings_and_comments():
    text = 'a = ["]]", "[[", \'[[\'] # [[[\n[t]\nb = {c = [[1]]}\nd = """\n[[[\n"""\n'
    assert toml_nesting(text) == 3


def test_symlinks_out_and_loops(tmp_path):
    outside = tmp_path / "outside"
    write(outside / "sso.conf", "SYNC_USERS=ALL\n")
    root = tmp_path / "hosts"
    root.mkdir()
    os.symlink(outside, root / "evil")  # a host folder pointing out
    write(root / "web01" / "sso.conf", "SYNC_USERS=ALL\n")
    os.symlink("/etc/passwd", root / "web01" / "passwd")  # a file pointing out
    os.symlink("shadow", root / "web01" / "shadow")  # a loop
    os.symlink("loop2", root / "loop1")
    os.symlink("loop1", root / "loop2")
    inv = load_inventory(str(root))
    assert [h.name for h in inv.hosts] == ["web01"]
    h = inv.hosts[0]
    assert h.file("passwd").state == "unreadable" and h.passwd is None
    assert h.file("shadow").state == "unreadable"
    assert any("outside" in w.message for w in inv.warnings)
    assert sum("loop" in w.message for w in inv.warnings) == 2


def test_unreadable_file_is_warned(tmp_path, monkeypatch):
    write(tmp_path / "web01" / "passwd", "root:x:0:0::/:/bin/sh\n")
    (tmp_path / "web01" / "shadow").mkdir()  # a directory named like the file
    real_open = open

    def deny(path, *a, **kw):
        if str(path).endswith("passwd"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **kw)

    monkeypatch.setattr("builtins.open", deny)
    h = load_inventory(str(tmp_path)).hosts[0]
    assert h.file("passwd").state == "unreadable"
    assert h.file("shadow").state == "unreadable"
    msgs = " ".join(str(w) for w in h.warnings)
    assert "Permission denied" in msgs and "is a directory" in msgs


def test_missing_dir_and_duplicates(tmp_path):
    (tmp_path / "web01").mkdir()
    make_tar(tmp_path / "web01.tar.gz", {"web01/sso.conf": b"SYNC_USERS=ALL\n"})
    inv = load_inventory(str(tmp_path))
    assert len(inv.hosts) == 1 and "supplied twice" in inv.warnings[0].message
    assert "cannot list" in load_inventory(str(tmp_path / "nope")).warnings[0].message


def test_hosts_toml_with_a_bom_unknown_files_and_the_same_host_twice(tmp_path):
    from evtdiag.hosts.inventory import load_inventory

    (tmp_path / "hosts.toml").write_bytes(b'\xef\xbb\xbfweb01 = ["10.0.4.11"]\r\n')
    for name in ("web01", "WEB01.corp.example.com"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "sso.conf").write_text("SYNC_USERS=ALL\n")
    (tmp_path / "db02.tar").write_bytes(b"not read")
    inventory = load_inventory(str(tmp_path))
    assert inventory.match("10.0.4.11").host.name == "web01"
    messages = " | ".join(w.message for w in inventory.warnings)
    assert "not a host folder nor a collector archive" in messages
    assert "may be the same host (web01)" in messages
    assert "hosts.toml not readable" not in messages


def test_host_files_are_found_however_deep_they_were_archived_or_copied(tmp_path):
    """A collector tarball of tmp/collect/web01/etc/..., and a folder copied one level
    too deep (web02/web02/...), are read; the host's files are found by their names."""
    make_tar(
        tmp_path / "web01.tar.gz",
        {
            "tmp/collect/web01/etc/sso.conf": b"SYNC_USERS=+alice\n",
            "tmp/collect/web01/etc/passwd": b"alice:x:1000:1000::/home/alice:/bin/sh\n",
            "tmp/collect/web01/README": b"collected by hand\n",
        },
    )
    write(tmp_path / "web02" / "web02" / "sso.conf", "SYNC_USERS=+bob\n")
    write(tmp_path / "web02" / "web02" / "etc" / "passwd", "bob:x:1001:1001::/:/bin/sh\n")
    inv = load_inventory(str(tmp_path))
    web01, web02 = inv.hosts
    assert web01.sso.sync_users[0].name == "alice" and web01.account("alice")
    assert web01.file("sso.conf").path.endswith("web01.tar.gz:tmp/collect/web01/etc/sso.conf")
    assert web02.sso.sync_users[0].name == "bob" and web02.account("bob")
    assert web02.file("passwd").path == str(tmp_path / "web02" / "web02" / "etc" / "passwd")
    assert inv.warnings == () and web01.warnings == () and web02.warnings == ()


def test_an_archive_holding_several_hosts_is_not_guessed_from(tmp_path):
    make_tar(
        tmp_path / "both.tar.gz",
        {"web01/etc/sso.conf": b"SYNC_USERS=+a\n", "web02/etc/sso.conf": b"SYNC_USERS=+b\n"},
    )
    (host,) = load_inventory(str(tmp_path)).hosts
    assert host.sso is None and host.file("sso.conf").state == "absent"
    (warning,) = host.warnings
    assert "several folders ('web01/', 'web02/')" in warning.message
