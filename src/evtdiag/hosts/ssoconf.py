"""Parse sso.conf, the configuration of the PSync daemon ``ssod``, keeping no key.

Documented by Microsoft [DOC]: the key names, CASE_IGNORE_NAME=1 as the default,
``-name`` in SYNC_USERS excludes, ``+name`` includes, per-host port and key may be
given inside SYNC_HOSTS, FILE_PATH must agree with USE_SHADOW.

Assumptions where Microsoft's documentation is silent [INF]:

- Syntax: one ``KEY=value`` per line, spaces around ``=`` allowed; a line ending in a
  backslash continues on the next (:func:`~evtdiag.hosts._text.continued_lines`);
  ``#`` starts a comment at the beginning of a line, and after white space in a value
  other than a key (a key such as ``ABCDZ#efgh`` keeps its ``#``): the value stops
  there, with a warning, and the comment's text is never quoted (it may name an old
  key); key names are upper case (lower case is accepted with a warning); for a
  duplicated key the last line wins (with a warning).
- SYNC_HOSTS entries have the form ``(host [port [key]])``, several per line, the
  fields separated by white space (not commas).
- SYNC_USERS entries are separated by spaces or commas; a bare name includes like
  ``+name``; ``ALL`` includes everyone not excluded; an explicit ``-name`` always wins
  whatever the order; a list with include entries but no ``ALL`` means "only those";
  a list of only ``-`` entries includes everyone else; an absent or empty SYNC_USERS
  synchronizes everyone.
- CASE_IGNORE_NAME also governs SYNC_USERS matching.

Secrets: the ENCRYPT_KEY value (global, and the key inside SYNC_HOSTS entries) is
reduced to a :class:`~evtdiag.hosts.model.KeyInfo` as soon as it is read; the evidence text
of its line is rewritten. A value the collector already sanitised
(``<redacted length=21 classes=digit,lower,punct,upper>``) is understood.
Unknown keys are reported by name only, because a misspelled ``ENCRYPTKEY`` would
otherwise leak its value into a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from evtdiag.hosts._text import ascii_int, continued_lines, excerpt, lines
from evtdiag.hosts.model import (
    FileMismatch,
    KeyInfo,
    SsoConf,
    SsoSetting,
    SyncDecision,
    SyncHost,
    SyncUserEntry,
)
from evtdiag.model import ConfigWarning, Place

KNOWN_KEYS = (
    "SYNC_HOSTS",
    "SYNC_USERS",
    "ENCRYPT_KEY",
    "PORT_NUMBER",
    "FILE_PATH",
    "USE_SHADOW",
    "CASE_IGNORE_NAME",
    "TEMP_FILE_PATH",
    "SYNC_RETRIES",
    "SYNC_DELAY",
    "USE_NIS",
    "NIS_UPDATE_PATH",
    "IGNORE_PROPAGATION_ERRORS",
)
INTEGER_KEYS = ("PORT_NUMBER", "SYNC_RETRIES", "SYNC_DELAY")
FLAG_KEYS = ("USE_SHADOW", "CASE_IGNORE_NAME", "USE_NIS", "IGNORE_PROPAGATION_ERRORS")

_LINE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)", re.DOTALL)
r"""``KEY = value``; the value is stripped after the match (a lazy value before ``\s*$``
took quadratic time on a long run of spaces)."""
_REDACTED = re.compile(r"^<redacted length=([0-9]+) classes=([a-z,]*)>$")
_CLASS_ORDER = ("upper", "lower", "digit", "punct", "other")
AIX_SHADOW = "/etc/security/passwd"
"""AIX keeps the hashes here: a shadow file whose name ends in ``passwd``."""


def key_info(value: str) -> KeyInfo:
    """Reduce a key to its length and character classes (or read a collector token)."""
    m = _REDACTED.match(value)
    length = ascii_int(m.group(1)) if m else None
    if m and length is not None:
        given = set(filter(None, m.group(2).split(",")))
        return KeyInfo(length, tuple(c for c in _CLASS_ORDER if c in given))
    found = set()
    for ch in value:
        if "A" <= ch <= "Z":
            found.add("upper")
        elif "a" <= ch <= "z":
            found.add("lower")
        elif ch.isdigit() and ch.isascii():
            found.add("digit")
        elif ch.isascii() and ch.isprintable() and not ch.isspace():
            found.add("punct")
        else:
            found.add("other")
    return KeyInfo(len(value), tuple(c for c in _CLASS_ORDER if c in found))


def _line_end(data: bytes) -> str | None:
    """The line end a patch must write to quote this file's lines (``\\n`` or ``\\r\\n``):
    None when its lines cannot be quoted (a BOM, not UTF-8, lone or mixed line ends)."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    crlf = data.count(b"\r\n")
    if crlf == 0:
        return None if b"\r" in data else "\n"
    return "\r\n" if crlf == data.count(b"\n") == data.count(b"\r") else None


