"""The best-practice audit: what is risky in the configuration, whether or not it failed yet.

One small function per audit code (docs/contract.md, Audit codes), each returning its hits as
``(host, Finding)`` pairs (``host`` None for Windows-side findings). The docstring
is the explanation the report shows. Only ``dc-config-inconsistent`` looks at events:
the DCs' own configuration is not among the inputs, so their disagreement can only
be seen in what they did.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from evtdiag.diagnose.causes import file_mismatch
from evtdiag.diagnose.context import (
    HostResolver,
    absence,
    config_evidence,
    event_evidence,
    setting_evidence,
)
from evtdiag.diagnose.model import AuditFinding
from evtdiag.diagnose.registry import Finding, Registry
from evtdiag.diagnose.windows_groups import ADMIN_GROUPS, accounts_of
from evtdiag.hosts.inventory import Inventory
from evtdiag.hosts.model import HostConfig, WindowsSide
from evtdiag.hosts.policy import min_length_for
from evtdiag.hosts.ssoconf import decide
from evtdiag.model import Evidence, Outcome, Place, PsyncEvent
from evtdiag.names import account_key

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


audits: Registry[AuditContext, Hits] = Registry()

MIN_KEY_LENGTH = 16
MAX_KEY_LENGTH = 21
MIN_KEY_CLASSES = 3
DEFAULT_UID_MIN = 1000
DEFAULT_UID_MAX = 60000
NOBODY_UIDS = frozenset({65534, 4294967294})


def _sync_users_evidence(host: HostConfig) -> Evidence:
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
            hits.append((host.name, Finding((_sync_users_evidence(host),))))
    return hits


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
                    _sync_users_evidence(host),
                    config_evidence(entry.place, f"{entry.name}: uid 0", entry.name),
                )
                hits.append((host.name, Finding(evidence, detail=f"{entry.name} has uid 0.")))
    return hits


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
            evidence = (config_evidence(place, f"{name}: {what}", name), _sync_users_evidence(host))
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
        finding = file_mismatch(host.sso)
        if finding is not None:
            hits.append((host.name, finding))
    return hits


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


@audits(
    "dc-config-inconsistent",
    title="The DCs do not agree about a host",
    basis="inferred",
    severity="warning",
    remediation="Configure Password Synchronization identically on every "
    "DC (same UNIX hosts, default key and port), and list every DC in each host's "
    "SYNC_HOSTS.",
)
def dc_config_inconsistent(ctx: AuditContext) -> Hits:
    """Microsoft asks for every DC to be configured identically (hosts, key, port). The
    events suggest DCs that disagree: one sends to a host the other never sends to, or a
    host accepts an account's password through one DC and refuses the same account through
    another. Reading that from the events is evtdiag's heuristic."""
    hits: Hits = []
    sent: dict[str, dict[str, PsyncEvent]] = defaultdict(dict)
    outcomes: dict[str, dict[str, dict[Outcome, PsyncEvent]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    refused: dict[tuple[str, str], set[str]] = defaultdict(set)
    accepted: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for event in ctx.events:
        host = ctx.resolver.host_id(event.host)
        if host is None or event.outcome is Outcome.INFO:
            continue
        dc = event.dc.casefold()
        if not dc:  # an export without the computer name (CSV): no DC to compare
            continue
        names.setdefault(dc, event.dc)
        sent[dc].setdefault(host, event)
        outcomes[host][dc].setdefault(event.outcome, event)
        if event.user:
            outcome_of = refused if event.outcome is Outcome.FAILURE else accepted
            outcome_of[(host, dc)].add(event.user.casefold())
    if len(sent) >= 2:
        # One finding per disagreement (which DCs send, which never do), listing its hosts.
        silent_for: dict[tuple[tuple[str, ...], tuple[str, ...]], list[PsyncEvent]] = defaultdict(
            list
        )
        dcs = sorted(sent)  # once, not once per host
        for host in sorted(set().union(*(set(hosts) for hosts in sent.values()))):
            senders = tuple(dc for dc in dcs if host in sent[dc])
            if len(senders) < len(dcs):
                silent = tuple(dc for dc in dcs if host not in sent[dc])
                silent_for[(senders, silent)].append(sent[senders[0]][host])
        for (senders, silent), examples in silent_for.items():
            hosts = [e.host or "?" for e in examples]
            listed = ", ".join(hosts[:20]) + (
                f" and {len(hosts) - 20} more" if len(hosts) > 20 else ""
            )
            hits.append(
                (
                    examples[0].host if len(examples) == 1 else None,
                    Finding(
                        tuple(event_evidence(e) for e in examples[:5]),
                        detail=f"{_names(senders, names)} send(s) passwords to {listed}; "
                        f"{_names(silent, names)} never did in these logs.",
                    ),
                )
            )
    for host, by_dc in sorted(outcomes.items()):
        good = sorted(dc for dc, seen in by_dc.items() if Outcome.SUCCESS in seen)
        accepted_here = set().union(*(accepted[(host, dc)] for dc in good)) if good else set()
        bad = sorted(
            dc
            for dc, seen in by_dc.items()  # one account alone is not a pattern
            if Outcome.SUCCESS not in seen
            and len(refused[(host, dc)]) >= 2
            and refused[(host, dc)] & accepted_here  # the same account gets through elsewhere
        )
        if good and bad:
            example_bad = by_dc[bad[0]][Outcome.FAILURE]
            example_good = by_dc[good[0]][Outcome.SUCCESS]
            hits.append(
                (
                    example_bad.host,
                    Finding(
                        (event_evidence(example_bad), event_evidence(example_good)),
                        detail=f"passwords reach {example_bad.host} through "
                        f"{_names(good, names)} but only fail through {_names(bad, names)}.",
                    ),
                )
            )
    return hits


def _names(dcs: Sequence[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(dc, dc) for dc in dcs)


def run_audit(ctx: AuditContext) -> list[AuditFinding]:
    """Every audit rule, in registry order; ids are stable for the same inputs."""
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
