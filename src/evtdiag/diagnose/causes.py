"""The cause rules: why did this group of failures happen?

One small function per cause code (docs/contract.md, Cause codes), registered in order of
strength: configuration faults that refuse every user of a host come before the
per-user ones, so the first rule that applies is the best explanation. Each
docstring is the explanation the report shows; what Microsoft documents and what
evtdiag infers is kept apart in ``basis`` (docs/contract.md, Cause codes: the basis of
each code).
"""

from __future__ import annotations

from evtdiag.diagnose.context import (
    RuleContext,
    absence,
    config_evidence,
    event_kind,
    setting_evidence,
)
from evtdiag.diagnose.registry import Finding, Registry
from evtdiag.diagnose.windows_groups import administrator_group, looks_like_service_account
from evtdiag.hosts.accounts import NIS_INCLUDE
from evtdiag.hosts.model import HostConfig, PasswdEntry, ShadowEntry, SsoConf, SyncHost
from evtdiag.hosts.ssoconf import decide
from evtdiag.model import Evidence
from evtdiag.names import account_key, first_label, fold_host

causes: Registry[RuleContext, Finding | None] = Registry()

UNIX_DENIED = ("user-denied",)
HOST_EVENTS = ("user-denied", "key-mismatch", "account-disabled")


def _sso(host: HostConfig | None) -> SsoConf | None:
    return host.sso if host else None


def _file_of(host: HostConfig, name: str) -> str | None:
    status = host.file(name)
    return status.path if status and status.path else None


def _passwd_evidence(entry: PasswdEntry) -> Evidence:
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


COLLECT_STEP = (
    "Collect the UNIX side: run 'evtdiag collect-script' as root on the host (it writes "
    "sso.conf, passwd and shadow without keys or hashes) and rerun evtdiag with --hosts "
    "(and --windows for the group settings) to find the cause."
)


# -- what the event itself lacks ---------------------------------------------------------


@causes(
    "incomplete-event",
    title="The event does not name the account or the host",
    basis="inferred",
    severity="warning",
    kinds=(*HOST_EVENTS, "unknown-host", "deny-group", "not-in-allow-group"),
    remediation="Look at the raw event XML: its data items should hold the remote user "
    "and host. A filtered or converted export may have dropped them; export the log "
    "again with wevtutil epl.",
)
def incomplete_event(ctx: RuleContext) -> Finding | None:
    """The event lacks an insertion string Microsoft documents for it (the remote user or
    the UNIX host), so nothing about that account or host could be checked."""
    kind = event_kind(ctx.group.kind)
    present = {"user": ctx.group.account, "host": ctx.group.rhost}
    missing = [what for what in (kind.inserts if kind else ()) if not present.get(what)]
    return Finding((), detail=f"Missing: {', '.join(missing)}.") if missing else None


# -- no configuration / Windows-side refusals -----------------------------------------


@causes(
    "unknown-host",
    title="The DC cannot resolve the UNIX host name",
    basis="documented",
    severity="error",
    kinds=("unknown-host",),
    remediation="Check that the host name in the IDMU host list is right and resolves "
    "(nslookup, ping) from every DC; correct DNS or the host list.",
    scope="host",
    documented_by=("unknown-host",),
)
def unknown_host(ctx: RuleContext) -> Finding | None:
    """Event 8200: the host name in the Password Synchronization host list does not
    resolve to an IP address on the DC that logged it."""
    return Finding(())


@causes(
    "no-host-config",
    title="No configuration supplied for this UNIX host",
    basis="inferred",
    severity="warning",
    kinds=(*HOST_EVENTS, "unknown-host"),
    remediation="Collect this host's sso.conf, passwd and shadow (evtdiag collect-script) "
    "and add them to --hosts, or add its other names to hosts.toml. If the host "
    "was decommissioned, remove it from the IDMU host list on every DC.",
    scope="host",
)
def no_host_config(ctx: RuleContext) -> Finding | None:
    """The host named in the event matches none of the supplied host configurations,
    so nothing on the UNIX side can be checked."""
    group = ctx.group
    if group.rhost is None or group.host is not None or ctx.inventory is None:
        return None  # without any configuration, ``unexplained`` says what to collect
    match = group.match
    tried = ", ".join(match.tried) if match else group.rhost
    if match and match.ambiguous:
        text = (
            f"'{group.rhost}' matches several configurations ({', '.join(match.candidates)}); "
            "none chosen"
        )
    else:
        text = (
            f"no folder or archive for '{group.rhost}' in {ctx.inventory.root} "
            f"(names tried: {tried})"
        )
    return Finding((absence(ctx.inventory.root, text),))


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


