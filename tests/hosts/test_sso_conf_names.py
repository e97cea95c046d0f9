"""A host's sso.conf saved under a close name (``sso.cnf``, ``SSO.CONF``,
``sso.conf.txt``) is read with a warning naming it; a host without any is a warning."""

from __future__ import annotations

import io
import tarfile

import pytest

from evtdiag.cli import cli
from evtdiag.hosts.inventory import close_to_sso_conf, load_inventory

SSO = "SYNC_USERS=-root +alice\n"
PASSWD = "alice:x:1000:1000::/h:/bin/sh\n"


@pytest.mark.parametrize("name", ["sso.cnf", "SSO.CONF", "sso.conf.txt", "Sso.Conf", "ssoconf"])
def test_close_names_are_read_with_a_warning_naming_them(tmp_path, name):
    host = tmp_path / "web01"
    host.mkdir()
    (host / name).write_text(SSO)
    (host / "passwd").write_text(PASSWD)
    [web] = load_inventory(str(tmp_path)).hosts
    assert web.sso is not None and web.sso.sync_users is not None
    [warning] = web.warnings
    assert warning.place.file == str(host / name)
    assert f"{name} read in its place" in warning.message


def test_close_name_under_etc_and_in_a_collector_archive(tmp_path):
    (tmp_path / "app03" / "etc").mkdir(parents=True)
    (tmp_path / "app03" / "etc" / "sso.cnf").write_text(SSO)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member, text in (("db02/sso.conf.txt", SSO), ("db02/passwd", PASSWD)):
            info = tarfile.TarInfo(member)
            info.size = len(text)
            archive.addfile(info, io.BytesIO(text.encode()))
    (tmp_path / "db02.tar.gz").write_bytes(buffer.getvalue())
    app, db = load_inventory(str(tmp_path)).hosts
    assert app.sso is not None and db.sso is not None
    assert "etc/sso.cnf read in its place" not in app.warnings[0].message
    assert app.warnings[0].place.file.endswith("etc/sso.cnf")
    assert db.warnings[0].place.file.endswith("db02.tar.gz:db02/sso.conf.txt")


def test_other_names_are_not_taken_for_sso_conf():
    assert not any(
        close_to_sso_conf(name) for name in ("sso.conf", "passwd", "shadow", "ssod", "login.defs")
    )


def test_host_without_sso_conf_is_a_check_config_warning(tmp_path, runner):
    (tmp_path / "web01").mkdir()
    (tmp_path / "web01" / "passwd").write_text(PASSWD)
    result = runner.invoke(cli, ["check-config", "--hosts", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "no sso.conf in this host's files" in result.output
    assert "1 warning(s)" in result.output
