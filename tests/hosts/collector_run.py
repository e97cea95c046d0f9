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

Command = tuple[list[str], str]
"""The command that runs a script under a shell, and the PATH to give it."""


def shell_command(shell: str, folder: Path) -> Command | None:
    """How to run a script under ``shell`` (busybox's applets linked in ``folder``);
    None when the shell or tar is not installed."""
    found = shutil.which(shell)
    if found is None or shutil.which("tar") is None:
        return None
    if shell != "busybox":
        return [found], "/usr/bin:/bin"
    applets = folder / "busybox-bin"
    applets.mkdir(exist_ok=True)
    for name in APPLETS:
        if not (applets / name).exists():
            (applets / name).symlink_to(found)
    return [found, "sh"], str(applets)


def collect(
    command: Command, root: Path, out: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run the script (written next to ``out``) on the fake root ``root``, into ``out``."""
    script = out.parent / "collect.sh"
    script.write_text(collect_script())
    shell, path = command
    return subprocess.run(
        [*shell, str(script), "-o", str(out), *args],
        capture_output=True,
        text=True,
        env={
            "PATH": path,
            "EVTDIAG_ROOT": str(root),
            "EVTDIAG_HOSTNAME": "web01",
            "TMPDIR": str(out.parent),
        },
        check=False,
    )


def run_collector(
    tmp_path: Path, *args: str, shell: str = "sh"
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the script on the fake root ``tmp_path/root``; the output folder is returned."""
    command = shell_command(shell, tmp_path)
    if command is None:
        pytest.skip(f"{shell} (or tar) is not installed")
    out = tmp_path / f"out-{shell}"
    out.mkdir()
    return collect(command, tmp_path / "root", out, *args), out


def archive_files(out: Path) -> dict[str, bytes]:
    """Every file of the archive the collector wrote in ``out``, by member name."""
    with tarfile.open(out / "web01.tar.gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
