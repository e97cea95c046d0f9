"""Audit rules on the Windows side's groups: administrators whose passwords would travel to
every UNIX host."""

from __future__ import annotations

from evtdiag.diagnose.audit import AuditContext, Hits, audits
from evtdiag.diagnose.context import absence
from evtdiag.diagnose.registry import Finding
from evtdiag.diagnose.windows_groups import ADMIN_GROUPS, accounts_of
from evtdiag.model import Evidence
from evtdiag.names import account_key


@audits(
    "admin-not-in-deny-group",
    title="Administrators are not in PasswordPropDeny",
    basis="inferred",
    severity="warning",
    remediation="Add the Windows administrator "
    "accounts to PasswordPropDeny, so that their passwords never travel to UNIX hosts.",
)
def admin_not_in_deny_group(ctx: AuditContext) -> Hits:
    """Members of Administrators or Domain Admins whose passwords would be sent to every
    UNIX host: PasswordPropDeny exists to stop exactly that. Nested groups are followed
    through the group files supplied (a Domain Admins in PasswordPropDeny covers its
    members)."""
    if ctx.windows is None:
        return []
    windows = ctx.windows
    deny = windows.group("PasswordPropDeny")
    blocked = {account_key(a) for a, _ in accounts_of(windows, "PasswordPropDeny")}
    missing: dict[str, list[Evidence]] = {}
    listed: set[Evidence] = set()
    unexpanded: set[str] = set()
    for name in ADMIN_GROUPS:
        for account, via in accounts_of(windows, name, unexpanded):
            if account_key(account) in blocked:
                continue
            group = windows.group(via)
            where = group.place.file if group.place else None
            item = Evidence(
                "config", where, None, f"{account} is a member of {via}", subject=account
            )
            if item not in listed:  # a set: a group may list one name thousands of times
                listed.add(item)
                missing.setdefault(account_key(account), []).append(item)
    if not missing:
        return []
    evidence = [e for items in missing.values() for e in items]
    if deny.supplied:
        where = deny.place.file if deny.place else None
        evidence.append(
            absence(where, f"none of them is in PasswordPropDeny ({len(deny.members)} members)")
        )
    else:
        evidence.append(absence(None, "PasswordPropDeny.txt not supplied"))
    evidence.extend(
        absence(None, f"group {group} not supplied: its members were not checked")
        for group in sorted(unexpanded, key=str.casefold)
    )
    return [(None, Finding(tuple(evidence), detail=f"{len(missing)} account(s) concerned."))]
