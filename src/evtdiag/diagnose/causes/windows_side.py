"""Causes on the Windows side: the DC refused to send the password because of the account's
PasswordPropDeny or PasswordPropAllow membership (12289, 12290); no UNIX host was
contacted. The group exports (``--windows``) only add evidence."""

from __future__ import annotations

from evtdiag.diagnose.causes import causes
from evtdiag.diagnose.context import RuleContext, absence
from evtdiag.diagnose.registry import Finding
from evtdiag.diagnose.windows_groups import administrator_group, looks_like_service_account
from evtdiag.model import Evidence


@causes(
    "windows-deny-group",
    title="The account is in PasswordPropDeny",
    basis="documented",
    severity="error",
    kinds=("deny-group",),
    remediation="If this account's password should reach UNIX, remove it from "
    "PasswordPropDeny (directly or through a nested group). If it is a privileged or "
    "service account, the refusal is intended.",
    scope="account",
    documented_by=("deny-group",),
)
def windows_deny_group(ctx: RuleContext) -> Finding | None:
    """Event 12289: the DC refused to send the password because the account is a member
    of PasswordPropDeny. No UNIX host was contacted."""
    evidence = _group_evidence(ctx, "PasswordPropDeny", expect_member=True)
    user = ctx.group.account or ""
    admins = administrator_group(ctx.windows, user)
    if admins is not None:
        reason = f"{user} is a member of {admins}"
    elif looks_like_service_account(user):
        reason = f"{user} is named like a service account (an inference from the name)"
    else:
        return Finding(evidence)
    return Finding(
        evidence,
        severity="info",
        detail=f"{reason}: keeping it in PasswordPropDeny is the intended protection, so "
        "its passwords never travel to UNIX hosts.",
        remediation="Nothing to fix: the refusal protects a privileged or service account. "
        "Remove it from PasswordPropDeny only if its password must reach UNIX.",
    )


@causes(
    "windows-not-in-allow-group",
    title="The account is not in PasswordPropAllow",
    basis="documented",
    severity="error",
    kinds=("not-in-allow-group",),
    remediation="Add the account to PasswordPropAllow, or delete the group if every "
    "account should be synchronized (no Allow group means everyone is allowed).",
    scope="account",
    documented_by=("not-in-allow-group",),
)
def windows_not_in_allow_group(ctx: RuleContext) -> Finding | None:
    """Event 12290: PasswordPropAllow exists and the account is not a member, so the DC
    did not send the password anywhere."""
    return Finding(_group_evidence(ctx, "PasswordPropAllow", expect_member=False))


def _group_evidence(ctx: RuleContext, name: str, *, expect_member: bool) -> tuple[Evidence, ...]:
    user = ctx.group.account or "?"
    if ctx.windows is None:
        return (absence(None, f"{name} membership not supplied (--windows)"),)
    group = ctx.windows.group(name)
    if not group.supplied:
        return (absence(None, f"{name}.txt not supplied"),)
    member = group.contains(user)
    file = group.place.file if group.place else None
    if member:
        text = f"{user} is listed in {name}"
    else:
        text = f"{user} is not among the {len(group.members)} members of {name}"
    kind_note = (
        "" if member == expect_member else " (the export disagrees with the event: it may be newer)"
    )
    kind = "config" if member else "absence"
    return (Evidence(kind, file, None, text + kind_note, subject=ctx.group.account),)
