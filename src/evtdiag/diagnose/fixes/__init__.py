"""The fix of each open problem: the exact change, who makes it, and how to verify it.

A fix is built from what the problem's cause rule found: the configuration lines of its
evidence (file and line), the accounts and hosts whose failures it explains, its DC, and
the host's configuration read by the hosts stage. One planner per cause code
(:data:`PLANNERS`; a test checks that every code has one). An intended refusal (severity
info) and a resolved problem get no fix. A key is never written into a fix: where a line
holds one, the fix edits the line by its number and names the key by where it is set.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from evtdiag.diagnose.context import HostResolver
from evtdiag.diagnose.fixes.commands import (
    AIX_SHADOW,
    collect_step,
    create_account,
    dns_lookup,
    group_change,
    is_aix,
    restart_ssod,
    unlock_account,
)
from evtdiag.diagnose.fixes.edits import (
    append_to_line,
    host_path,
    remove_from_line,
    replace_line,
)
from evtdiag.diagnose.model import Command, Fix, FixStep, LineEdit, Problem, Retry
from evtdiag.hosts.inventory import Inventory
from evtdiag.hosts.model import HostConfig, SsoSetting, WindowsSide
from evtdiag.hosts.ssoconf import decide
from evtdiag.logs.providers import EXPORT_COMMANDS
from evtdiag.names import account_key, account_name, first_label, fold_host

ALLOW_GROUP = "PasswordPropAllow"
DENY_GROUP = "PasswordPropDeny"
CONSOLE = "Identity Management for UNIX console"


@dataclass(frozen=True)
class FixContext:
    """What a planner reads: the problem, and the configurations its cause was found in."""

    problem: Problem
    inventory: Inventory | None
    resolver: HostResolver
    success_ids: tuple[int, ...]

    @property
    def hosts_by_file(self) -> dict[str, HostConfig]:
        """Every supplied host file's path -> its host."""
        hosts = self.inventory.hosts if self.inventory else ()
        return {f.path: h for h in hosts for f in h.files if f.path}

    def config_hosts(self) -> list[tuple[HostConfig, int]]:
        """The hosts (and lines) of the configuration evidence of the problem's cause, in
        evidence order, each host once."""
        by_file, seen, found = self.hosts_by_file, set(), []
        for evidence in self.problem.cause.evidence:
            host = by_file.get(evidence.file or "")
            if evidence.kind == "config" and host and host.name not in seen:
                seen.add(host.name)
                found.append((host, evidence.line or 0))
        return found

    def host(self) -> HostConfig | None:
        """The configuration of the problem's host, when one was supplied."""
        match = self.resolver.match(self.problem.host)
        if match and match.host:
            return match.host
        found = self.config_hosts()
        return found[0][0] if found else None

    def unix_name(self, host: HostConfig, account: str) -> str:
        """The account as the host spells it, else as Windows sent it (without domain)."""
        entry = host.account(account)
        return entry.name if entry else account_name(account)

    def retry(self, account: str | None = None, host: str | None = None) -> Retry:
        """The password change that verifies the fix, and the events that tell."""
        problem = self.problem
        return Retry(
            account=account or problem.account or next(iter(problem.accounts), None),
            host=host or problem.host or next(iter(problem.hosts), None),
            dc=problem.dc,
            success_ids=self.success_ids,
            failure_ids=problem.event_ids,
        )


Planner = Callable[[FixContext], Fix | None]
PLANNERS: dict[str, Planner] = {}


PlannerT = TypeVar("PlannerT", bound=Planner)


def plans(*codes: str) -> Callable[[PlannerT], PlannerT]:
    """Register a planner for the cause ``codes`` (returned as it is, types and all)."""

    def register(planner: PlannerT) -> PlannerT:
        for code in codes:
            if code in PLANNERS:
                raise ValueError(f"two fix planners for {code}")
            PLANNERS[code] = planner
        return planner

    return register


