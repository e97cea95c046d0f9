"""One evidence bundle in: a folder or archive of logs, host configurations and Windows
settings gives the report the README command gives; what was taken as what is said."""

from __future__ import annotations

import json
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from evtdiag.bundle import classify, configurations
from evtdiag.cli import cli
from tests.conftest import SAMPLE_LOGS

README_COMMAND = [
    *map(str, sorted(SAMPLE_LOGS.glob("*.evtx"))),
    "--hosts",
    str(SAMPLE_LOGS / "hosts"),
    "--windows",
    str(SAMPLE_LOGS / "windows"),
]


def problems(runner, *args: str) -> tuple[list[tuple], dict]:
    result = runner.invoke(cli, ["report", *args, "--format", "json", "-q"])
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    found = sorted(
        (p["scope"], p["account"], p["host"], p["dc"], p["cause"], p["event_count"])
        for p in document["problems"]
    )
    return found, document


@pytest.fixture(scope="module")
def expected() -> list[tuple]:
    from click.testing import CliRunner

    found, _ = problems(CliRunner(), *README_COMMAND)
    assert len(found) == 12
    return found


def zipped(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder.parent).as_posix())
    return target


def test_the_sample_folder_gives_the_readme_commands_problems(runner, expected) -> None:
    found, document = problems(runner, f"{SAMPLE_LOGS}/")
    assert found == expected
    assert document["run"]["configurations"] == [
        {"path": str(SAMPLE_LOGS / "hosts"), "taken_as": "hosts", "recognised": True},
        {"path": str(SAMPLE_LOGS / "windows"), "taken_as": "windows", "recognised": True},
    ]
    # The configurations are not listed as inputs that were no logs.
    assert [Path(i["path"]).name for i in document["inputs"]] == [
        "DC01-Application.evtx",
        "DC01-Security-filtered.evtx",
        "DC02-Application.evtx",
        "README.md",
    ]


def test_a_zip_of_the_sample_folder_gives_them_too(runner, expected, tmp_path) -> None:
    bundle = zipped(SAMPLE_LOGS, tmp_path / "evidence.zip")
    found, document = problems(runner, str(bundle))
    assert found == expected
    assert [c["path"] for c in document["run"]["configurations"]] == [
        f"{bundle}!sample_logs/hosts",
        f"{bundle}!sample_logs/windows",
    ]
    assert all(i["path"].startswith(f"{bundle}!") for i in document["inputs"])
    assert document["config_warnings"] == []


def test_a_tar_gz_bundle_and_the_terminal_lines(runner, expected, tmp_path) -> None:
    bundle = tmp_path / "evidence.tar.gz"
    with tarfile.open(bundle, "w:gz") as archive:
        archive.add(SAMPLE_LOGS, "case-4711")
    result = runner.invoke(cli, ["report", str(bundle), "--format", "json"])
    assert (
        sorted(
            (p["scope"], p["account"], p["host"], p["dc"], p["cause"], p["event_count"])
            for p in json.loads(result.stdout)["problems"]
        )
        == expected
    )
    assert (
        f"{bundle}!case-4711/hosts: read as host configurations (--hosts, recognised by "
        "content)" in result.stderr
    )
    assert f"Skipped: {bundle}!case-4711/README.md" in result.stderr


def test_hosts_and_windows_options_take_archives(runner, expected, tmp_path) -> None:
    hosts = zipped(SAMPLE_LOGS / "hosts", tmp_path / "hosts.zip")
    windows = zipped(SAMPLE_LOGS / "windows", tmp_path / "windows.zip")
    logs = [str(p) for p in sorted(SAMPLE_LOGS.glob("*.evtx"))]
    found, document = problems(runner, *logs, "--hosts", str(hosts), "--windows", str(windows))
    assert found == expected
    assert [(c["taken_as"], c["recognised"]) for c in document["run"]["configurations"]] == [
        ("hosts", False),
        ("windows", False),
    ]


def test_an_archive_without_configurations_is_refused_as_hosts(runner, tmp_path) -> None:
    logs = zipped(SAMPLE_LOGS / "windows", tmp_path / "not-hosts.zip")
    result = runner.invoke(cli, ["report", str(SAMPLE_LOGS), "--hosts", str(logs)])
    assert result.exit_code == 2
    assert "the archive holds no host configuration" in result.stderr


def test_customer_layouts_are_recognised_by_content() -> None:
    """Host folders at the top beside the logs, a copied /etc, an AIX host, a host copied
    into its own folder, the Windows collector's folder that holds its .evtx too."""
    found = classify(
        [
            "DC01.evtx",
            "web01/etc/sso.conf",
            "web01/etc/passwd",
            "fin04/passwd",
            "fin04/security/passwd",
            "app03/app03/SSO.CONF",
            "dc-export/PasswordPropAllow.txt",
            "dc-export/DC01-Application.evtx",
            "dc-export/net-accounts.txt",
            "notes/readme.txt",
        ],
        is_collector=lambda rel: False,
    )
    assert found.hosts == {"": {"web01", "fin04", "app03"}}
    assert found.windows == {"dc-export": ["dc-export/PasswordPropAllow.txt",
                                           "dc-export/net-accounts.txt"]}  # fmt: skip


def test_only_the_host_folders_of_a_bundle_are_read_as_hosts(tmp_path) -> None:
    shutil.copytree(SAMPLE_LOGS / "hosts" / "web01", tmp_path / "web01")
    shutil.copy(SAMPLE_LOGS / "DC01-Application.evtx", tmp_path)
    with configurations([str(tmp_path)]) as found:
        assert found.hosts_dir == str(tmp_path) and found.host_entries == ("web01",)
        assert found.set_aside == (str(tmp_path / "web01"),)
        assert found.windows_dir is None


def test_an_empty_folder_says_so(runner, tmp_path) -> None:
    result = runner.invoke(cli, ["report", str(tmp_path), "-q"])
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: no file in {tmp_path}: the folder is empty; give the exported event logs\n"
    )


def test_a_folder_of_configurations_only_says_so(runner) -> None:
    result = runner.invoke(cli, ["report", str(SAMPLE_LOGS / "windows"), "-q"])
    assert result.exit_code == 3
    assert "it holds configurations only" in result.stderr


def test_check_config_takes_a_zip_of_the_hosts(runner, tmp_path) -> None:
    hosts = zipped(SAMPLE_LOGS / "hosts", tmp_path / "hosts.zip")
    result = runner.invoke(cli, ["check-config", "--hosts", str(hosts)])
    assert result.exit_code == 0, result.stderr
    shown = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("== ")]
    assert shown == ["app03", "build06", "db02", "fin04", "mail05", "web01"]
