"""The compiled report template is kept in the user's cache folder (jinja2 bytecode cache):
a second run does not compile it, and the page is byte-identical with a cache, without
one, with an unusable folder and with a damaged or hostile cache file."""

from __future__ import annotations

import json
import marshal
import os
import pickle
import re
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.render.html import template_cache
from evtdiag.render.html.page import render_html
from evtdiag.render.timefmt import TimeFormatter
from tests.conftest import SAMPLE_REPORT_ARGS

CSP = re.compile(r'http-equiv="Content-Security-Policy" content="([^"]*)"')


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("json") / "findings.json"
    result = CliRunner().invoke(
        cli, ["report", *SAMPLE_REPORT_ARGS, "-q", "--format", "json", "-o", str(path)]
    )
    assert result.exit_code in (0, 1), result.output
    return json.loads(path.read_text())


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the templates jinja2 compiles."""
    names: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *a: Any) -> Any:
        names.append(str(name))
        return compile_(self, source, name, *a)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    yield names


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _render(document: dict[str, Any]) -> str:
    return render_html(document, TimeFormatter("UTC"))


def _entries(cache_home: Path) -> list[Path]:
    return sorted((cache_home / "evtdiag").glob("*.cache"))


@pytest.fixture
def uncached(document: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The page rendered with no cache at all (the folder cannot be created)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert template_cache.cache_directory() is None
    return _render(document)


def test_second_render_loads_the_compiled_template(
    document: dict[str, Any], uncached: str, cache_home: Path, compiles: list[str]
) -> None:
    first = _render(document)
    assert compiles == ["report.html.j2"]
    folder = cache_home / "evtdiag"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    [entry] = _entries(cache_home)
    assert entry.stat().st_size > 0
    compiles.clear()
    second = _render(document)  # a new Environment: nothing kept in memory
    assert compiles == []
    assert first == second == uncached
    assert CSP.findall(first) == CSP.findall(uncached)
    assert len(CSP.findall(first)) == 1


def test_cache_entry_is_keyed_by_the_version(
    document: dict[str, Any], cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _render(document)
    [old] = _entries(cache_home)
    template_cache.entry_pattern.cache_clear()
    monkeypatch.setattr(template_cache, "__version__", "99.0")
    try:
        _render(document)
    finally:
        template_cache.entry_pattern.cache_clear()
    assert len(_entries(cache_home)) == 2
    assert old in _entries(cache_home)


@pytest.mark.parametrize("how", ["file", "shared", "symlink", "removed"])
def test_unusable_cache_folder_still_renders(
    document: dict[str, Any],
    uncached: str,
    tmp_path: Path,
    how: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    folder = home / "evtdiag"
    if how == "file":  # the folder's name is taken: it cannot be created
        folder.write_text("")
    elif how == "shared":  # others may write there: not used
        folder.mkdir(mode=0o777)
        folder.chmod(0o777)
    elif how == "symlink":  # not the user's own folder
        (tmp_path / "elsewhere").mkdir(mode=0o700)
        folder.symlink_to(tmp_path / "elsewhere")
    if how == "removed":  # usable when checked, gone when written: the write fails
        real = template_cache.cache_directory

        def vanishing() -> str | None:
            found = real()
            assert found is not None
            shutil.rmtree(found)
            return found

        monkeypatch.setattr(template_cache, "cache_directory", vanishing)
    else:
        assert template_cache.cache_directory() is None
    assert _render(document) == uncached
    assert not list(tmp_path.rglob("*.cache"))


MAGIC = jinja2.bccache.bc_magic
"""An entry starts with jinja2's magic, then the pickled SHA-1 of the template source."""
HEADER = len(MAGIC) + len(pickle.dumps("0" * 40, 2))


class _Hostile:
    """Unpickling it creates the file ``marker``."""

    marker = ""

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (Path(self.marker),))