def plan_fixes(
    problems: Sequence[Problem],
    inventory: Inventory | None,
    windows: WindowsSide | None,
    resolver: HostResolver,
    success_ids: Sequence[int],
) -> list[Problem]:
    """``problems`` with the fix of each open one that is not an intended refusal."""
    planned = []
    for problem in problems:
        if problem.status == "open" and problem.severity != "info":
            context = FixContext(problem, inventory, resolver, tuple(success_ids))
            problem = replace(problem, fix=PLANNERS[problem.cause.code](context))
        planned.append(problem)
    return planned


def _unix(host: HostConfig) -> str:
    return f"unix:{host.name}"


# -- the event, the host list, collecting ------------------------------------------------


@plans("incomplete-event")
def export_again(ctx: FixContext) -> Fix:
    return Fix(
        "Export the DC's log again, whole: the events lack the account or the host.",
        (
            FixStep(
                "windows",
                "Export the PSync events with wevtutil (a filtered or converted export may "
                "drop their data items).",
                commands=tuple(
                    Command("cmd", command, "on each DC; send the files")
                    for command in EXPORT_COMMANDS
                ),
            ),
        ),
        ctx.retry(),
    )


@plans("unknown-host")
def fix_host_name(ctx: FixContext) -> Fix:
    host = ctx.problem.host or "the host"
    return Fix(
        f"Make '{host}' resolve on every DC, or correct it in the IDMU host list.",
        (
            FixStep(
                "windows",
                f"Check the name '{host}' in the {CONSOLE} (Password Synchronization, UNIX "
                "hosts) and in DNS; remove the host from the list if it was decommissioned.",
                commands=dns_lookup(host),
            ),
        ),
        ctx.retry(),
    )


@plans("unexplained")
def explain_or_retry(ctx: FixContext) -> Fix:
    """Without the host's files, collect them. With them, nothing in them explains the
    failures: the configuration may have been fixed since (a retry tells), or the cause
    is one evtdiag has no rule for (ssod logs through syslogd: Microsoft's install guide
    for the PAM module, Windows Server 2003 R2)."""
    host = ctx.host()
    if host is None:
        return collect_host(ctx)
    return Fix(
        f"The configuration of {host.name} supplied explains none of these failures: if it "
        "was changed since they happened, retry to verify; if not, read ssod's messages.",
        (
            FixStep(
                _unix(host),
                "Check that the files supplied are the ones ssod reads now, and read ssod's "
                "messages in the host's syslog around the failures.",
                commands=(
                    Command(
                        "sh",
                        "grep -h ssod /var/log/messages /var/log/syslog /var/log/auth.log "
                        "2>/dev/null | tail -50",
                        "where the host's syslog writes them",
                    ),
                ),
            ),
        ),
        ctx.retry(),
    )


@plans("no-host-config")
def collect_host(ctx: FixContext) -> Fix:
    """The cause cannot be known without the host's files: collect them."""
    host = ctx.problem.host or next(iter(ctx.problem.hosts), None)
    owner = f"unix:{first_label(fold_host(host))}" if host else "windows"
    return Fix(
        "Collect the host's configuration and run evtdiag again with --hosts: the cause "
        "is on the UNIX side and was not supplied.",
        (
            FixStep(
                owner,
                "Run the collector as root on the host (it leaves keys and hashes behind) "
                "and add its archive to the --hosts folder (or the host's other names to "
                "hosts.toml).",
                commands=collect_step(),
            ),
        ),
        ctx.retry(),
    )


# -- Windows -----------------------------------------------------------------------------


@plans("windows-not-in-allow-group")
def add_to_allow(ctx: FixContext) -> Fix:
    account = account_name(ctx.problem.account or "")
    return Fix(
        f"Add {account} to {ALLOW_GROUP}.",
        (
            FixStep(
                "windows",
                f"Add {account} to {ALLOW_GROUP} (or delete the group, if every account "
                "should be synchronized: without it everyone is allowed).",
                commands=group_change(ALLOW_GROUP, account, add=True),
            ),
        ),
        ctx.retry(),
        alternative=f"If {account} must not be synchronized, nothing is to change: the "
        "refusal is intended.",
    )


