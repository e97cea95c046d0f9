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

from evtdiag.hosts._text import lines
from evtdiag.model import ConfigWarning, PasswdEntry, Place, ShadowEntry

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
    if not field.strip().lstrip("-").isdigit():
        return None
    n = int(field)
    if n < 0 or n > 200_000:
        return None
    return _EPOCH + timedelta(days=n)


NIS_INCLUDE = "NIS compat entry skipped"
"""The warning for a ``+``/``-`` line: accounts may come from NIS, which was not read."""


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
        uid = int(parts[1]) if parts[1].isdigit() else None
        gid = int(parts[2]) if parts[2].isdigit() else None
        if uid is None or gid is None:
            warnings.append(ConfigWarning(place, f"{parts[0]}: uid or gid is not a number"))
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
        if len(parts) != 9:
            warnings.append(
                ConfigWarning(place, f"{parts[0]}: expected 9 fields, found {len(parts)}")
            )
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
    that handle secrets must reduce them at once.
    """
    stanzas: list[tuple[str, Place, dict[str, tuple[str, Place]]]] = []
    for lineno, line in lines(data, file, warnings):
        place = Place(file, line=lineno)
        s = line.strip()
        if not s or s.startswith("*") or s.startswith("#"):
            continue
        if not line[0].isspace() and s.endswith(":") and "=" not in s:
            stanzas.append((s[:-1].strip(), place, {}))
        elif "=" in s and stanzas:
            k, v = s.split("=", 1)
            v = v.strip()
            if len(v) >= 2 and v[0] == v[-1] == '"':  # chuser writes some values quoted
                v = v[1:-1]
            stanzas[-1][2][k.strip()] = (v, place)
        else:
            warnings.append(
                ConfigWarning(place, "not a stanza header or 'attr = value' line; ignored")
            )
    return stanzas


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
        last = None
        lu = attrs.get("lastupdate")
        if lu and lu[0].isdigit():
            try:
                last = datetime.fromtimestamp(int(lu[0]), tz=timezone.utc).date()
            except (OverflowError, OSError, ValueError):
                warnings.append(ConfigWarning(lu[1], "lastupdate out of range"))
        fl = attrs.get("flags")
        flags = tuple(f.strip() for f in fl[0].split(",") if f.strip()) if fl else ()
        out.append(ShadowEntry(name, status, scheme, last, None, place, flags))
    return tuple(out), warnings
