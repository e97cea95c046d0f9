"""UNIX password policy: login.defs, pwquality.conf and AIX /etc/security/user.

Why: Microsoft's best practice "Ensure consistent password policies" [DOC] asks that
the Windows policy be at least as strict as the UNIX one, else ssod refuses passwords
that Windows accepted. These parsers collect the UNIX numbers with their lines.

Assumptions [INF]: an AIX user without its own ``minlen``/``account_locked`` takes the
``default`` stanza's value (the AIX convention); for a key repeated in one file the
last line wins; AIX booleans accept true/false/yes/no/always.
"""

from __future__ import annotations

from evtdiag.hosts._text import ascii_int, lines
from evtdiag.hosts.accounts import parse_stanzas
from evtdiag.hosts.model import AixUserAttrs, PolicySetting, UnixPolicy
from evtdiag.model import ConfigWarning, Place

_Parsed = tuple[tuple[PolicySetting, ...], list[ConfigWarning]]

LOGIN_DEFS = {
    "PASS_MIN_LEN": "min_length",
    "PASS_MIN_DAYS": "min_days",
    "PASS_MAX_DAYS": "max_days",
    "UID_MIN": "uid_min",
    "UID_MAX": "uid_max",
}


def _int(raw: str) -> int | None:
    """A policy number; negative ones mean "no limit" (``PASS_MAX_DAYS -1``)."""
    return ascii_int(raw.strip(), signed=True)


def parse_login_defs(data: bytes, file: str) -> _Parsed:
    """login.defs: ``NAME value`` lines; only the password-policy names are kept."""
    warnings: list[ConfigWarning] = []
    out: list[PolicySetting] = []
    for lineno, line in lines(data, file, warnings):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        parts = s.split(None, 1)
        if parts[0] in LOGIN_DEFS:
            place = Place(file, line=lineno)
            raw = parts[1] if len(parts) > 1 else ""
            value = _int(raw)
            if value is None:
                warnings.append(ConfigWarning(place, f"{parts[0]}: {raw!r} is not a number"))
            out.append(PolicySetting(LOGIN_DEFS[parts[0]], value, raw, place, s))
    return tuple(out), warnings


def parse_pwquality(data: bytes, file: str) -> _Parsed:
    """pwquality.conf: ``name = value``; ``minlen`` is kept (as ``minlen``)."""
    warnings: list[ConfigWarning] = []
    out: list[PolicySetting] = []
    for lineno, line in lines(data, file, warnings):
        s = line.strip()
        if not s or s.startswith("#") or "=" not in s:
            continue
        k, v = (x.strip() for x in s.split("=", 1))
        if k == "minlen":
            place = Place(file, line=lineno)
            value = _int(v)
            if value is None:
                warnings.append(ConfigWarning(place, f"minlen: {v!r} is not a number"))
            out.append(PolicySetting("minlen", value, v, place, s))
    return tuple(out), warnings


def _bool(v: str) -> bool | None:
    v = v.lower()
    if v in ("true", "yes", "always"):
        return True
    if v in ("false", "no", "never"):
        return False
    return None


def parse_aix_security_user(
    data: bytes, file: str
) -> tuple[tuple[AixUserAttrs, ...], list[ConfigWarning]]:
    """AIX /etc/security/user stanzas: ``account_locked`` and ``minlen``.

    A user without its own value inherits the ``default`` stanza's (applied here, so
    each returned stanza holds its effective values; ``default`` itself is kept too).
    """
    warnings: list[ConfigWarning] = []
    raw = parse_stanzas(data, file, warnings)
    default = next((a for n, _p, a in raw if n == "default"), {})
    out: list[AixUserAttrs] = []
    for name, place, attrs in raw:
        eff = {**default, **attrs}
        locked = minlen = None
        if "account_locked" in eff:
            locked = _bool(eff["account_locked"][0])
            if locked is None:
                warnings.append(
                    ConfigWarning(
                        eff["account_locked"][1], f"{name}: account_locked is not true/false"
                    )
                )
        if "minlen" in eff:
            minlen = _int(eff["minlen"][0])
            if minlen is None:
                warnings.append(ConfigWarning(eff["minlen"][1], f"{name}: minlen is not a number"))
        out.append(AixUserAttrs(name, locked, minlen, place))
    return tuple(out), warnings


def min_length_for(policy: UnixPolicy, user: str | None = None) -> PolicySetting | None:
    """The effective minimum length for ``user``: the AIX stanza (own, else
    ``default``), else pwquality ``minlen``, else login.defs PASS_MIN_LEN."""
    stanzas = [policy.aix_user(user)] if user else []
    stanzas.append(policy.aix_stanza("default"))
    for a in stanzas:
        if a is not None and a.minlen is not None:
            return PolicySetting(
                "min_length", a.minlen, str(a.minlen), a.place, f"{a.name}: minlen = {a.minlen}"
            )
    return policy.get("minlen") or policy.get("min_length")