@plans("windows-deny-group")
def remove_from_deny(ctx: FixContext) -> Fix:
    account = account_name(ctx.problem.account or "")
    return Fix(
        f"Take {account} out of {DENY_GROUP}, if its password must reach UNIX.",
        (
            FixStep(
                "windows",
                f"Remove {account} from {DENY_GROUP} (and from any group in it).",
                commands=group_change(DENY_GROUP, account, add=False),
            ),
        ),
        ctx.retry(),
        alternative=f"If {account} must not be synchronized, nothing is to change.",
    )


@plans("untrusted-host")
def trust_host(ctx: FixContext) -> Fix:
    host = ctx.problem.host or "the host"
    return Fix(
        f"Add '{host}' to the IDMU host list on every DC.",
        (
            FixStep(
                "windows",
                f"In the {CONSOLE} on each DC: Password Synchronization, UNIX hosts, Add: "
                f"'{host}', with the key and port set in its sso.conf.",
            ),
        ),
        ctx.retry(),
    )


@plans("unrecognized-password")
def align_dcs(ctx: FixContext) -> Fix:
    return Fix(
        "Configure every DC identically (hosts, default key, port) and install the right "
        "ssod on the hosts.",
        (
            FixStep(
                "windows",
                f"Compare the {CONSOLE} settings of every DC (Password Synchronization: UNIX "
                "hosts, default key, port) and make them the same.",
            ),
        ),
        ctx.retry(),
    )


@plans("encryption-key-policy")
def secure_key(ctx: FixContext) -> Fix:
    return Fix(
        "Generate a key that meets the policy (16-21 characters, 3 of 4 character classes) "
        "and set it on the DCs and the hosts.",
        (
            FixStep(
                "windows",
                f"In the {CONSOLE} on each DC: Password Synchronization, Properties, "
                "Generate a key (21 characters); set it for every host that uses the default.",
            ),
            FixStep(
                "unix:*",
                "Set the same key in each host's sso.conf: ENCRYPT_KEY=<the key generated in "
                "the console>, then restart ssod. Never send the key in the ticket.",
            ),
        ),
        ctx.retry(),
    )


@plans("encryption-key-mismatch")
def match_key(ctx: FixContext) -> Fix:
    host = ctx.host()
    name = host.name if host else (ctx.problem.host or "the host")
    setting = host.sso.get("ENCRYPT_KEY") if host and host.sso else None
    where = (
        f"line {setting.place.line} of {host_path(host, 'sso.conf')}"
        if host and setting
        else "sso.conf"
    )
    steps = [
        FixStep(
            "windows",
            f"In the {CONSOLE}: read the key set for '{name}' (its own entry, else the "
            "default); or generate a new one and set it there.",
        ),
        FixStep(
            f"unix:{name}",
            f"Set that key in sso.conf ({where}): ENCRYPT_KEY=<the key of the console>, or "
            "the key inside each DC's SYNC_HOSTS entry. Never send the key in the ticket.",
            then=restart_ssod(host) if host else (),
        ),
    ]
    return Fix(
        f"Make the encryption key of '{name}' the same on the DCs and in sso.conf.",
        tuple(steps),
        ctx.retry(),
    )


# -- sso.conf ------------------------------------------------------------------------------


@plans("password-file-mismatch")
def agree_password_file(ctx: FixContext) -> Fix | None:
    host = ctx.host()
    if host is None or host.sso is None:
        return collect_host(ctx)
    path, shadow = host.sso.get("FILE_PATH"), host.sso.get("USE_SHADOW")
    if path is None or shadow is None:
        return collect_host(ctx)
    value = path.value.strip().rstrip("/")
    if value.endswith("shadow") or value == AIX_SHADOW:
        edit = replace_line(host, shadow, "USE_SHADOW=1")
    elif value.endswith("passwd"):
        edit = replace_line(host, shadow, "USE_SHADOW=0")
    else:
        wanted = AIX_SHADOW if is_aix(host) else "/etc/shadow"
        edit = replace_line(host, path, f"FILE_PATH={wanted}")
    return Fix(
        f"Make FILE_PATH and USE_SHADOW agree in {host.name}'s sso.conf.",
        (
            FixStep(
                _unix(host),
                f"Set {edit.after} in sso.conf.",
                edits=(edit,),
                then=restart_ssod(host),
            ),
        ),
        ctx.retry(),
    )


