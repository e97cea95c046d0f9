"""Account files: /etc/passwd, /etc/shadow and AIX /etc/security/passwd.

Password hashes are reduced AT PARSE TIME to a status and a scheme name; the hash
string is dropped before any object is built, so it can never reach a report, a log
or a ``repr()``. Warnings about these files never quote the line.

Conventions followed (UNIX, not Microsoft): ``!``/``!!``/``*LK*`` or a ``!``-prefixed
hash mean locked; an empty field means no password; ``*`` (and other ``*``-words such
as Solaris ``*NP*``) means never set; shadow dates count days since 1970-01-01 and AIX
``lastupdate`` counts seconds. The collector's sanitised tokens (``<active/sha512>``,
``<locked/sha512>``, ``<no-password/none>``, ``<never-set/none>``) are read as such.
Assumption [INF]: ``!!`` (Red Hat's "never set") is reported as locked, as ssod cannot
tell the two apart either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

from evtdiag.hosts._text import ascii_int, lines
from evtdiag.hosts.model import PasswdEntry, ShadowEntry
from evtdiag.model import ConfigWarning, Place

_EPOCH = date(1970, 1, 1)
_TOKEN = re.compile(r"^<(active|locked|no-password|never-set)/([a-z0-9-]+)>$")
_PREFIXES = (
    ("$1$", "md5"),
    ("$5$", "sha256"),
    ("$6$", "sha512"),
    ("$2a$", "bcrypt"),
    ("$2b$", "bcrypt"),
    ("$2y$", "bcrypt"),
    ("$2x$", "bcrypt"),
    ("$y$", "yescrypt"),
    ("$gy$", "gost-yescrypt"),
    ("$7$", "scrypt"),
    ("$sha1$", "sha1"),
    ("$md5$", "sun-md5"),
    ("$3$", "nthash"),
)
_DES = re.compile(r"^[./0-9A-Za-z]{13}$")
_BSDI = re.compile(r"^_[./0-9A-Za-z]{19}$")
_BRACE = re.compile(r"^\{([A-Za-z0-9_.-]+)\}")


def hash_scheme(h: str) -> str:
    """The scheme of a crypt(3)-style or AIX ``{name}`` hash; ``unknown`` otherwise."""
    for prefix, name in _PREFIXES:
        if h.startswith(prefix):
            return name
    m = _BRACE.match(h)
    if m:
        return m.group(1).lower()
    if _DES.match(h):
        return "des"
    if _BSDI.match(h):
        return "bsdi"
    return "unknown"


def classify(field: str) -> tuple[str, str]:
    """Reduce a password field to ``(status, scheme)``; the field itself is not kept."""
    m = _TOKEN.match(field)
    if m:
        return m.group(1), m.group(2)
    if field == "":
        return "no-password", "none"
    if field in ("!", "!!", "*LK*") or field.startswith("*LK*"):
        rest = field[4:] if field.startswith("*LK*") else ""
        return "locked", hash_scheme(rest) if rest else "none"
    if field.startswith("!"):
        rest = field.lstrip("!")
        return "locked", hash_scheme(rest) if rest else "none"
    if field.startswith("*"):
        return "never-set", "none"
    return "active", hash_scheme(field)


def _day(field: str) -> date | None:
    """A shadow day count as a date; None when empty, negative or past year 2517."""
    n = ascii_int(field.strip(), signed=True)
    if n is None or n < 0 or n > 200_000:
        return None
    return _EPOCH + timedelta(days=n)


_SHADOW_NUMBERS = (
    "last change",
    "minimum age",
    "maximum age",
    "warning period",
    "inactivity period",
    "expiration date",
)
"""shadow(5) fields 3 to 8: day counts, each empty or a number."""


def _check_shadow_numbers(
    name: str, parts: list[str], place: Place, warnings: list[ConfigWarning]
) -> None:
    """Warn about each day-count field that is neither empty nor an ASCII number."""
    fields = zip(_SHADOW_NUMBERS, parts[2:8], strict=False)  # a short line has fewer
    for number, (label, text) in enumerate(fields, start=3):
        if text.strip() and ascii_int(text.strip(), signed=True) is None:
            warnings.append(
                ConfigWarning(
                    place, f"{name}: {label} (field {number}) is not a number", (("user", name),)
                )
            )


NIS_INCLUDE = "NIS compat entry skipped"
"""The warning for a ``+``/``-`` line: accounts may come from NIS, which was not read."""
NOT_A_NAME = (
    "is not an account name (white space, or a '$' before its end: a ':' missing?); "
    "not shown, as it may hold a password hash"
)
"""Said of a name field or stanza header that may have a hash glued to it."""
_ACCOUNT_NAME = re.compile(r"[^\s$]+\$?")
"""No white space, and ``$`` only last (Samba machine accounts): a crypt hash has ``$``
inside, and a missing ``:`` leaves white space between a name and its hash."""


def is_account_name(text: str) -> bool:
    """Whether ``text`` can be an account name rather than a name glued to a hash."""
    return _ACCOUNT_NAME.fullmatch(text) is not None


def _entries(
    data: bytes, file: str, warnings: list[ConfigWarning]
) -> Iterator[tuple[Place, list[str]]]:
    """The ``:``-separated lines of passwd or shadow, without comments, blank lines and
    NIS ``+``/``-`` includes (each include is warned about: see :data:`NIS_INCLUDE`)."""
    for lineno, line in lines(data, file, warnings):
        place = Place(file, line=lineno)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(":")
        if parts[0][:1] in ("+", "-"):
            warnings.append(ConfigWarning(place, NIS_INCLUDE))
            continue
        if parts[0] and not is_account_name(parts[0]):
            warnings.append(ConfigWarning(place, f"the first field {NOT_A_NAME}; line skipped"))
            continue
        yield place, parts


def parse_passwd(data: bytes, file: str) -> tuple[tuple[PasswdEntry, ...], list[ConfigWarning]]:
    """Parse passwd lines ``name:pw:uid:gid:gecos:home:shell``; NIS ``+``/``-`` lines skip."""
    warnings: list[ConfigWarning] = []
    out: list[PasswdEntry] = []
    for place, parts in _entries(data, file, warnings):
        if len(parts) != 7 or not parts[0]:
            warnings.append(
                ConfigWarning(
                    place, f"expected 7 ':'-separated fields, found {len(parts)}; line skipped"
                )
            )
            continue
        pw = parts[1]
        status, scheme = ("shadowed", "none") if pw == "x" else classify(pw)
        del pw, parts[1]
        uid, gid = ascii_int(parts[1]), ascii_int(parts[2])
        if uid is None or gid is None:
            warnings.append(
                ConfigWarning(
                    place, f"{parts[0]}: uid or gid is not a number", (("user", parts[0]),)
                )
            )
        out.append(PasswdEntry(parts[0], uid, gid, parts[5], place, status, scheme))
    return tuple(out), warnings


def parse_shadow(data: bytes, file: str) -> tuple[tuple[ShadowEntry, ...], list[ConfigWarning]]:
    """Parse shadow lines ``name:hash:lastchg:min:max:warn:inactive:expire:reserved``."""
    warnings: list[ConfigWarning] = []
    out: list[ShadowEntry] = []
    for place, parts in _entries(data, file, warnings):
        if len(parts) < 2 or not parts[0]:
            warnings.append(ConfigWarning(place, "not a shadow line (no ':' fields); skipped"))
            continue
        status, scheme = classify(parts[1])
        parts[1] = ""
        if len(parts) != 9:  # with the name left out, the "name" is the hash: not used
            warnings.append(
                ConfigWarning(
                    place, f"expected 9 ':'-separated fields, found {len(parts)}; line skipped"
                )
            )
            continue
        _check_shadow_numbers(parts[0], parts, place, warnings)
        last = _day(parts[2]) if len(parts) > 2 else None
        # shadow(5): an expiry of 0 is ambiguous (never, or 1970) and should not be used
        expires = _day(parts[7]) if len(parts) > 7 and parts[7].strip() != "0" else None
        out.append(ShadowEntry(parts[0], status, scheme, last, expires, place))
    return tuple(out), warnings


def parse_stanzas(
    data: bytes, file: str, warnings: list[ConfigWarning]
) -> list[tuple[str, Place, dict[str, tuple[str, Place]]]]:
    """AIX stanza files: ``name:`` at column 0, then indented ``attr = value`` lines.

    ``*`` starts a comment (AIX convention). Values are returned as written; callers
    that handle secrets must reduce them at once. A header that is no account name (see
    :func:`is_account_name`) is not shown, and its stanza is dropped.
    """
    stanzas: list[tuple[str, Place, dict[str, tuple[str, Place]]]] = []
    current: dict[str, tuple[str, Place]] | None = None
    for lineno, line in lines(data, file, warnings):
        place = Place(file, line=lineno)
        s = line.strip()
        if not s or s.startswith("*") or s.startswith("#"):
            continue
        if not line[0].isspace() and s.endswith(":") and "=" not in s:
            current = {}
            if is_account_name(s[:-1].strip()):
                stanzas.append((s[:-1].strip(), place, current))
            else:
                warnings.append(
                    ConfigWarning(place, f"the stanza header {NOT_A_NAME}; stanza skipped")
                )
        elif "=" in s and current is not None:
            k, v = s.split("=", 1)
            v = v.strip()
            if len(v) >= 2 and v[0] == v[-1] == '"':  # chuser writes some values quoted
                v = v[1:-1]
            current[k.strip()] = (v, place)
        else:
            warnings.append(
                ConfigWarning(place, "not a stanza header or 'attr = value' line; ignored")
            )
    return stanzas


def _last_update(
    name: str, attr: tuple[str, Place] | None, warnings: list[ConfigWarning]
) -> date | None:
    """AIX ``lastupdate`` (seconds since 1970) as a date; absent or empty gives None."""
    if not attr or not attr[0]:
        return None
    seconds = ascii_int(attr[0])
    if seconds is None:
        warnings.append(
            ConfigWarning(attr[1], f"{name}: lastupdate is not a number", (("user", name),))
        )
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        warnings.append(
            ConfigWarning(attr[1], f"{name}: lastupdate out of range", (("user", name),))
        )
        return None


def parse_aix_security_passwd(
    data: bytes, file: str
) -> tuple[tuple[ShadowEntry, ...], list[ConfigWarning]]:
    """AIX /etc/security/passwd: ``password``, ``lastupdate`` (seconds), ``flags``."""
    warnings: list[ConfigWarning] = []
    out: list[ShadowEntry] = []
    for name, place, attrs in parse_stanzas(data, file, warnings):
        pw = attrs.pop("password", None)
        status, scheme = classify(pw[0]) if pw else ("no-password", "none")
        del pw
        last = _last_update(name, attrs.get("lastupdate"), warnings)
        fl = attrs.get("flags")
        flags = tuple(f.strip() for f in fl[0].split(",") if f.strip()) if fl else ()
        out.append(ShadowEntry(name, status, scheme, last, None, place, flags))
    return tuple(out), warnings
