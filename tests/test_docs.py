"""Every command has help with an example, and the README names every command."""

from __future__ import annotations

import pytest

from evtdiag.cli import cli
from tests.conftest import REPO


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_has_help_with_an_example(runner, name: str) -> None:
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout, f"{name} --help shows no example"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_readme_documents_every_command(name: str) -> None:
    assert f"evtdiag {name}" in (REPO / "README.md").read_text()


def test_readme_text_report_excerpt_is_current(runner) -> None:
    readme = (REPO / "README.md").read_text()
    block = readme.split("```text\n", 1)[1].split("```", 1)[0]
    excerpt = [line for line in block.splitlines() if line != "  ..."]
    sample = REPO / "sample_logs"
    result = runner.invoke(cli, ["report", *map(str, sorted(sample.glob("*.evtx"))),
                                 "--hosts", str(sample / "hosts"), "--windows",
                                 str(sample / "windows"), "--success-id", "12291", "-q",
                                 "--format", "text"])  # fmt: skip
    lines = result.stdout.replace(f"{REPO}/", "").splitlines()
    assert lines[: len(excerpt)] == excerpt