@plans("dc-not-in-sync-hosts")
def add_dc_to_sync_hosts(ctx: FixContext) -> Fix | None:
    host, dc = ctx.host(), ctx.problem.dc
    setting = host.sso.get("SYNC_HOSTS") if host and host.sso else None
    if host is None or setting is None or not dc:
        return collect_host(ctx)
    edit = append_to_line(host, setting, f" ({dc})")
    keyed = setting.verbatim is None
    note = (
        " The entry takes the default key and port (ENCRYPT_KEY, PORT_NUMBER); if the "
        f"console of {dc} sets another key for the host, write it into the entry by hand."
    )
    return Fix(
        f"Add {dc} to SYNC_HOSTS in {host.name}'s sso.conf.",
        (
            FixStep(
                _unix(host),
                f"Add ({dc}) to SYNC_HOSTS (line {setting.place.line})."
                + (" The line holds a key: edit it with the command, not a patch." if keyed else "")
                + note,
                edits=(edit,),
                then=restart_ssod(host),
            ),
        ),
        ctx.retry(),
    )


@plans("sync-users-not-listed")
def list_in_sync_users(ctx: FixContext) -> Fix | None:
    steps = []
    for host in _hosts_of(ctx):
        setting = host.sso.get("SYNC_USERS") if host.sso else None
        if setting is None:
            continue
        names = _missing_from_sync_users(ctx, host)
        if not names:
            continue
        addition = "".join(f" +{name}" for name in names)
        steps.append(
            FixStep(
                _unix(host),
                f"Add {', '.join('+' + n for n in names)} to SYNC_USERS "
                f"(line {setting.place.line}).",
                edits=(append_to_line(host, setting, addition),),
                then=restart_ssod(host),
            )
        )
    if not steps:
        return collect_host(ctx)
    return Fix("List the refused accounts in SYNC_USERS.", tuple(steps), ctx.retry())


def _missing_from_sync_users(ctx: FixContext, host: HostConfig) -> list[str]:
    """The problem's accounts that the host's SYNC_USERS does not include, as the host
    spells them, each once."""
    assert host.sso is not None
    names: dict[str, str] = {}
    for account in ctx.problem.accounts or ((ctx.problem.account,) if ctx.problem.account else ()):
        name = ctx.unix_name(host, account)
        if not decide(host.sso, name).allowed:
            names.setdefault(account_key(name), name)
    return list(names.values())


@plans("sync-users-excluded")
def unexclude(ctx: FixContext) -> Fix | None:
    account = ctx.problem.account or next(iter(ctx.problem.accounts), "")
    steps = []
    for host in _hosts_of(ctx):
        setting = host.sso.get("SYNC_USERS") if host.sso else None
        if setting is None or host.sso is None:
            continue
        name = ctx.unix_name(host, account)
        entry = next(
            (e for e in host.sso.sync_users or ()
             if e.sign == "-" and host.sso.compared(e.name) == host.sso.compared(name)),
            None,
        )  # fmt: skip
        if entry is None:
            continue
        steps.append(
            FixStep(
                _unix(host),
                f"Remove -{name} from SYNC_USERS (line {setting.place.line}).",
                edits=(_without_entry(host, setting, str(entry)),),
                then=restart_ssod(host),
            )
        )
    if not steps:
        return collect_host(ctx)
    bare = account_name(account)
    return Fix(
        f"Stop excluding {bare} in SYNC_USERS, if its password must reach these hosts.",
        tuple(steps),
        ctx.retry(account),
        alternative=f"If the exclusion is intended, stop the DCs trying instead: add {bare} "
        f"to {DENY_GROUP} ({group_change(DENY_GROUP, bare, add=True)[0].text}).",
    )