# -- host-wide configuration faults ---------------------------------------------------------


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
    "untrusted-host",
    title="A UNIX host is not in the DC's host list",
    basis="documented",
    severity="error",
    kinds=("untrusted-host",),
    remediation="Add the UNIX host to the Password Synchronization host list on every DC.",
    scope="host",
    documented_by=("untrusted-host",),
)
def untrusted_host(ctx: RuleContext) -> Finding | None:
    """Event 8226: a UNIX host sent a password change but is not in the DC's list of
    UNIX hosts (UNIX-to-Windows direction)."""
    return Finding(())


@causes(
    "unrecognized-password",
    title="The DC could not read the password it received",
    basis="documented",
    severity="error",
    kinds=("unrecognized-password",),
    remediation="Make sure the right ssod/pam_sso version is installed and that all DCs "
    "are configured identically (hosts, default key, port).",
    scope="account",
    documented_by=("unrecognized-password",),
)
def unrecognized_password(ctx: RuleContext) -> Finding | None:
    """Event 8230: a password arrived incomplete or unreadable (UNIX-to-Windows)."""
    return Finding(())


@causes(
    "encryption-key-policy",
    title="The encryption key does not meet the key policy",
    basis="documented",
    severity="error",
    kinds=("weak-key-policy",),
    remediation="Generate a new key in the IDMU console (16 to 21 characters, three of "
    "upper case, lower case, digits and punctuation) and put it in every sso.conf.",
    scope="dc",
    documented_by=("weak-key-policy",),
)
def encryption_key_policy(ctx: RuleContext) -> Finding | None:
    """Event 12296: the key is shorter than the 2008 R2 policy allows or uses too few
    character classes."""
    return Finding(())


AIX_SHADOW = "/etc/security/passwd"


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
    return file_mismatch(_sso(ctx.group.host))


def file_mismatch(sso: SsoConf | None) -> Finding | None:
    if sso is None:
        return None
    path, shadow = sso.get("FILE_PATH"), sso.get("USE_SHADOW")
    if path is None or shadow is None:
        return None
    value = path.value.strip().rstrip("/")
    wants_shadow = shadow.value.strip() not in ("0", "")
    is_shadow = value.endswith("shadow") or value == AIX_SHADOW
    is_passwd = value.endswith("passwd") and value != AIX_SHADOW
    if not (is_shadow or is_passwd):
        problem = f"FILE_PATH={path.value} names neither a passwd nor a shadow file"
    elif wants_shadow and is_passwd:
        problem = "USE_SHADOW=1 but FILE_PATH names a passwd file"
    elif not wants_shadow and is_shadow:
        problem = "USE_SHADOW=0 but FILE_PATH names a shadow file"
    else:
        return None
    return Finding(
        (setting_evidence(path), setting_evidence(shadow)),
        detail=problem + ".",
    )


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


# -- per-account refusals on one host ---------------------------------------------------------


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
        return Finding((_passwd_evidence(entry),))
    if account_key(user) == "root":
        return Finding(() if entry is None else (_passwd_evidence(entry),))
    return None


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
            _passwd_evidence(entry),
        ),
        detail=f"Windows sends '{user}', the UNIX account is '{entry.name}'.",
    )


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


@causes(
    "unexplained",
    title="No cause found in what was supplied",
    basis="inferred",
    severity="warning",
    kinds=HOST_EVENTS,
    remediation="The UNIX configuration supplied does not explain the refusal. Check, in "
    "order: (1) the Windows side against Microsoft's best practices - PasswordPropAllow/"
    "PasswordPropDeny membership, the same hosts, key and port on every DC; (2) that the "
    "Windows password policy is at least as strict as the UNIX one (length, age, "
    "history), since a password Windows accepts may be refused by UNIX; (3) ssod's "
    "syslog on the host at the time of the event; (4) that the configuration collected "
    "is the one ssod was running with.",
)
def unexplained(ctx: RuleContext) -> Finding | None:
    """None of evtdiag's rules explains the failure: the host's configuration was supplied
    and nothing in it does, or no configuration was supplied at all. Microsoft notes that
    12294 typically originates on the UNIX side, and otherwise points at the Windows side
    and consistent password policies."""
    host = ctx.group.host
    if ctx.inventory is None:
        return Finding(
            (absence(None, "no host configurations supplied (--hosts)"),),
            detail="No configuration was supplied, so only the pattern of failures and "
            "successes (the scope above) is known.",
            remediation=COLLECT_STEP,
        )
    if host is None:
        return None
    missing = [
        f.name
        for f in host.files
        if f.state != "present" and f.name in ("sso.conf", "passwd", "shadow")
    ]
    evidence = tuple(
        absence(host.source, f"{name} not supplied for {host.name}") for name in missing
    )
    return Finding(
        evidence, detail="Missing evidence: " + ", ".join(missing) + "." if missing else ""
    )
