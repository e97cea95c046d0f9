"""How account and host names are folded for comparison: one place for every stage.

The same account and host are spelt many ways (``CORP\\KSmith``, ``ksmith@corp``,
``WEB01.corp.example.com.``, ``web01``); the diagnosis, the host matching, the comparison
of reports and the redaction all compare them through these functions.

Two foldings differ on purpose and are kept apart by name:

- :func:`host_key` keeps IP addresses whole (``10.0.0.5`` is not ``10``);
  :func:`first_label` does not look for addresses at all (the SYNC_HOSTS match of a DC
  name, where an address is compared by its first label too);
- :func:`fold_host` case-folds, :func:`trim_host` keeps the case (redaction must replace
  names as they are written); likewise :func:`account_key` folds an account and
  :func:`split_account` only splits it from its domain.
"""

from __future__ import annotations

import ipaddress


def split_account(name: str) -> tuple[str, str | None]:
    """``CORP\\Alice`` -> (``Alice``, ``CORP``); ``Alice@corp.example.com`` -> (``Alice``,
    ``corp.example.com``); ``Alice`` -> (``Alice``, None). Blanks around the name dropped,
    the case kept (redaction must replace names as they are written); a ``DOMAIN\\``
    prefix (the last backslash) is looked for before an ``@domain`` suffix (the first ``@``)."""
    name = name.strip()
    if "\\" in name:
        domain, user = name.rsplit("\\", 1)
        return user, domain
    if "@" in name:
        user, domain = name.split("@", 1)
        return user, domain
    return name, None


def account_name(name: str) -> str:
    """The account without its domain, its case kept: the :func:`split_account` name
    without an ``@domain`` even after a ``DOMAIN\\`` (``CORP\\Alice@corp`` ->
    ``Alice``); what a Windows group or a UNIX host knows the account by."""
    user, _domain = split_account(name)
    return user.split("@", 1)[0]


def account_key(name: str) -> str:
    """``CORP\\Alice`` / ``Alice@corp.example.com`` / ``alice`` -> ``alice``: the
    :func:`account_name`, case-folded."""
    return account_name(name).casefold()


def trim_host(name: str) -> str:
    """``' web01.corp.example.com. '`` -> ``web01.corp.example.com``: blanks and the
    trailing dot of a fully qualified name dropped, the case kept."""
    return name.strip().rstrip(".")


def fold_host(name: str) -> str:
    """The full host name compared case-insensitively: :func:`trim_host`, case-folded."""
    return trim_host(name).casefold()


def is_ip_address(name: str) -> bool:
    """Whether ``name`` is an IPv4 or IPv6 address (as :mod:`ipaddress` reads one)."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def first_label(name: str) -> str:
    """``web01.corp.example.com`` -> ``web01``: the name up to its first dot, as given (no
    folding, and an IP address is cut like any name; :func:`host_key` keeps it whole)."""
    return name.split(".", 1)[0]


def split_first_label(name: str) -> tuple[str, str | None]:
    """``web01.corp.example.com`` -> (``web01``, ``corp.example.com``); a name without a
    dot -> (name, None). As given: no folding, no address test."""
    if "." not in name:
        return name, None
    first, rest = name.split(".", 1)
    return first, rest


def host_key(name: str) -> str:
    """How host names are compared when no configuration ties them together:
    case-insensitive short name (``WEB01.corp.example.com`` = ``web01``), IPs whole."""
    name = fold_host(name)
    return name if is_ip_address(name) else first_label(name)
