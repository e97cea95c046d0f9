"""``evtdiag unredact``: put the real names back into an answer from support."""

from __future__ import annotations

from pathlib import Path

import click

from evtdiag.errors import UsageError
from evtdiag.render.redact import load_mapping
from evtdiag.render.redact import unredact as unredacted


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
        source = click.get_text_stream("stdin").read()
    click.echo(unredacted(source, names), nl=False)


def _is_file(text: str) -> bool:
    """Whether ``text`` names a file (a long answer pasted as one argument does not)."""
    try:
        return "\n" not in text and Path(text).is_file()
    except (OSError, ValueError):
        return False
