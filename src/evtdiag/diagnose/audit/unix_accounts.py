"""Audit rules on each host's UNIX accounts: a superuser, or a locked user account, whose
password Windows would still send."""

from __future__ import annotations

from collections.abc import Iterator

from evtdiag.diagnose.audit import AuditContext, Hits, audits
from evtdiag.diagnose.audit.sso_conf import sync_users_evidence
from evtdiag.diagnose.context import config_evidence
from evtdiag.diagnose.registry import Finding
from evtdiag.hosts.model import HostConfig
from evtdiag.hosts.ssoconf import decide
from evtdiag.model import Place

DEFAULT_UID_MIN = 1000


DEFAULT_UID_MAX = 60000


NOBODY_UIDS = frozenset({65534, 4294967294})


@audits(
    "superuser-not-excluded",
    title="A superuser account is not excluded",
    basis="inferred",
    severity="warning",
    remediation="Add '-root' (and '-<name>' for "
    "every other uid-0 account) to SYNC_USERS, and put such accounts in PasswordPropDeny.",
)
def superuser_not_excluded(ctx: AuditContext) -> Hits:
    """Microsoft shows SYNC_USERS=-root as the way to keep root's password from being
    synchronized; here a uid-0 account is not excluded. Whether ssod refuses superusers by
    itself is not documented, so a Windows account of the same name may be able to set
    the UNIX superuser's password."""
    hits: Hits = []
    for host in ctx.hosts:
        if host.sso is None:
            continue
        for entry in host.passwd or ():
            if entry.uid == 0 and decide(host.sso, entry.name).allowed:
                evidence = (
                    sync_users_evidence(host),
                    config_evidence(entry.place, f"{entry.name}: uid 0", entry.name),
                )
                hits.append((host.name, Finding(evidence, detail=f"{entry.name} has uid 0.")))
    return hits


@audits(
    "disabled-account-not-blocked",
    title="A locked UNIX account is still synchronized",
    basis="inferred",
    severity="warning",
    remediation="Exclude the account in SYNC_USERS "
    "('-name') or add it to PasswordPropDeny, so that a Windows password change cannot "
    "re-enable a login that was locked on purpose.",
)
def disabled_account_not_blocked(ctx: AuditContext) -> Hits:
    """A user account (uid at or above UID_MIN) is locked on the UNIX host but neither
    excluded by SYNC_USERS nor blocked by PasswordPropDeny, so Windows keeps sending its
    password (and each attempt fails, or unlocks it, depending on ssod)."""
    hits: Hits = []
    deny = ctx.windows.group("PasswordPropDeny") if ctx.windows else None
    for host in ctx.hosts:
        for name, place, what in _locked_accounts(host):
            if host.sso is not None and not decide(host.sso, name).allowed:
                continue
            if deny is not None and deny.supplied and deny.contains(name):
                continue
            evidence = (config_evidence(place, f"{name}: {what}", name), sync_users_evidence(host))
            hits.append((host.name, Finding(evidence, detail=f"{name} is locked.")))
    return hits


def _locked_accounts(host: HostConfig) -> Iterator[tuple[str, Place, str]]:
    """Locked user accounts (uid within UID_MIN..UID_MAX, not nobody) from shadow and AIX
    security/user; system accounts are locked on purpose."""
    for shadow in host.shadow or ():
        if shadow.status == "locked" and _user_account(host, shadow.name):
            yield shadow.name, shadow.place, "password locked"
    for stanza in host.policy.aix_users:
        if stanza.name != "default" and stanza.account_locked and _user_account(host, stanza.name):
            yield stanza.name, stanza.place, "account_locked = true"


def _user_account(host: HostConfig, name: str) -> bool:
    account = host.account(name, case_ignore=False)
    if account is None or account.uid is None or account.uid in NOBODY_UIDS:
        return False
    return (
        _policy_int(host, "uid_min", DEFAULT_UID_MIN)
        <= account.uid
        <= _policy_int(host, "uid_max", DEFAULT_UID_MAX)
    )


def _policy_int(host: HostConfig, name: str, default: int) -> int:
    setting = host.policy.get(name)
    return setting.value if setting is not None and setting.value is not None else default