def _inline_comment(key: str, value: str) -> int | None:
    """Where a ``# comment`` after the value starts, or None.

    A ``#`` after white space ends the value, except in ENCRYPT_KEY (a key may hold
    ``#``) and inside SYNC_HOSTS entries (they may hold keys): there only a ``#`` after
    the last ``)`` counts.
    """
    if key == "ENCRYPT_KEY":
        return None
    start = value.rfind(")") + 1 if key == "SYNC_HOSTS" else 0
    found = re.search(r"\s#", value[start:])
    return start + found.start() if found else None


def _split_users(value: str, place: Place) -> tuple[SyncUserEntry, ...]:
    entries = []
    for tok in re.split(r"[\s,]+", value):
        if not tok:
            continue
        if tok[0] in "+-\u2013" and len(tok) > 1:
            sign = "-" if tok[0] in "-\u2013" else "+"
            entries.append(SyncUserEntry(sign, tok[1:], place))
        elif tok.upper() == "ALL":
            entries.append(SyncUserEntry("", "ALL", place))
        else:
            entries.append(SyncUserEntry("", tok, place))
    return tuple(entries)


_ENTRY_OPEN = re.compile(r"\s*\(")
_ENTRY_FIELDS = re.compile(
    r"\s*(?P<host>[\w.-]+)(?:\s+(?P<port>[^\s()]+))?(?:\s+(?P<key>.*))?", re.DOTALL
)
_NEXT_ENTRY = re.compile(r"\s+\(")


def _host_entry(value: str, pos: int, end: int) -> tuple[str, str | None, str, int] | None:
    """The ``(host [port [key]])`` entry at ``pos`` of ``value`` (whose text ends at
    ``end``, trailing white space excluded): host, port and key text (``""`` for none),
    and where the entry ends; None when the text there is not such an entry.

    The key runs to the ``)`` that ends the entry (one followed by white space and the
    next ``(``, or by the end of the value), so a key may hold parentheses, even
    ``)(``; entries written without a space between them are not in this form and the
    value is then not used. The host is a DNS name or an IPv4 address (letters,
    digits, ``.``, ``-``, ``_``): in ``(DC01,6677,KEY)`` the "host" would be the whole
    entry, key included. Each ``)`` is tried once and the white space after it read
    once, so a long value costs linear time (a pattern with a lazy key before ``\\s*\\)``
    took quadratic time on a long run of spaces).
    """
    opened = _ENTRY_OPEN.match(value, pos)
    if opened is None:
        return None
    close = value.find(")", opened.end(), end)
    while close != -1 and close + 1 < end and not _NEXT_ENTRY.match(value, close + 1):
        close = value.find(")", close + 1, end)
    fields = _ENTRY_FIELDS.fullmatch(value, opened.end(), close) if close != -1 else None
    if fields is None:
        return None
    key = (fields.group("key") or "").rstrip()
    return fields.group("host"), fields.group("port"), key, close + 1


def _split_hosts(
    value: str, place: Place, warnings: list[ConfigWarning]
) -> tuple[tuple[SyncHost, ...] | None, str]:
    """Parse SYNC_HOSTS; return the hosts and the value rewritten without keys.

    A value that is not a sequence of ``(host [port [key]])`` entries may hold a key
    anywhere, so none of it is kept or shown: the hosts are then unknown (None).
    """
    hosts: list[SyncHost] = []
    shown: list[str] = []
    pos, end = 0, len(value.rstrip())
    while pos < end:
        entry = _host_entry(value, pos, end)
        if entry is None:
            commas = "; it holds commas, where spaces are expected" if "," in value else ""
            warnings.append(
                ConfigWarning(
                    place,
                    f"SYNC_HOSTS is not a list of (host [port [key]]) entries{commas}; not "
                    "used (its text is not shown: it may hold a key)",
                )
            )
            return None, "<not shown: not in the (host [port [key]]) form>"
        host, port_text, key_text, pos = entry
        port = ascii_int(port_text) if port_text is not None else None
        if port_text is not None and port is None:
            # not a port: perhaps a key given without one, so never shown
            warnings.append(
                ConfigWarning(place, f"SYNC_HOSTS: port of {host} is not a number", (("dc", host),))
            )
            key_text = f"{port_text} {key_text}" if key_text else port_text
        if key_text and not _REDACTED.match(key_text) and re.search(r"\s|[()]", key_text):
            warnings.append(
                ConfigWarning(
                    place,
                    f"SYNC_HOSTS: the key of {host} holds spaces or parentheses; check that "
                    "entry (its text is not shown)",
                    (("dc", host),),
                )
            )
        key = key_info(key_text) if key_text else None
        hosts.append(SyncHost(host, port, key, place))
        parts = [host, *([str(port)] if port is not None else []), *([str(key)] if key else [])]
        shown.append("(" + " ".join(parts) + ")")
    if not hosts:
        warnings.append(ConfigWarning(place, "SYNC_HOSTS is empty"))
    return tuple(hosts), " ".join(shown)


