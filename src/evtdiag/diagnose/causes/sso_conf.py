"""Causes in the host's sso.conf: the encryption key, FILE_PATH and USE_SHADOW, SYNC_HOSTS,
SYNC_USERS and CASE_IGNORE_NAME, as ssod on that host reads them."""

from __future__ import annotations

from evtdiag.diagnose.causes import HOST_EVENTS, UNIX_DENIED, causes
from evtdiag.diagnose.causes.unix_accounts import passwd_evidence
from evtdiag.diagnose.context import RuleContext, config_evidence, setting_evidence
from evtdiag.diagnose.registry import Finding
from evtdiag.hosts.model import HostConfig, SsoConf, SyncHost
from evtdiag.hosts.ssoconf import decide, file_mismatch
from evtdiag.model import Evidence
from evtdiag.names import first_label, fold_host


def _sso(host: HostConfig | None) -> SsoConf | None:
    return host.sso if host else None


@causes(
    "encryption-key-mismatch",
    title="Encryption key differs between the DC and the host",
    basis="documented",
    severity="error",
    kinds=("key-mismatch", "protocol-error"),
    remediation="Set the same encryption key in the IDMU console (default or this host's "
    "entry) and in the host's sso.conf (ENCRYPT_KEY, or the key in this DC's SYNC_HOSTS "
    "entry), then restart ssod.",
    scope="host",
    documented_by=("key-mismatch", "protocol-error"),
)
def encryption_key_mismatch(ctx: RuleContext) -> Finding | None:
    """Events 8203 (and 8217): the host could not decrypt what the DC sent, which Microsoft
    attributes to an encryption key (or key length) that differs between IDMU and sso.conf,
    or to a packet error. Every account sent to this host fails the same way."""
    sso = _sso(ctx.group.host)
    evidence: list[Evidence] = []
    if sso is not None:
        setting = sso.get("ENCRYPT_KEY")
        if setting is not None:
            evidence.append(setting_evidence(setting))
        entry = _sync_host_entry(sso, ctx.group.dc)
        if entry is not None and entry.key is not None:
            evidence.append(
                config_evidence(
                    entry.place, f"SYNC_HOSTS entry ({entry.host}) sets its own key {entry.key}"
                )
            )
    return Finding(tuple(evidence))


@causes(
    "password-file-mismatch",
    title="FILE_PATH and USE_SHADOW disagree",
    basis="documented",
    severity="error",
    kinds=HOST_EVENTS,
    remediation="Make FILE_PATH name the file that holds the hashes and USE_SHADOW agree "
    "with it: /etc/shadow with USE_SHADOW=1, /etc/passwd with USE_SHADOW=0 (AIX: "
    "/etc/security/passwd with USE_SHADOW=1). Restart ssod.",
    scope="host",
)
def password_file_mismatch(ctx: RuleContext) -> Finding | None:
    """sso.conf's FILE_PATH must name the passwd or shadow file that holds the encrypted
    passwords, and its type must agree with USE_SHADOW (Microsoft's sso.conf reference).
    When they disagree ssod cannot update the password of any account."""
    sso = _sso(ctx.group.host)
    mismatch = file_mismatch(sso) if sso is not None else None
    if mismatch is None:
        return None
    evidence = (setting_evidence(mismatch.file_path), setting_evidence(mismatch.use_shadow))
    return Finding(evidence, detail=mismatch.problem)


def _sync_host_entry(sso: SsoConf, dc: str) -> SyncHost | None:
    """The SYNC_HOSTS entry naming ``dc`` (full or short name, case-insensitive)."""
    dc_full = fold_host(dc)
    dc_short = first_label(dc_full)  # an address is cut too: unlike host_key
    for entry in sso.sync_hosts or ():
        name = fold_host(entry.host)
        if name in (dc_full, dc_short) or first_label(name) == dc_short:
            return entry
    return None


def _is_address(name: str) -> bool:
    return name.replace(".", "").isdigit() or ":" in name


