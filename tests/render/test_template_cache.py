"""The compiled report template is kept in the user's cache folder (jinja2 bytecode cache):
a second run does not compile it, and the page is byte-identical with a cache, without
one, with an unusable folder and with a damaged or hostile cache file."""

from __future__ import annotations

import json
import marshal
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
from evtdiag.render import html_report
from evtdiag.render.html_report import render_html
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
    assert html_report._cache_directory() is None
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
    html_report._cache_pattern.cache_clear()
    monkeypatch.setattr(html_report, "__version__", "99.0")
    try:
        _render(document)
    finally:
        html_report._cache_pattern.cache_clear()
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
        real = html_report._cache_directory

        def vanishing() -> str | None:
            found = real()
            assert found is not None
            shutil.rmtree(found)
            return found

        monkeypatch.setattr(html_report, "_cache_directory", vanishing)
    else:
        assert html_report._cache_directory() is None
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
