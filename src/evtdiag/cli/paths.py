"""Which arguments of a command line are file or folder paths, as the commands declare them.

Redaction gives each part of a path a pseudonym (:mod:`evtdiag.publish.redact_paths`),
including the paths of the command line a report records (``run.command``). Which
arguments are paths only the command definitions know, so the command line hands this
function to publishing rather than publishing importing the command line.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from evtdiag.cli import cli


def command_paths(command: list[str]) -> Iterator[int]:
    """The indexes of ``command`` (``evtdiag SUBCOMMAND ARGS...``) that are file or folder
    paths: the subcommand's arguments, and the values of its options whose type is a
    path, as its click definition declares them (``--tz Europe/Paris`` is no path)."""
    subcommand = cli.get_command(click.Context(cli), command[1]) if len(command) > 1 else None
    if subcommand is None:
        return
    takes_value: dict[str, bool] = {}
    for param in subcommand.params:
        if isinstance(param, click.Option) and not param.is_flag:
            for opt in (*param.opts, *param.secondary_opts):
                takes_value[opt] = isinstance(param.type, click.Path)
    index = 2
    while index < len(command):
        arg = command[index]
        name, equals, _value = arg.partition("=")
        if arg == "--":
            yield from range(index + 1, len(command))
            return
        if arg.startswith("-") and arg != "-":
            if equals and takes_value.get(name):
                yield index
            elif not equals and name in takes_value:
                if takes_value[name] and index + 1 < len(command):
                    yield index + 1
                index += 1
        elif arg != "-":
            yield index
        index += 1
