"""Audit rules on each host's sso.conf: SYNC_USERS=ALL, CASE_IGNORE_NAME=0, FILE_PATH and
USE_SHADOW, the strength of the encryption keys."""

from __future__ import annotations

from evtdiag.diagnose.audit import AuditContext, Hits, audits
from evtdiag.diagnose.context import absence, config_evidence, setting_evidence
from evtdiag.diagnose.registry import Finding
from evtdiag.hosts.model import HostConfig
from evtdiag.hosts.ssoconf import file_mismatch
from evtdiag.model import Evidence

MIN_KEY_LENGTH = 16


MAX_KEY_LENGTH = 21


MIN_KEY_CLASSES = 3


def sync_users_evidence(host: HostConfig) -> Evidence:
    setting = host.sso.get("SYNC_USERS") if host.sso else None
    if setting is None:
        return absence(host.sso.file if host.sso else host.source, "SYNC_USERS is not set")
    return setting_evidence(setting)


@audits(
    "sync-users-all-keyword",
    title="SYNC_USERS uses ALL",
    basis="inferred",
    severity="warning",
    remediation="Replace ALL by an explicit list of the accounts to "
    "synchronize ('+name' entries), so that new and privileged accounts are not "
    "synchronized by accident.",
)
def sync_users_all_keyword(ctx: AuditContext) -> Hits:
    """SYNC_USERS=ALL synchronizes every account that is not explicitly excluded,
    including accounts created later and service accounts. An explicit list is the
    safer practice."""
    hits: Hits = []
    for host in ctx.hosts:
        if host.sso and any(e.sign == "" and e.name == "ALL" for e in host.sso.sync_users or ()):
            hits.append((host.name, Finding((sync_users_evidence(host),))))
    return hits


@audits(
    "case-sensitive-names",
    title="CASE_IGNORE_NAME=0: names must match exactly",
    basis="documented",
    severity="warning",
    remediation="Set CASE_IGNORE_NAME=1 "
    "(Microsoft's default) unless UNIX has accounts whose names differ only in case.",
)
def case_sensitive_names(ctx: AuditContext) -> Hits:
    """With CASE_IGNORE_NAME=0 a Windows account 'JDoe' does not match the UNIX account
    'jdoe'. Microsoft documents 1 (ignore case) as the default."""
    hits: Hits = []
    for host in ctx.hosts:
        if host.sso is not None and not host.sso.case_ignore_name:
            setting = host.sso.get("CASE_IGNORE_NAME")
            text = setting.text if setting else "CASE_IGNORE_NAME=0"
            hits.append((host.name, Finding((config_evidence(host.sso.case_ignore_place, text),))))
    return hits


@audits(
    "password-file-mismatch",
    title="FILE_PATH and USE_SHADOW disagree",
    basis="documented",
    severity="error",
    remediation="Make FILE_PATH name the file that holds the hashes and "
    "USE_SHADOW agree with it (AIX: /etc/security/passwd with USE_SHADOW=1).",
)
def password_file_mismatch(ctx: AuditContext) -> Hits:
    """FILE_PATH must name the passwd or shadow file that holds the encrypted passwords,
    and its type must agree with USE_SHADOW (Microsoft's sso.conf reference)."""
    hits: Hits = []
    for host in ctx.hosts:
        mismatch = file_mismatch(host.sso) if host.sso is not None else None
        if mismatch is not None:
            evidence = (setting_evidence(mismatch.file_path), setting_evidence(mismatch.use_shadow))
            hits.append((host.name, Finding(evidence, detail=mismatch.problem)))
    return hits


@audits(
    "weak-encrypt-key",
    title="The encryption key is weak",
    basis="documented",
    severity="warning",
    remediation="Generate a new key in the IDMU console (16 to 21 "
    "characters, 21 recommended, at least three of upper case, lower case, digits and "
    "punctuation) and set it in sso.conf.",
)
def weak_encrypt_key(ctx: AuditContext) -> Hits:
    """Windows Server 2008 R2 requires keys of 16 to 21 characters using at least three of
    the four character classes (event 12296 otherwise). The key itself is never shown."""
    hits: Hits = []
    for host in ctx.hosts:
        if host.sso is None:
            continue
        keys = []
        setting = host.sso.get("ENCRYPT_KEY")
        if host.sso.encrypt_key is not None and setting is not None:
            keys.append((host.sso.encrypt_key, setting.place, setting.text))
        keys.extend(
            (e.key, e.place, f"SYNC_HOSTS entry {e.host}: key {e.key}")
            for e in host.sso.sync_hosts or ()
            if e.key is not None
        )
        for key, place, text in keys:
            if (
                not MIN_KEY_LENGTH <= key.length <= MAX_KEY_LENGTH
                or len(key.classes) < MIN_KEY_CLASSES
            ):
                detail = f"{key.length} characters, {len(key.classes)} character class(es)."
                hits.append((host.name, Finding((config_evidence(place, text),), detail=detail)))
    return hits
