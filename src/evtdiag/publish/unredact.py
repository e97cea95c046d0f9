"""``evtdiag unredact``: put the real names back into a text that uses a redacted report's
pseudonyms, with the mapping file the redaction wrote.

The mapping file is read like any other input: a damaged or hand-edited one (no
mapping, a key that is no pseudonym, an empty name) is refused with what is wrong,
and a name holding control characters (it came from a stranger's logs) is put back with
those characters shown as escapes, never sent raw to the terminal.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from evtdiag.errors import UsageError
from evtdiag.publish.name_matcher import NAME_CHARACTER
from evtdiag.publish.redact import PSEUDONYM
from evtdiag.render.terminal import printable


def load_mapping(path: Path) -> dict[str, str]:
    """Pseudonym -> original name, from a mapping file.

    :raises UsageError: when the file cannot be read or is not a redaction mapping.
    """
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from error
    except (ValueError, RecursionError) as error:
        raise UsageError(f"{path} is not an evtdiag redaction file (not JSON)") from error
    mapping = data.get("mapping") if isinstance(data, dict) else None
    if not isinstance(mapping, dict):
        raise UsageError(f"{path} is not an evtdiag redaction file (no 'mapping' object)")
    for pseudonym, name in mapping.items():
        if not PSEUDONYM.fullmatch(pseudonym):
            raise UsageError(f"{path}: {printable(repr(pseudonym))} is not a pseudonym")
        if not isinstance(name, str) or not name.strip():
            raise UsageError(f"{path}: the name of {pseudonym} is not a non-empty text")
    return mapping


def unredact(text: str, mapping: dict[str, str]) -> str:
    """``text`` with every pseudonym of ``mapping`` replaced by its original name: the
    spelling it replaced, or, for a pseudonym written in another case (at the start of a
    sentence), the name's first spelling.

    A pseudonym stands wherever redaction put one: where its name stood between
    characters that are not name characters, ``-`` included, as in a SYNC_USERS
    exclusion (``-user-7f3a``) or a file name (``dc-706f-Application.evtx``).
    """
    if not mapping:
        return text
    folded: dict[str, str] = {}
    for pseudonym in sorted(mapping, key=lambda p: (p != p.lower(), p)):
        folded.setdefault(pseudonym.casefold(), mapping[pseudonym])

    def name(match: re.Match[str]) -> str:
        found = match.group()
        return printable(mapping.get(found) or folded[found.casefold()])

    pseudonyms = rf"(?<!{NAME_CHARACTER})(?:{PSEUDONYM.pattern})(?!{NAME_CHARACTER})"
    return re.sub(
        pseudonyms,
        lambda m: name(m) if m.group().casefold() in folded else m.group(),
        text,
        flags=re.IGNORECASE,
    )
