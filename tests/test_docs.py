"""Every command has help with an example, and the README names every command."""

from __future__ import annotations

import click
import pytest

from evtdiag.cli import COMMANDS, cli
from tests.conftest import REPO


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_loads_under_its_name(name: str) -> None:
    """The lazy table names each command's module and attribute rightly."""
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.name == name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_summary_is_the_commands_own(name: str) -> None:
    """``evtdiag --help`` lists the summaries from a table (so that listing imports no
    command): each must be the first paragraph of its command's help, whole."""
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.help is not None
    first_paragraph = " ".join(command.help.split("\n\n")[0].split())
    assert COMMANDS[name][1] == first_paragraph


def test_the_help_lists_every_command_with_its_whole_summary(runner) -> None:
    listing = runner.invoke(cli, ["--help"], terminal_width=200).stdout
    listed = listing.split("Commands:", 1)[1].strip().splitlines()
    assert [line.split()[0] for line in listed] == list(COMMANDS)
    assert all(summary in listing for _, summary in COMMANDS.values())


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_has_help_with_an_example(runner, name: str) -> None:
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout, f"{name} --help shows no example"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_readme_documents_every_command(name: str) -> None:
    assert f"evtdiag {name}" in (REPO / "README.md").read_text()


def readme_text_blocks() -> list[list[str]]:
    """The README's ```text blocks, as lines ("  ..." marks an abridged part)."""
    readme = (REPO / "README.md").read_text()
    return [part.split("```", 1)[0].splitlines() for part in readme.split("```text\n")[1:]]


def sample_text_report(runner, *options: str) -> list[str]:
    sample = REPO / "sample_logs"
    result = runner.invoke(cli, ["report", *map(str, sorted(sample.glob("*.evtx"))), *options,
                                 "-q", "--format", "text"])  # fmt: skip
    return result.stdout.replace(f"{REPO}/", "").splitlines()


def test_readme_text_report_excerpt_is_current(runner) -> None:
    (block,) = [b for b in readme_text_blocks() if b and b[0].startswith("VERDICT")]
    excerpt = [line for line in block if line != "  ..."]
    sample = REPO / "sample_logs"
    lines = sample_text_report(runner, "--hosts", str(sample / "hosts"), "--windows",
                               str(sample / "windows"), "--success-id", "12291")  # fmt: skip
    assert lines[: len(excerpt)] == excerpt


def test_readme_logs_only_excerpt_is_current(runner) -> None:
    (block,) = [b for b in readme_text_blocks() if "cause: unexplained" in "\n".join(b)]
    lines = sample_text_report(runner)
    for part in "\n".join(block).split("\n  ...\n"):  # each part appears as it is, in order
        part_lines = part.splitlines()
        starts = [i for i in range(len(lines)) if lines[i : i + len(part_lines)] == part_lines]
        assert starts, part
        lines = lines[starts[0] + len(part_lines) :]