def _damaged(valid: bytes, how: str, marker: Path) -> bytes:
    truncated = {"0": 0, "magic": len(MAGIC), "header": HEADER, "half": len(valid) // 2}
    if how.startswith("truncated-"):
        return valid[: truncated.get(how.removeprefix("truncated-"), len(valid) - 1)]
    if how == "garbage":
        return bytes(range(256)) * (len(valid) // 256 + 1)
    if how == "flipped":
        return valid[:HEADER] + bytes(b ^ 0xFF for b in valid[HEADER:])
    if how == "not-code":
        return valid[:HEADER] + marshal.dumps({"not": "code"})
    if how == "other-source":
        return MAGIC + pickle.dumps("0" * 40, 2) + valid[HEADER:]
    assert how == "pickle"  # a checksum that runs code if unpickled (jinja2 unpickles it)
    _Hostile.marker = str(marker)
    return MAGIC + pickle.dumps(_Hostile(), 2) + valid[HEADER:]


@pytest.mark.parametrize(
    "how",
    [
        "truncated-0",
        "truncated-magic",
        "truncated-header",
        "truncated-half",
        "truncated-last",
        "garbage",
        "flipped",
        "not-code",
        "other-source",
        "pickle",
    ],
)
def test_damaged_cache_file_gives_the_same_page(
    document: dict[str, Any],
    uncached: str,
    cache_home: Path,
    compiles: list[str],
    tmp_path: Path,
    how: str,
) -> None:
    _render(document)
    [entry] = _entries(cache_home)
    valid = entry.read_bytes()
    marker = tmp_path / "pwned"
    entry.write_bytes(_damaged(valid, how, marker))
    compiles.clear()
    assert _render(document) == uncached
    assert compiles == ["report.html.j2"]  # a miss: compiled again
    assert not marker.exists()
    compiles.clear()
    assert _render(document) == uncached  # and the entry was rewritten
    assert compiles == []


@pytest.mark.parametrize("checks", [1, 2])
def test_folder_swapped_after_the_check_runs_no_planted_code(
    document: dict[str, Any],
    uncached: str,
    cache_home: Path,
    tmp_path: Path,
    checks: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another user who owns the cache's parent folder (sudo keeping HOME) swaps the
    folder for one of theirs holding a planted entry right after a check of it (the
    first: when the environment is made; the second: when the entry is read): the
    entry read is still the one in a folder that was checked (issue 26, item 4). The
    other user's folder is simulated by one others may write to, which the check
    refuses as it refuses another owner's."""
    _render(document)
    [entry] = _entries(cache_home)
    valid = entry.read_bytes()
    folder = cache_home / "evtdiag"
    checked = folder.stat()
    marker = tmp_path / "pwned"
    planted = compile(f"import pathlib; pathlib.Path({str(marker)!r}).touch()", "x", "exec")
    seen: list[bool] = []
    swapped: list[bool] = []

    def swap() -> None:
        swapped.append(True)
        folder.rename(cache_home / "evtdiag-checked")
        folder.mkdir()
        (folder / entry.name).write_bytes(valid[:HEADER] + marshal.dumps(planted))
        folder.chmod(0o777)

    def watching(stat_call: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            found = stat_call(*args, **kwargs)
            same = (found.st_dev, found.st_ino) == (checked.st_dev, checked.st_ino)
            if same and not swapped:  # the folder has just been checked
                seen.append(True)
                if len(seen) == checks:
                    swap()
            return found

        return call

    for name in ("stat", "lstat", "fstat"):
        monkeypatch.setattr(os, name, watching(getattr(os, name)))
    page = _render(document)
    monkeypatch.undo()
    assert swapped and not marker.exists()
    assert page == uncached


@pytest.mark.parametrize("variable", ["XDG_CACHE_HOME", "HOME"])
def test_missing_cache_home_makes_no_chain_of_folders(
    document: dict[str, Any],
    uncached: str,
    tmp_path: Path,
    variable: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = tmp_path / "gone" / "deeper"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv(variable, str(missing / "cache"))
    assert template_cache.cache_directory() is None
    assert _render(document) == uncached
    assert not (tmp_path / "gone").exists()


def test_cache_home_is_made_when_its_parent_exists(
    document: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One missing folder, as a fresh account's ~/.cache, is made (private)."""
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    _render(document)
    assert stat.S_IMODE((tmp_path / "home" / ".cache").stat().st_mode) == 0o700
    assert len(_entries(tmp_path / "home" / ".cache")) == 1