@causes(
    "dc-not-in-sync-hosts",
    title="The DC is not in the host's SYNC_HOSTS",
    basis="inferred",
    severity="error",
    kinds=HOST_EVENTS,
    remediation="Add this DC to SYNC_HOSTS in the host's sso.conf (every DC that runs "
    "Password Synchronization sends changes) and restart ssod.",
    scope="dc",
)
def dc_not_in_sync_hosts(ctx: RuleContext) -> Finding | None:
    """SYNC_HOSTS lists the Windows servers ssod accepts passwords from; the DC that logged
    the failure is not among them. Microsoft documents SYNC_HOSTS but not the event a
    missing DC produces, so this explanation is an inference."""
    sso = _sso(ctx.group.host)
    if sso is None or not sso.sync_hosts or not ctx.group.dc:
        return None
    if _sync_host_entry(sso, ctx.group.dc) is not None:
        return None
    if any(_is_address(entry.host) for entry in sso.sync_hosts):
        return None  # entries are addresses: the DC's address is not known here
    setting = sso.get("SYNC_HOSTS")
    listed = ", ".join(entry.host for entry in sso.sync_hosts)
    return Finding(
        (
            config_evidence(
                setting.place if setting else None,
                setting.text if setting else f"SYNC_HOSTS: {listed}",
            ),
        ),
        detail=f"{ctx.group.dc} is not among: {listed}.",
    )


@causes(
    "sync-users-excluded",
    title="SYNC_USERS excludes the account",
    basis="inferred",
    severity="error",
    kinds=UNIX_DENIED,
    remediation="If the account should be synchronized, remove its '-' entry from "
    "SYNC_USERS in this host's sso.conf and restart ssod; if not, also add it to "
    "PasswordPropDeny so the DC stops sending it.",
)
def sync_users_excluded(ctx: RuleContext) -> Finding | None:
    """SYNC_USERS names the account with a leading '-', which Microsoft documents as
    excluding it from synchronization on this host. That ssod reports the exclusion as
    event 12294 is inferred: Microsoft only says 12294 originates on the UNIX side."""
    sso, user = _sso(ctx.group.host), ctx.group.account
    if sso is None or user is None:
        return None
    decision = decide(sso, user)
    if decision.allowed or decision.entry is None or decision.entry.sign != "-":
        return None
    setting, entry = sso.get("SYNC_USERS"), str(decision.entry)
    return Finding(
        (config_evidence(decision.place, setting.quote(entry) if setting else entry),),
        detail=decision.explanation + ".",
    )


@causes(
    "sync-users-not-listed",
    title="SYNC_USERS lists accounts and this one is not among them",
    basis="inferred",
    severity="error",
    kinds=UNIX_DENIED,
    remediation="Add '+<account>' to SYNC_USERS in this host's sso.conf (or replace the "
    "list by an explicit policy that includes it) and restart ssod.",
    scope="host",
)
def sync_users_not_listed(ctx: RuleContext) -> Finding | None:
    """SYNC_USERS holds an explicit list of included accounts ('+name') and this account
    is not on it. Microsoft documents '+name'; that a list means "only these" is
    evtdiag's reading of it."""
    sso, user = _sso(ctx.group.host), ctx.group.account
    if sso is None or user is None or not sso.sync_users:
        return None
    decision = decide(sso, user)
    if decision.allowed or decision.entry is not None:
        return None
    setting = sso.get("SYNC_USERS")
    return Finding(
        (config_evidence(decision.place, setting.text if setting else "SYNC_USERS"),),
        detail=decision.explanation + ".",
    )


@causes(
    "name-case-mismatch",
    title="The names differ only in case and CASE_IGNORE_NAME=0",
    basis="inferred",
    severity="error",
    kinds=HOST_EVENTS,
    remediation="Set CASE_IGNORE_NAME=1 in this host's sso.conf (Microsoft's default), or "
    "make the Windows and UNIX account names identical, then restart ssod.",
)
def name_case_mismatch(ctx: RuleContext) -> Finding | None:
    """CASE_IGNORE_NAME=0 makes ssod compare Windows and UNIX account names exactly; the
    UNIX account exists but its name differs from the Windows one only in case. Which
    event this produces is not documented."""
    sso, host, user = _sso(ctx.group.host), ctx.group.host, ctx.group.account
    if sso is None or host is None or user is None or sso.case_ignore_name:
        return None
    if host.account(user, case_ignore=False) is not None:
        return None
    entry = host.account(user, case_ignore=True)
    if entry is None:
        return None
    setting = sso.get("CASE_IGNORE_NAME")
    return Finding(
        (
            config_evidence(
                sso.case_ignore_place, setting.text if setting else "CASE_IGNORE_NAME=0"
            ),
            passwd_evidence(entry),
        ),
        detail=f"Windows sends '{user}', the UNIX account is '{entry.name}'.",
    )
