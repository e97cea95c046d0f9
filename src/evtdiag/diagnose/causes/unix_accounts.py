"""Causes in the host's UNIX accounts (passwd, shadow, AIX security/user): the superuser,
an account that does not exist, one that is locked, never set or expired."""

from __future__ import annotations

from evtdiag.diagnose.causes import HOST_EVENTS, UNIX_DENIED, causes
from evtdiag.diagnose.context import RuleContext, absence, config_evidence, setting_evidence
from evtdiag.diagnose.registry import Finding
from evtdiag.hosts.accounts import NIS_INCLUDE
from evtdiag.hosts.model import HostConfig, PasswdEntry, ShadowEntry
from evtdiag.model import Evidence
from evtdiag.names import account_key


def _file_of(host: HostConfig, name: str) -> str | None:
    status = host.file(name)
    return status.path if status and status.path else None


def passwd_evidence(entry: PasswdEntry) -> Evidence:
    uid = "?" if entry.uid is None else entry.uid
    return config_evidence(
        entry.place, f"{entry.name}: uid {uid}, shell {entry.shell or '-'}", entry.name
    )


def _shadow_evidence(entry: ShadowEntry) -> Evidence:
    """The account's status, never its line: the line would carry the hash."""
    changed = f", last changed {entry.last_change}" if entry.last_change else ""
    return config_evidence(
        entry.place,
        f"{entry.name}: password {entry.status} ({entry.scheme} hash){changed}",
        entry.name,
    )


@causes(
    "superuser",
    title="The account is root or has uid 0",
    basis="inferred",
    severity="info",
    kinds=UNIX_DENIED,
    remediation="Nothing to fix if this is intended: superuser passwords should not be "
    "synchronized. Add the account to PasswordPropDeny so the DC stops trying, and keep "
    "'-root' in SYNC_USERS.",
    scope="account",
)
def superuser(ctx: RuleContext) -> Finding | None:
    """The account is the UNIX superuser (root, or uid 0). Refusing it is the intended
    protection; Microsoft shows SYNC_USERS=-root as the way to keep root out, but does
    not document whether ssod refuses superusers by itself."""
    user, host = ctx.group.account, ctx.group.host
    if user is None:
        return None
    entry = host.account(user) if host else None
    if entry is not None and entry.uid == 0:
        return Finding((passwd_evidence(entry),))
    if account_key(user) == "root":
        return Finding(() if entry is None else (passwd_evidence(entry),))
    return None


@causes(
    "unix-account-missing",
    title="No UNIX account of that name on the host",
    basis="inferred",
    severity="error",
    kinds=HOST_EVENTS,
    remediation="Create the account on the UNIX host (or its NIS master), or correct the "
    "name mapping; if the account was removed on purpose, stop synchronizing it "
    "(PasswordPropDeny, or '-<account>' in SYNC_USERS).",
)
def unix_account_missing(ctx: RuleContext) -> Finding | None:
    """The host's passwd file has no account of this name, so ssod has no password to
    replace. Microsoft's pages for 8203 and 8204 say to check that the account exists on
    the UNIX host; the event a missing account produces is not documented."""
    host, user = ctx.group.host, ctx.group.account
    if host is None or user is None or host.passwd is None:
        return None
    if host.account(user, case_ignore=True) is not None:
        return None  # present (if only the case differs, name-case-mismatch explains it)
    file = _file_of(host, "passwd")
    evidence = [
        absence(
            file,
            f"no account '{user}' among the {len(host.passwd)} accounts of this passwd file",
            user,
        )
    ]
    nis = [w for w in host.warnings if w.message == NIS_INCLUDE]
    use_nis = host.sso.get("USE_NIS") if host.sso else None
    if nis or (use_nis is not None and use_nis.value.strip() == "1"):
        evidence.extend(config_evidence(w.place, "NIS include line (+/-)") for w in nis[:1])
        if use_nis is not None and use_nis.value.strip() == "1":
            evidence.append(setting_evidence(use_nis))
        return Finding(
            tuple(evidence),
            detail="The host uses NIS: the account may come from the NIS maps, which were not "
            "collected; check 'ypmatch <account> passwd' on the host before concluding.",
        )
    return Finding(tuple(evidence))


@causes(
    "unix-account-disabled",
    title="The UNIX account is locked or disabled",
    basis="inferred",
    severity="error",
    kinds=HOST_EVENTS,
    remediation="Unlock the account on the UNIX host (passwd -u, or chuser "
    "account_locked=false on AIX) if it should be used; otherwise stop synchronizing it "
    "(PasswordPropDeny, or '-<account>' in SYNC_USERS).",
    documented_by=("account-disabled",),
)
def unix_account_disabled(ctx: RuleContext) -> Finding | None:
    """The UNIX account cannot log in with a password: it is locked (a '!' or '*LK*'
    password, or AIX account_locked), its password was never set ('*'), or it expired
    before the failure. Microsoft documents event 8204 "logon account disabled" but not
    what ssod counts as disabled; these are the usual meanings."""
    host, user = ctx.group.host, ctx.group.account
    documented = ctx.group.kind == "account-disabled"
    if host is None or user is None:
        return Finding(()) if documented else None
    basis = "documented" if documented else "inferred"
    entry = host.shadow_entry(user)
    if entry is not None and entry.status in ("locked", "never-set"):
        return Finding((_shadow_evidence(entry),), basis=basis)
    last = max((e.time for e in ctx.group.events if e.time), default=None)
    if entry is not None and entry.expires is not None and last and last.date() > entry.expires:
        return Finding(
            (
                config_evidence(
                    entry.place, f"{entry.name}: account expired on {entry.expires}", entry.name
                ),
            ),
            basis=basis,
            detail=f"The account expired on {entry.expires}, before the failure.",
        )
    aix = host.policy.aix_user(user)
    if aix is not None and aix.account_locked:
        return Finding(
            (config_evidence(aix.place, f"{aix.name}: account_locked = true", aix.name),),
            basis=basis,
        )
    if not documented:
        return None
    now = (_shadow_evidence(entry),) if entry is not None else ()
    return Finding(
        now,
        basis=basis,
        detail="The event documents a disabled account, but the configuration collected no "
        "longer shows a lock: the account looks unlocked now (after the failure, or the "
        "files were collected later). Check whether later password changes succeeded.",
    )
