"""``evtdiag unredact``: put the real names back into an answer from support."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from evtdiag.errors import UsageError
from evtdiag.publish.unredact import load_mapping
from evtdiag.publish.unredact import unredact as unredacted


@click.command()
@click.argument("mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("text", nargs=-1)
def unredact(mapping: Path, text: tuple[str, ...]) -> None:
    """Put the real names back into TEXT (a file, words, or standard input) using a
    redaction MAPPING.

    \b
    Example:
        evtdiag unredact report.html.redaction.json "user-7f3a fails on host-2c91"
        evtdiag unredact report.html.redaction.json answer-from-support.txt
        evtdiag unredact report.html.redaction.json < answer-from-support.txt
    """
    names = load_mapping(mapping)
    if len(text) == 1 and _is_file(text[0]):
        try:
            source = Path(text[0]).read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            raise UsageError(f"{text[0]}: {error.strerror}") from error
    elif text:
        source = " ".join(text) + "\n"
    else:
        source = _standard_input_text()
    click.echo(unredacted(source, names), nl=False)


def _standard_input_text() -> str:
    """Standard input as text (what is not UTF-8 shown as U+FFFD, as for a file).

    :raises UsageError: when standard input is closed or cannot be read.
    """
    try:
        if sys.stdin is None:  # started with standard input closed (<&-)
            raise ValueError("closed")
        data = sys.stdin.buffer.read()
    except (OSError, ValueError, AttributeError) as error:
        raise UsageError(
            "standard input cannot be read (closed?); give the text or a file as TEXT"
        ) from error
    return data.decode("utf-8", errors="replace")


def _is_file(text: str) -> bool:
    """Whether ``text`` names a file (a long answer pasted as one argument does not)."""
    try:
        return "\n" not in text and Path(text).is_file()
    except (OSError, ValueError):
        return False