def parse_sso_conf(data: bytes, file: str) -> SsoConf:
    """Parse sso.conf bytes named ``file``; never raises on bad input (warnings instead)."""
    warnings: list[ConfigWarning] = []
    line_end = _line_end(data)
    found: dict[str, SsoSetting] = {}
    users: tuple[SyncUserEntry, ...] | None = None
    hosts: tuple[SyncHost, ...] | None = None
    key: KeyInfo | None = None
    case_ignore, case_place = True, None
    single: dict[int, str] = {}
    """Each line as the file holds it, to tell a line from continued ones joined."""

    def kept(numbered: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
        for lineno, line in numbered:
            single[lineno] = line
            yield lineno, line

    for lineno, line in continued_lines(kept(lines(data, file, warnings))):
        place = Place(file, line=lineno)
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _LINE.match(line)
        if "ENCRYPT_KEY" in line.upper() and (m is None or m.group(1).upper() != "ENCRYPT_KEY"):
            warnings.append(
                ConfigWarning(
                    place,
                    "malformed ENCRYPT_KEY line ignored (text not shown: it may hold the key)",
                )
            )
            continue
        if m is None:
            warnings.append(ConfigWarning(place, "not a KEY=value line; ignored"))
            continue
        name, value = m.group(1), m.group(2).rstrip()
        kname = name.upper()
        if kname not in KNOWN_KEYS:
            warnings.append(ConfigWarning(place, f"unknown key {name} ignored"))
            continue
        if name != kname:
            warnings.append(
                ConfigWarning(place, f"key {name} written in lower case; ssod may not recognise it")
            )
        if kname in found:
            warnings.append(
                ConfigWarning(
                    place,
                    f"{kname} set again (line {found[kname].place.line} is overridden; "
                    "assumed the last line wins)",
                )
            )
        comment = _inline_comment(kname, value)
        text = line[: m.start(2) + (len(value) if comment is None else comment)].strip()
        if comment is not None:
            warnings.append(
                ConfigWarning(
                    place,
                    f"{kname}: text after '#' read as a comment (check that ssod reads it so)",
                )
            )
            value = value[:comment].rstrip()
        if (
            kname != "ENCRYPT_KEY"
            and len(value) >= 2
            and value[0] == value[-1]
            and value[0] in "\"'"
        ):
            warnings.append(
                ConfigWarning(
                    place,
                    f"{kname}: value in quotes; the quotes were removed (the documented "
                    "sso.conf syntax has none; check what ssod reads)",
                )
            )
            value = value[1:-1].strip()
        if kname == "ENCRYPT_KEY":
            key = key_info(value)
            value = str(key)
            text = f"ENCRYPT_KEY={value}"
        elif kname == "SYNC_HOSTS":
            hosts, shown = _split_hosts(value, place, warnings)
            value = shown
            text = f"SYNC_HOSTS={shown}"
        elif kname == "SYNC_USERS":
            users = _split_users(value, place)
            if not users:
                warnings.append(ConfigWarning(place, "SYNC_USERS is empty"))
        elif kname in INTEGER_KEYS + FLAG_KEYS:
            number = ascii_int(value)
            if number is None:
                warnings.append(
                    ConfigWarning(place, f"{kname}: {excerpt(repr(value))} is not a number")
                )
            elif kname in FLAG_KEYS and number not in (0, 1):
                warnings.append(
                    ConfigWarning(place, f"{kname}: expected 0 or 1, got {excerpt(value)}")
                )
            if kname == "CASE_IGNORE_NAME" and number is not None:
                case_ignore, case_place = number != 0, place
        keyed = kname == "ENCRYPT_KEY" or (
            kname == "SYNC_HOSTS" and any(h.key for h in hosts or ())
        )
        quotable = line_end and comment is None and not keyed and single.get(lineno) == line
        verbatim = line if quotable else None
        found.pop(kname, None)
        found[kname] = SsoSetting(kname, value, place, text, verbatim)
    settings = tuple(sorted(found.values(), key=lambda s: s.place.line or 0))
    return SsoConf(
        file, settings, users, hosts, key, case_ignore, case_place, tuple(warnings), line_end
    )


def decide(conf: SsoConf, user: str) -> SyncDecision:
    """Is ``user`` synchronized by the host of ``conf``, and which line decides?

    Rules (only the ``-name`` and ``+name`` meanings are documented): an explicit
    ``-name`` always wins; then ``+name`` or a bare name includes; then ``ALL``
    includes everyone else; a list without ``ALL`` that holds any include entry
    means "only those"; a list of only ``-`` entries includes everyone else; no
    SYNC_USERS at all means everyone. Names compare as CASE_IGNORE_NAME says.
    """
    setting = conf.get("SYNC_USERS")
    where = setting.place if setting else None
    case_note = "" if conf.case_ignore_name else " (CASE_IGNORE_NAME=0: case matters)"
    if conf.sync_users is None or not conf.sync_users:
        what = "absent" if conf.sync_users is None else "empty"
        return SyncDecision(
            True,
            None,
            where,
            "inferred",
            f"SYNC_USERS is {what}; assumed to synchronize every user "
            "(Microsoft does not document the default)",
        )
    target = conf.compared(user)
    index = conf.sync_users_index
    excluded = index.excluding.get(target)
    if excluded is not None:
        return SyncDecision(
            False,
            excluded,
            excluded.place,
            "documented",
            f"SYNC_USERS excludes {excluded}{case_note}; an explicit '-' entry always wins "
            "(note: SFU 2.0 ignored '-', KB Q296680)",
        )
    included = index.including.get(target)
    if included is not None:
        basis = "documented" if included.sign == "+" else "inferred"
        how = "includes" if included.sign == "+" else "lists (bare name assumed to include)"
        return SyncDecision(
            True, included, included.place, basis, f"SYNC_USERS {how} {included}{case_note}"
        )
    if index.everyone is not None:
        return SyncDecision(
            True,
            index.everyone,
            index.everyone.place,
            "inferred",
            "SYNC_USERS contains ALL and no '-' entry for this user; "
            "ALL assumed to include everyone not excluded",
        )
    if index.lists_includes:
        near = index.case_variants.get(user.casefold())
        extra = "" if near is None else f"; {near} differs only in case"
        return SyncDecision(
            False,
            None,
            where,
            "inferred",
            f"SYNC_USERS lists users without ALL and {user} is not among them"
            f"{case_note}{extra}; a list of included names assumed to mean only those",
        )
    return SyncDecision(
        True,
        None,
        where,
        "inferred",
        "SYNC_USERS has only '-' entries and none names this user; "
        "assumed to include everyone not excluded",
    )


def file_mismatch(conf: SsoConf) -> FileMismatch | None:
    """Do FILE_PATH and USE_SHADOW disagree? (None when they agree or one is not set.)

    Microsoft's sso.conf reference: FILE_PATH names the passwd or shadow file that holds
    the encrypted passwords, and its type must agree with USE_SHADOW. The type is read
    from the file's name [INF]: ``...shadow`` or AIX's ``/etc/security/passwd`` is a shadow
    file, any other ``...passwd`` a passwd file.
    """
    path, shadow = conf.get("FILE_PATH"), conf.get("USE_SHADOW")
    if path is None or shadow is None:
        return None
    value = path.value.strip().rstrip("/")
    wants_shadow = shadow.value.strip() not in ("0", "")
    is_shadow = value.endswith("shadow") or value == AIX_SHADOW
    is_passwd = value.endswith("passwd") and value != AIX_SHADOW
    if not (is_shadow or is_passwd):
        problem = f"FILE_PATH={path.value} names neither a passwd nor a shadow file"
    elif wants_shadow and is_passwd:
        problem = "USE_SHADOW=1 but FILE_PATH names a passwd file"
    elif not wants_shadow and is_shadow:
        problem = "USE_SHADOW=0 but FILE_PATH names a shadow file"
    else:
        return None
    return FileMismatch(path, shadow, problem + ".")