def _without_entry(host: HostConfig, setting: SsoSetting, entry: str) -> LineEdit:
    """The SYNC_USERS line without ``entry`` and one blank beside it; ``ALL`` when the
    entry was all it held [INF: what an empty SYNC_USERS means is not documented]."""
    name = re.escape(entry)
    for pattern in (rf"\s+{name}(?=\s|$)", rf"(?<==){name}\s+"):
        found = re.search(pattern, setting.line)
        if found:
            return remove_from_line(host, setting, found.group(0))
    return replace_line(host, setting, f"{setting.key}=ALL")


@plans("name-case-mismatch")
def ignore_case(ctx: FixContext) -> Fix | None:
    host = ctx.host()
    setting = host.sso.get("CASE_IGNORE_NAME") if host and host.sso else None
    if host is None or setting is None:
        return collect_host(ctx)
    return Fix(
        f"Set CASE_IGNORE_NAME=1 in {host.name}'s sso.conf (Microsoft's default).",
        (
            FixStep(
                _unix(host),
                f"Set CASE_IGNORE_NAME=1 (line {setting.place.line}), or rename the account "
                "so that Windows and UNIX spell it alike.",
                edits=(replace_line(host, setting, "CASE_IGNORE_NAME=1"),),
                then=restart_ssod(host),
            ),
        ),
        ctx.retry(),
    )


# -- accounts ------------------------------------------------------------------------------


@plans("unix-account-disabled")
def unlock(ctx: FixContext) -> Fix | None:
    account = ctx.problem.account or next(iter(ctx.problem.accounts), "")
    steps = []
    for host in _hosts_of(ctx):
        name = ctx.unix_name(host, account)
        entry = host.shadow_entry(name)
        status = entry.status if entry else None
        steps.append(
            FixStep(
                _unix(host),
                f"Unlock {name} on {host.name}.",
                commands=unlock_account(host, name, status),
            )
        )
    if not steps:
        return collect_host(ctx)
    bare = account_name(account)
    return Fix(
        f"Unlock {bare}'s UNIX account.",
        tuple(steps),
        ctx.retry(account),
        alternative=f"If the account is disabled on purpose, stop the DCs trying: add {bare} "
        f"to {DENY_GROUP}.",
    )


@plans("unix-account-missing")
def create(ctx: FixContext) -> Fix | None:
    account = ctx.problem.account or next(iter(ctx.problem.accounts), "")
    hosts = _hosts_of(ctx)
    if not hosts:
        return collect_host(ctx)
    bare = account_name(account)
    return Fix(
        f"Create {bare}'s UNIX account (or its NIS entry), or correct the name mapping.",
        tuple(
            FixStep(
                _unix(host),
                f"Create the account {bare} on {host.name}.",
                commands=create_account(host, bare),
            )
            for host in hosts
        ),
        ctx.retry(account),
        alternative=f"If the account was removed on purpose, stop the DCs trying: add {bare} "
        f"to {DENY_GROUP}.",
    )


@plans("superuser")
def protect_superuser(ctx: FixContext) -> Fix:
    """Only reached when the superuser problem is not info (it is, by default)."""
    account = account_name(ctx.problem.account or "")
    return Fix(
        f"Stop the DCs trying {account}: superuser passwords should not be synchronized.",
        (
            FixStep(
                "windows",
                f"Add {account} to {DENY_GROUP}.",
                commands=group_change(DENY_GROUP, account, add=True),
            ),
        ),
        ctx.retry(),
    )


def _hosts_of(ctx: FixContext) -> list[HostConfig]:
    """The hosts whose configuration the cause's evidence names, else the problem's host."""
    found = [host for host, _ in ctx.config_hosts()]
    if found:
        return found
    host = ctx.host()
    return [host] if host else []
