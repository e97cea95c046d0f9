"""Running the collector script under a given shell on a fake root, and reading what it
packed. ``busybox sh`` runs with a PATH of busybox's own applets only (awk, od, tar...),
as on a host where busybox is the whole userland; a shell that is not installed makes
the test skip, saying so."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from evtdiag.hosts.collector import collect_script

SHELLS = ("sh", "dash", "busybox")
APPLETS = (
    "awk", "cat", "date", "gzip", "hostname", "mkdir", "mktemp", "mv", "od", "printf",
    "rm", "sed", "tar", "tr", "uname", "wc",
)  # fmt: skip
"""What the script runs, besides the shell's own built-ins."""


def shell_command(shell: str, tmp_path: Path) -> tuple[list[str], str]:
    """The command that runs a script under ``shell`` and the PATH to give it."""
    found = shutil.which(shell)
    if found is None or shutil.which("tar") is None:
        pytest.skip(f"{shell} is not installed")
    if shell != "busybox":
        return [found], "/usr/bin:/bin"
    applets = tmp_path / "busybox-bin"
    applets.mkdir(exist_ok=True)
    for name in APPLETS:
        if not (applets / name).exists():
            (applets / name).symlink_to(found)
    return [found, "sh"], str(applets)


def run_collector(
    tmp_path: Path, *args: str, shell: str = "sh"
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the script on the fake root ``tmp_path/root``; the output folder is returned."""
    out = tmp_path / f"out-{shell}"
    out.mkdir()
    script = tmp_path / "collect.sh"
    script.write_text(collect_script())
    command, path = shell_command(shell, tmp_path)
    proc = subprocess.run(
        [*command, str(script), "-o", str(out), *args],
        capture_output=True,
        text=True,
        env={
            "PATH": path,
            "EVTDIAG_ROOT": str(tmp_path / "root"),
            "EVTDIAG_HOSTNAME": "web01",
            "TMPDIR": str(tmp_path),
        },
        check=False,
    )
    return proc, out


def archive_files(out: Path) -> dict[str, bytes]:
    """Every file of the archive the collector wrote in ``out``, by member name."""
    with tarfile.open(out / "web01.tar.gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
