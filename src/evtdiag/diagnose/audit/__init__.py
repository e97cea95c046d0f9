"""The best-practice audit: what is risky in the configuration, whether or not it failed yet.

One small function per audit code (docs/contract.md, Audit codes), in one module per
family: each host's sso.conf (:mod:`.sso_conf`), its UNIX accounts
(:mod:`.unix_accounts`), the Windows side's groups (:mod:`.windows_side`), the password
policies of both sides (:mod:`.password_policy`), and the DCs' agreement
(:mod:`.dc_consistency`). Each returns its hits as ``(host, Finding)`` pairs (``host``
None for Windows-side findings); the docstring is the explanation the report shows.
Only ``dc-config-inconsistent`` looks at events: the DCs' own configuration is not among
the inputs, so their disagreement can only be seen in what they did.

:data:`ORDER` is the order the report lists the findings in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from evtdiag.diagnose.context import HostResolver
from evtdiag.diagnose.model import AuditFinding
from evtdiag.diagnose.registry import Finding, Registry
from evtdiag.hosts.inventory import Inventory
from evtdiag.hosts.model import HostConfig, WindowsSide
from evtdiag.model import PsyncEvent

Hits = list[tuple[str | None, Finding]]


@dataclass(frozen=True)
class AuditContext:
    inventory: Inventory | None
    windows: WindowsSide | None
    events: Sequence[PsyncEvent]
    resolver: HostResolver

    @property
    def hosts(self) -> tuple[HostConfig, ...]:
        return self.inventory.hosts if self.inventory else ()


ORDER = (
    "sync-users-all-keyword",
    "superuser-not-excluded",
    "admin-not-in-deny-group",
    "disabled-account-not-blocked",
    "case-sensitive-names",
    "password-file-mismatch",
    "policy-weaker-than-unix",
    "legacy-crypt-8-char",
    "weak-encrypt-key",
    "dc-config-inconsistent",
)
"""Every audit code once, in the order the report lists the findings."""

audits: Registry[AuditContext, Hits] = Registry(ORDER)

# The families register their rules with ``audits`` when imported, so they come after it.
from evtdiag.diagnose.audit import (  # noqa: E402, F401
    dc_consistency,
    password_policy,
    sso_conf,
    unix_accounts,
    windows_side,
)


def run_audit(ctx: AuditContext) -> list[AuditFinding]:
    """Every audit rule, in :data:`ORDER`; ids are stable for the same inputs."""
    findings = []
    for rule in audits.rules:
        for host, finding in rule.check(ctx):
            explanation = rule.explanation + (f" {finding.detail}" if finding.detail else "")
            subject = "|".join((rule.code, (host or "").casefold(), finding.detail))
            findings.append(
                AuditFinding(
                    id="A-" + hashlib.sha256(subject.encode()).hexdigest()[:10],
                    rule=rule.code,
                    host=host,
                    severity=rule.severity,
                    basis=finding.basis or rule.basis,
                    title=rule.title,
                    explanation=explanation,
                    remediation=rule.remediation,
                    evidence=finding.evidence,
                )
            )
    return findings
