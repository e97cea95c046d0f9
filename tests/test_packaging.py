"""The wheel carries every package and templates/, and runs without the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
    )
    (built,) = out.glob("evtdiag-*.whl")
    return built


def test_wheel_holds_every_module_and_the_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {
        "evtdiag/" + path.relative_to(REPO / "src" / "evtdiag").as_posix()
        for path in (REPO / "src" / "evtdiag").rglob("*.py")
    }
    assert sources <= names, sorted(sources - names)
    templates = {
        "evtdiag/templates/" + p.name for p in (REPO / "templates").iterdir() if p.is_file()
    }
    assert templates <= names, sorted(templates - names)


def test_installed_wheel_finds_its_templates(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    probe = (
        "import evtdiag, importlib.resources as r;"
        "print(evtdiag.__file__);"
        "print(r.files('evtdiag.templates').joinpath('collect-script.sh').read_text()[:9])"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert out[0].startswith(str(target))
    assert out[1] == "#!/bin/sh"
