"""Audit rules on what a synchronized password meets on each side: a Windows policy weaker
than the UNIX host's, DES crypt hashes that keep only 8 characters."""

from __future__ import annotations

from evtdiag.diagnose.audit import AuditContext, Hits, audits
from evtdiag.diagnose.context import config_evidence, setting_evidence
from evtdiag.diagnose.registry import Finding
from evtdiag.hosts.policy import min_length_for

_POLICY_CHECKS = (
    # (Windows name, UNIX name, what it means when Windows is weaker)
    ("min_length", "min_length", "a Windows password shorter than the UNIX minimum can be refused"),
    ("min_days", "min_days", "a password changed again sooner than UNIX allows can be refused"),
)


@audits(
    "policy-weaker-than-unix",
    title="The Windows password policy is weaker than UNIX's",
    basis="documented",
    severity="warning",
    remediation="Make the Windows policy at least as "
    "strict as every synchronized UNIX host's (minimum length, minimum age), or relax the "
    "UNIX policy to match.",
)
def policy_weaker_than_unix(ctx: AuditContext) -> Hits:
    """With one-way synchronization the source's password policy must be at least as
    restrictive as the target's (Microsoft's best practice "Ensure consistent password
    policies"); otherwise a password Windows accepts can be refused by the UNIX host."""
    if ctx.windows is None or not ctx.windows.policy_supplied:
        return []
    hits: Hits = []
    for host in ctx.hosts:
        for windows_name, unix_name, meaning in _POLICY_CHECKS:
            windows = ctx.windows.policy_value(windows_name)
            unix = (
                min_length_for(host.policy)
                if unix_name == "min_length"
                else host.policy.get(unix_name)
            )
            if windows is None or unix is None or windows.value is None or unix.value is None:
                continue
            if windows.value < unix.value:
                evidence = (
                    setting_evidence(windows),
                    setting_evidence(unix),
                )
                detail = (
                    f"Windows {windows_name.replace('_', ' ')} {windows.value} < "
                    f"UNIX {unix.value}: {meaning}."
                )
                hits.append((host.name, Finding(evidence, detail=detail)))
    return hits


@audits(
    "legacy-crypt-8-char",
    title="DES crypt hashes: only 8 characters count",
    basis="inferred",
    severity="warning",
    remediation="Move the host to a modern hash "
    "scheme (SHA-512, yescrypt); until then, know that only the first 8 characters of a "
    "synchronized password protect the UNIX login (7-8 character passwords, or a "
    "stronger scheme).",
)
def legacy_crypt_8_char(ctx: AuditContext) -> Hits:
    """Traditional DES crypt uses only the first 8 characters of a password (crypt_unix(5));
    a longer Windows password synchronized to such a host is silently truncated there.
    How ssod handles it is not documented by Microsoft."""
    hits: Hits = []
    for host in ctx.hosts:
        des = [s for s in host.shadow or () if s.scheme == "des"]
        if des:
            names = ", ".join(s.name for s in des[:8]) + (" ..." if len(des) > 8 else "")
            evidence = tuple(
                config_evidence(s.place, f"{s.name}: DES hash", s.name) for s in des[:5]
            )
            hits.append((host.name, Finding(evidence, detail=f"{len(des)} account(s): {names}.")))
    return hits
