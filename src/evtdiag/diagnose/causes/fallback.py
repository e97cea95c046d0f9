"""What is said when the inputs cannot explain a failure: the host named in the event has
no configuration among those supplied, or nothing supplied explains it (``unexplained``,
which says what to collect when no configuration was supplied at all).

Both are errors: a failure is as severe whatever was supplied to explain it, so a
problem keeps its severity when the configurations that explain it arrive (an account
excluded by SYNC_USERS is an error with the hosts' files and without them)."""

from __future__ import annotations

from evtdiag.diagnose.causes import HOST_EVENTS, causes
from evtdiag.diagnose.context import RuleContext, absence
from evtdiag.diagnose.registry import Finding


@causes(
    "no-host-config",
    title="No configuration supplied for this UNIX host",
    basis="inferred",
    severity="error",
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


COLLECT_STEP = (
    "Collect the UNIX side: run 'evtdiag collect-script' as root on the host (it writes "
    "sso.conf, passwd and shadow without keys or hashes) and rerun evtdiag with --hosts "
    "(and --windows for the group settings) to find the cause."
)


@causes(
    "unexplained",
    title="No cause found in what was supplied",
    basis="inferred",
    severity="error",
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
