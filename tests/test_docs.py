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
