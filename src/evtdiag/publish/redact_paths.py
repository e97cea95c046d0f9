"""Which parts of a file path may carry names.

Customers name their files and folders after themselves (``acme-corp/DC01-Application.evtx``,
``hosts-paris/``): redaction gives each such part a pseudonym, as it does names. A path
is redacted by its structure, part by part, not by looking for its parts in prose: a
folder called ``hosts`` or ``logs`` must not turn every "hosts" of the report's sentences
into a pseudonym. The parts evtdiag itself names (``sso.conf``, ``passwd``,
``PasswordPropDeny.txt``...) say what a file is and name nobody: they stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from evtdiag.hosts.inventory import EXPECTED
from evtdiag.hosts.windows import GROUPS

_SEPARATORS = re.compile(r"([/\\!])")
"""Between folders (either slash) and between an archive and its member (``a.zip!m``)."""
_EXTENSION = re.compile(
    r"\.(?:tar\.gz|tgz|zip|gz|evtx|evt|xml|csv|txt|json|html|conf|toml|log|defs)$", re.I
)
"""The extensions kept: what kind of file it is. Any other ending (``web01.acme``) may
be part of a name and goes with it."""
_STANDARD_PARTS = frozenset(
    part.casefold()
    for part in (
        *(piece for rel in EXPECTED for piece in rel.split("/")),
        "hosts.toml",
        "net-accounts.txt",
        *(f"{group}.{ext}" for group in GROUPS for ext in ("txt", "csv")),
        "",
        ".",
        "..",
        "~",
        "-",
    )
)
"""Parts that name no one: the files and folders evtdiag itself looks for."""


CommandPaths = Callable[[list[str]], Iterable[int]]
"""The indexes of a command line (``evtdiag SUBCOMMAND ARGS...``) that are file or folder
paths. Only the command line knows which of its options take a path, so it hands this
function down (``command_paths`` of ``cli/paths.py``): nothing below it imports it."""


def split_path(path: str) -> list[str]:
    """``path`` cut into its parts and the separators between them (joined, the path)."""
    return _SEPARATORS.split(path)


def part_stem(part: str) -> tuple[str, str] | None:
    """(the name, the extension kept) of a path part that may carry a name; None for a
    separator and for the parts evtdiag names itself."""
    if _SEPARATORS.fullmatch(part) or part.casefold() in _STANDARD_PARTS or not part.strip():
        return None
    found = _EXTENSION.search(part)
    extension = found.group() if found and found.start() > 0 else ""
    return part[: len(part) - len(extension)], extension
