"""Plain-text summaries of an inventory and a Windows side, for ``check-config``.

Built from the parsed objects only, which hold no secret, so nothing printed here can
contain a key or a hash.
"""

from __future__ import annotations

from evtdiag.hosts.inventory import Inventory
from evtdiag.hosts.model import HostConfig, WindowsSide
from evtdiag.render.terminal import printable_line


def _lines(lines: list[str]) -> str:
    """Our lines, each kept one line: a host folder or file name holding a line break
    would otherwise print a line of its author's (:func:`printable_line`)."""
    return "\n".join(printable_line(line) for line in lines)


def _users_summary(host: HostConfig) -> str:
    sso = host.sso
    if sso is None:
        return "SYNC_USERS: no sso.conf"
    if sso.sync_users is None:
        return "SYNC_USERS: absent (assumed: every user) [inferred]"
    inc = [str(e) for e in sso.sync_users if e.sign != "-" and e.name != "ALL"]
    exc = [e.name for e in sso.sync_users if e.sign == "-"]
    has_all = any(e.name == "ALL" and e.sign == "" for e in sso.sync_users)
    mode = (
        "ALL users"
        if has_all
        else f"only {', '.join(inc)}"
        if inc
        else "everyone (only exclusions)"
        if exc
        else "every user"
    )
    parts = [f"SYNC_USERS: {mode}"]
    if exc:
        parts.append(f"except {', '.join(exc)}")
    parts.append(
        "(names compared " + ("ignoring case" if sso.case_ignore_name else "case-sensitively") + ")"
    )
    return " ".join(parts)


def format_host(host: HostConfig) -> str:
    """One host: files, settings (keys shown only as length/classes), decisions, warnings."""
    out = [f"== {host.name}  ({host.source})"]
    if host.aliases:
        out.append(f"   aliases: {', '.join(host.aliases)}")
    for f in host.files:
        extra = f"  {f.path}" if f.path else ""
        out.append(f"   {f.name:<24} {f.state}{extra}")
    if host.sso:
        for s in host.sso.settings:
            out.append(f"   {s.place.line:>5}: {s.text}")
        out.append(f"   {_users_summary(host)}")
    if host.passwd is not None:
        out.append(f"   passwd: {len(host.passwd)} accounts")
    if host.shadow is not None:
        counts: dict[str, int] = {}
        for e in host.shadow:
            k = f"{e.status}/{e.scheme}"
            counts[k] = counts.get(k, 0) + 1
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        out.append(f"   password status: {summary}")
    for p in host.policy.settings:
        out.append(f"   policy {p.name} = {p.raw}  ({p.place})")
    for a in host.policy.aix_users:
        out.append(f"   AIX {a.name}: minlen={a.minlen} account_locked={a.account_locked}")
    for w in host.warnings:
        out.append(f"   warning: {w}")
    return _lines(out)


def format_inventory(inv: Inventory) -> str:
    """Every host, then the inventory-level warnings."""
    parts = [format_host(h) for h in inv.hosts] or [printable_line(f"no hosts found in {inv.root}")]
    parts.extend(printable_line(f"warning: {w}") for w in inv.warnings)
    return "\n".join(parts)


def format_windows(side: WindowsSide) -> str:
    """Group lists (saying which were not supplied) and the password policy."""
    out = ["== Windows"]
    for g in side.groups:
        if not g.supplied:
            out.append(f"   {g.group}: not supplied")
        elif g.exists is False:
            out.append(f"   {g.group}: group does not exist ({g.place})")
        else:
            out.append(
                f"   {g.group}: {len(g.members)} members [{g.format}] "
                f"{', '.join(g.members[:20])}{' ...' if len(g.members) > 20 else ''}"
            )
    allow = side.group("PasswordPropAllow")
    if not allow.supplied:
        out.append(
            "   PasswordPropAllow not supplied: treated as group absent, which "
            "Microsoft documents as 'everyone allowed'"
        )
    elif allow.exists is False:
        out.append("   PasswordPropAllow absent: everyone allowed")
    else:
        out.append("   PasswordPropAllow supplied: only its members are synchronized")
    if side.policy_supplied:
        for p in side.policy:
            out.append(f"   policy {p.name} = {p.raw}  ({p.place})")
    else:
        out.append("   password policy: net-accounts.txt not supplied")
    for w in side.warnings:
        out.append(f"   warning: {w}")
    return _lines(out)
