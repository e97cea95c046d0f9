"""The commands a fix asks an owner to run, quoted for the shell that runs them.

Every name in a command comes from the logs or the configurations, which are untrusted:
UNIX commands quote each argument (:func:`shlex.quote`), PowerShell strings are single
quoted with quotes doubled, and the ``net`` form is offered only for names that cmd
reads as plain words.
"""

from __future__ import annotations

import re
import shlex

from evtdiag.diagnose.model import Command
from evtdiag.hosts.model import HostConfig

AIX_SHADOW = "/etc/security/passwd"
_PLAIN_WORD = re.compile(r"[\w.$@-]+")
_PS_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
"""PowerShell ends a single-quoted string at any of these; doubled, each stays text."""


def is_aix(host: HostConfig) -> bool:
    """AIX keeps its accounts' passwords in security/passwd (and attributes in
    security/user): a host whose collected files include either, or whose FILE_PATH
    names it, is AIX."""
    present = {f.name for f in host.files if f.state == "present"}
    file_path = host.sso.get("FILE_PATH") if host.sso else None
    return bool(
        present & {"security/passwd", "security/user"}
        or (file_path and file_path.value.strip() == AIX_SHADOW)
    )


def restart_ssod(host: HostConfig) -> tuple[Command, ...]:
    """ssod reads sso.conf when it starts. Microsoft documents starting it with ``ssod``
    and stopping it with ``kill -TERM`` (Windows Server 2003 R2, "Task 5"); on AIX it
    may run under the System Resource Controller [INF: a service manager is not
    documented for ssod]."""
    documented = Command(
        "sh",
        "kill -TERM $(ps -e -o pid= -o comm= | awk '$2 == \"ssod\" {print $1}') && ssod",
        "stop ssod, then start it (Microsoft's documented way)",
    )
    if is_aix(host):
        return (
            Command(
                "sh",
                "stopsrc -s ssod && startsrc -s ssod",
                "when ssod is registered with the System Resource Controller",
            ),
            documented,
        )
    return (
        documented,
        Command("sh", "systemctl restart ssod", "instead, where a systemd unit runs ssod"),
    )


def unlock_account(host: HostConfig, name: str, status: str | None) -> tuple[Command, ...]:
    """Unlock (or un-expire) the account ``name``: AIX's ``chuser``, else ``passwd -u``
    for a locked password and ``usermod -e ''`` for an expired account."""
    user = shlex.quote(name)
    if is_aix(host):
        return (Command("sh", f"chuser account_locked=false {user}"),)
    if status == "expired":
        return (Command("sh", f"usermod -e '' {user}", "the account has expired"),)
    return (Command("sh", f"passwd -u {user}", "the password is locked"),)


def create_account(host: HostConfig, name: str) -> tuple[Command, ...]:
    """Create the UNIX account Windows synchronizes (on its NIS master where NIS is used)."""
    user = shlex.quote(name)
    if is_aix(host):
        return (Command("sh", f"mkuser {user}", "then set its uid and groups as the site does"),)
    return (Command("sh", f"useradd -m {user}", "then set its uid and groups as the site does"),)


def group_change(group: str, account: str, *, add: bool) -> tuple[Command, ...]:
    """Add ``account`` to (or remove it from) the Windows group ``group``: PowerShell's
    ActiveDirectory module, and ``net group`` on a DC without it."""
    verb = "Add" if add else "Remove"
    confirm = "" if add else " -Confirm:$false"
    commands = [
        Command(
            "powershell",
            f"{verb}-ADGroupMember -Identity {ps_quote(group)} -Members {ps_quote(account)}"
            f"{confirm}",
        )
    ]
    if _PLAIN_WORD.fullmatch(account) and _PLAIN_WORD.fullmatch(group):
        flag = "/add" if add else "/delete"
        commands.append(
            Command(
                "cmd",
                f"net group {group} {account} {flag} /domain",
                "without the ActiveDirectory module; for a domain local group: "
                f"net localgroup {group} {account} {flag}",
            )
        )
    return tuple(commands)


def dns_lookup(host: str) -> tuple[Command, ...]:
    """Ask DNS for ``host`` on a DC: PowerShell, and ``nslookup`` where cmd reads the
    name as a plain word."""
    commands = [Command("powershell", f"Resolve-DnsName {ps_quote(host)}", "on each DC")]
    if _PLAIN_WORD.fullmatch(host):
        commands.append(Command("cmd", f"nslookup {host}", "on each DC, without PowerShell"))
    return tuple(commands)


def ps_quote(text: str) -> str:
    """A PowerShell single-quoted string: nothing inside is expanded."""
    for quote in _PS_SINGLE_QUOTES:
        text = text.replace(quote, quote * 2)
    return f"'{text}'"


def collect_step() -> tuple[Command, ...]:
    """How to collect a UNIX host's configuration without keys or hashes."""
    return (
        Command(
            "sh",
            "evtdiag collect-script > collect.sh",
            "on the machine where evtdiag runs; copy collect.sh to the host",
        ),
        Command("sh", "sh collect.sh -o /tmp", "on the host, as root: writes <host>.tar.gz"),
    )
