"""Who is in which Windows group, nested groups followed: shared by the cause rules (is a
refused account an administrator?) and the audit (are administrators protected?)."""

from __future__ import annotations

import re
import weakref

from evtdiag.hosts.model import WindowsSide
from evtdiag.names import account_key

ADMIN_GROUPS = ("Administrators", "Domain Admins")
_WELL_KNOWN_GROUPS = frozenset({
    "administrators", "domain admins", "enterprise admins", "schema admins", "domain users",
    "account operators", "backup operators", "server operators", "group policy creator owners",
})  # fmt: skip


def accounts_of(
    windows: WindowsSide, group_name: str, unexpanded: set[str] | None = None
) -> list[tuple[str, str]]:
    """(account, the group that lists it) for every account in ``group_name``, following
    nested groups whose files were supplied; groups that were not are added to
    ``unexpanded``."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    pending = [group_name]
    while pending:
        name = pending.pop(0)
        if name.casefold() in seen:
            continue
        seen.add(name.casefold())
        group = windows.group(name)
        for member in group.members:
            nested = windows.group(account_key(member))
            if nested.supplied:
                pending.append(nested.group)
            elif account_key(member) in _WELL_KNOWN_GROUPS:
                if unexpanded is not None:
                    unexpanded.add(member)
            else:
                found.append((member, group.group))
    return found


def administrator_group(windows: WindowsSide | None, user: str) -> str | None:
    """The administrators' group (as supplied) that lists ``user``, directly or nested."""
    if windows is None:
        return None
    return _administrators(windows).get(account_key(user))


_ADMINISTRATORS: dict[int, dict[str, str]] = {}
"""By the id() of a live :class:`WindowsSide` (hashing one would hash every member)."""


def _administrators(windows: WindowsSide) -> dict[str, str]:
    """Every administrator's :func:`account_key` -> the first admin group (as supplied)
    that lists it, nested groups followed once per Windows side: the rules ask for each
    refused account, and walking the groups for each made N refusals against N-member
    groups quadratic (10,000 took over 5 minutes)."""
    found = _ADMINISTRATORS.get(id(windows))
    if found is None:
        found = {}
        for name in ADMIN_GROUPS:
            for account, via in accounts_of(windows, name):
                found.setdefault(account_key(account), via)
        _ADMINISTRATORS[id(windows)] = found
        weakref.finalize(windows, _ADMINISTRATORS.pop, id(windows), None)
    return found


_SERVICE_NAME = re.compile(r"^(svc|srv|sa|service)[_.\-]|(service|svc)$|\$$", re.IGNORECASE)


def looks_like_service_account(user: str) -> bool:
    """Whether the name follows the usual service-account conventions (``svc_backup``,
    ``sqlservice``, a managed service account's trailing ``$``): a naming habit, not a
    Windows property, so what it supports is an inference."""
    return bool(_SERVICE_NAME.search(account_key(user)))
