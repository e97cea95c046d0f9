"""The arrows between evtdiag's layers run one way (docs/design.md, Principles).

The command line sits on top: it may import everything, nothing below it may import it.
Publishing (redact, render, write) sits under it and above rendering; rendering turns a
document into text and bytes and knows nothing of publishing; the document reader and
compare read saved reports and borrow nothing from rendering. An import that breaks one
of these makes the lower module drag the upper one in, and the two change together.
These tests read every module's imports (at the top and inside functions) from its
source, so a lazy import counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "evtdiag"


def _module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path = SRC) -> set[str]:
    """Every module ``path`` imports, absolute or relative, wherever the import stands."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _importers_of(layer: str, modules: list[Path]) -> list[str]:
    return sorted(
        f"{_module_name(path)} imports {name}"
        for path in modules
        for name in _imports(path)
        if name == layer or name.startswith(layer + ".")
    )


def _modules(*, outside: tuple[str, ...] = ()) -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if not any(_module_name(path).startswith(prefix) for prefix in outside)
    ]


def test_nothing_below_the_command_line_imports_it() -> None:
    below = _modules(outside=("evtdiag.cli", "evtdiag.__main__"))
    assert _importers_of("evtdiag.cli", below) == []


@pytest.mark.parametrize("module", ["evtdiag/compare.py", "evtdiag/document.py"])
def test_the_readers_of_saved_reports_import_nothing_from_rendering(module: str) -> None:
    assert _importers_of("evtdiag.render", [SRC / module]) == []


def test_rendering_imports_nothing_from_publishing() -> None:
    rendering = sorted((PACKAGE / "render").rglob("*.py"))
    assert rendering, "no render/ package"
    assert _importers_of("evtdiag.publish", rendering) == []


def test_the_import_reader_sees_relative_and_lazy_imports(tmp_path: Path) -> None:
    """The check would pass vacuously if the reader missed an import form."""
    folder = tmp_path / "evtdiag" / "render"
    folder.mkdir(parents=True)
    probe = folder / "probe.py"
    probe.write_text("from ..cli import paths\n\ndef f():\n    import evtdiag.publish.redact\n")
    found = _imports(probe, tmp_path)
    assert found >= {"evtdiag.cli", "evtdiag.cli.paths", "evtdiag.publish.redact"}
