"""The Windows side: PSync group member lists and the domain password policy.

Documented [DOC]: a password is synchronized only for members of PasswordPropAllow
that are not in PasswordPropDeny (Deny wins); a missing Allow group acts as if it held
every user, a missing Deny group as if it held nobody.

Assumptions [INF]:

- A group file that was not supplied is treated as "group absent" (so a missing
  PasswordPropAllow.txt means everyone allowed), and the report says the evidence was
  missing. An empty file means an existing, empty group.
- ``net group``/``net localgroup`` output is recognised by its line of dashes, not by
  English words; member lines are split into 25-character columns when the padding
  says so; the block's last line is the "command completed" footer when it ends in a
  period and has several words (account names cannot end in a period).
- ``CORP\\alice`` and ``alice@corp.example.com`` both mean ``alice``; membership is
  case-insensitive. Nested groups are not expanded (only the listed names count).
- ``net accounts`` labels are read in English; "Unlimited", "None" and "Never" give no
  number (value None, raw text kept).
"""

from __future__ import annotations

import csv
import io
import os
import re

from evtdiag.hosts._text import ascii_int, decode, lines
from evtdiag.hosts.inventory import is_inside
from evtdiag.hosts.model import GroupMembers, PolicySetting, SyncDecision, WindowsSide
from evtdiag.model import ConfigWarning, Place

GROUPS = ("PasswordPropAllow", "PasswordPropDeny", "Administrators", "Domain Admins")
NET_ACCOUNTS = "net-accounts.txt"
FILE_NAMES = frozenset(
    {f"{group}.{ext}".casefold() for group in GROUPS for ext in ("txt", "csv")} | {NET_ACCOUNTS}
)
"""The names :func:`load_windows` reads (compared case-folded): what makes a folder a
Windows settings folder."""
MAX_FILE = 16 * 1024 * 1024
_DASHES = re.compile(r"^\s*-{10,}\s*$")
_NOT_FOUND = re.compile(r"could not be found|NET HELPMSG 2220|NET HELPMSG 3781", re.I)
_NET_ACCOUNTS = {
    "minimum password length": "min_length",
    "minimum password age (days)": "min_days",
    "maximum password age (days)": "max_days",
    "length of password history maintained": "history",
}
_CSV_COLUMNS = ("samaccountname", "name", "member", "members")


def _split_columns(line: str) -> list[str]:
    """Split a ``net group`` member line into its 25-character columns when padded so."""
    if len(line) > 25 and all(len(line) <= k or line[k - 1] == " " for k in (25, 50)):
        return [c.strip() for c in (line[0:25], line[25:50], line[50:])]
    return [line.strip()]


def _parse_net(text_lines: list[tuple[int, str]], dash_index: int) -> list[str]:
    block = [(n, t) for n, t in text_lines[dash_index + 1 :] if t.strip()]
    if block:
        last = block[-1][1].strip()
        if last.endswith(".") and len(last.split()) >= 3:
            block.pop()
    members: list[str] = []
    for _n, t in block:
        members.extend(c for c in _split_columns(t.rstrip()) if c)
    return members


def _parse_csv(text: str, place: Place, warnings: list[ConfigWarning]) -> list[str] | None:
    body = text.lstrip("\ufeff")
    if body.startswith("#TYPE") or body.startswith("#"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
    try:
        rows = list(csv.reader(io.StringIO(body)))
    except csv.Error as e:
        warnings.append(ConfigWarning(place, f"CSV not readable: {e}"))
        return None
    if not rows:
        return []
    header = [h.strip().strip('"').casefold() for h in rows[0]]
    for col in _CSV_COLUMNS:
        if col in header:
            i = header.index(col)
            return [r[i].strip() for r in rows[1:] if len(r) > i and r[i].strip()]
    return None


def parse_group_members(
    data: bytes, file: str, group: str
) -> tuple[GroupMembers, list[ConfigWarning]]:
    """Read one group's members from net output, CSV, or one name per line."""
    warnings: list[ConfigWarning] = []
    place = Place(file)
    text_lines = list(lines(data, file, warnings))
    dash = next((i for i, (_n, t) in enumerate(text_lines) if _DASHES.match(t)), None)
    if dash is not None:
        members = _parse_net(text_lines, dash)
        return GroupMembers(group, True, True, tuple(members), place, "net"), warnings
    joined = "\n".join(t for _n, t in text_lines)
    if _NOT_FOUND.search(joined):
        return GroupMembers(group, True, False, (), place, "net"), warnings
    first = joined.lstrip("\ufeff").lstrip()
    header = next((t for _n, t in text_lines if t.strip() and not t.lstrip().startswith("#")), "")
    columns = {c.strip().strip('"').casefold() for c in header.lstrip("\ufeff").split(",")}
    if (
        first.startswith("#TYPE")
        or file.lower().endswith(".csv")
        or first.startswith('"')
        or ("," in header and columns & set(_CSV_COLUMNS))
    ):
        csv_members = _parse_csv(decode(data)[0], place, warnings)
        if csv_members is not None:
            return GroupMembers(group, True, True, tuple(csv_members), place, "csv"), warnings
        warnings.append(
            ConfigWarning(
                place, "CSV without a SamAccountName or name column; read as one name per line"
            )
        )
    names = [t.strip() for _n, t in text_lines if t.strip() and not t.lstrip().startswith("#")]
    return GroupMembers(group, True, True, tuple(names), place, "lines"), warnings


def parse_net_accounts(
    data: bytes, file: str
) -> tuple[tuple[PolicySetting, ...], list[ConfigWarning]]:
    """``net accounts`` output: ``Label:   value`` lines."""
    warnings: list[ConfigWarning] = []
    out: list[PolicySetting] = []
    for lineno, line in lines(data, file, warnings):
        m = re.match(r"^\s*(.+?):\s+(\S.*?)\s*$", line) or re.match(
            r"^\s*(.+?)\s{2,}(\S.*?)\s*$", line
        )
        if not m:
            continue
        name = _NET_ACCOUNTS.get(m.group(1).strip().casefold())
        if name is None:
            continue
        raw = m.group(2)
        value = ascii_int(raw)
        if value is None and raw.casefold() not in ("unlimited", "none", "never"):
            warnings.append(
                ConfigWarning(
                    Place(file, line=lineno), f"{m.group(1).strip()}: {raw!r} is not a number"
                )
            )
        out.append(PolicySetting(name, value, raw, Place(file, line=lineno), line.strip()))
    if not out:
        warnings.append(
            ConfigWarning(
                Place(file),
                "no password-policy line recognised (only English 'net accounts' output is "
                "read): the policy comparison is skipped; run 'net accounts' with English "
                "output or write the four values by hand",
            )
        )
    return tuple(out), warnings


def _read(path: str, warnings: list[ConfigWarning]) -> bytes | None:
    if os.path.exists(path) and not os.path.isfile(path):  # a FIFO's open waits for a writer
        warnings.append(ConfigWarning(Place(path), "unreadable: not a regular file; not opened"))
        return None
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE + 1)
    except OSError as e:
        warnings.append(ConfigWarning(Place(path), f"unreadable: {e.strerror or e}"))
        return None
    if len(data) > MAX_FILE:
        warnings.append(ConfigWarning(Place(path), f"larger than {MAX_FILE} bytes; truncated"))
        data = data[:MAX_FILE]
    return data


def _path_inside(
    directory: str, root_real: str, name: str, warnings: list[ConfigWarning]
) -> str | None:
    """``directory/name``, or None when a link takes it out of the folder: a linked
    ``PasswordPropAllow.txt`` would put any local file's lines into the report as
    group members (``--hosts`` refuses such links too)."""
    path = os.path.join(directory, name)
    if is_inside(root_real, path):
        return path
    warnings.append(ConfigWarning(Place(path), "points outside the Windows folder; not read"))
    return None


def load_windows(directory: str) -> WindowsSide:
    """Read ``<group>.txt``/``.csv`` for each PSync/admin group and ``net-accounts.txt``.

    File names match case-insensitively; a file that is absent, or a link leading out
    of ``directory``, yields a group with ``supplied=False`` (see
    :func:`allows`).
    """
    root_real = os.path.realpath(directory)
    warnings: list[ConfigWarning] = []
    try:
        names = {n.casefold(): n for n in os.listdir(directory)}
    except OSError as e:
        warnings.append(ConfigWarning(Place(directory), f"cannot list: {e.strerror or e}"))
        names = {}
    groups: list[GroupMembers] = []
    for group in GROUPS:
        chosen = [
            names[c] for c in (f"{group}.txt".casefold(), f"{group}.csv".casefold()) if c in names
        ]
        if len(chosen) > 1:
            warnings.append(
                ConfigWarning(
                    Place(os.path.join(directory, chosen[0])),
                    f"both .txt and .csv given for {group}; .txt is used",
                )
            )
        path = _path_inside(directory, root_real, chosen[0], warnings) if chosen else None
        data = _read(path, warnings) if path else None
        if path is None or data is None:
            groups.append(GroupMembers(group, supplied=False, exists=None))
            continue
        g, w = parse_group_members(data, path, group)
        groups.append(g)
        warnings.extend(w)
    allow, deny = groups[0], groups[1]
    if deny.supplied and deny.exists and not (allow.supplied and allow.exists is not False):
        warnings.append(
            ConfigWarning(
                deny.place or Place(directory),
                "PasswordPropDeny given but not PasswordPropAllow: later "
                "help says everyone is allowed; NT4 KB Q216639 says "
                "nobody would be",
            )
        )
    policy: tuple[PolicySetting, ...] = ()
    supplied = False
    if NET_ACCOUNTS in names:
        path = _path_inside(directory, root_real, names[NET_ACCOUNTS], warnings)
        data = _read(path, warnings) if path else None
        if path and data is not None:
            supplied = True
            policy, w = parse_net_accounts(data, path)
            warnings.extend(w)
    return WindowsSide(tuple(groups), policy, supplied, tuple(warnings))


def allows(side: WindowsSide, user: str) -> SyncDecision:
    """Does the Windows side let ``user``'s password go out? Deny wins [DOC];
    a missing Allow group acts as if it held every user [DOC]."""
    allow, deny = side.group("PasswordPropAllow"), side.group("PasswordPropDeny")
    if deny.supplied and deny.contains(user):
        return SyncDecision(
            False,
            None,
            deny.place,
            "documented",
            f"{user} is a member of PasswordPropDeny (deny wins)",
        )
    if not allow.supplied:
        return SyncDecision(
            True,
            None,
            None,
            "inferred",
            "PasswordPropAllow not supplied: treated as group absent, "
            "which Microsoft documents as 'everyone allowed'",
        )
    if allow.exists is False:
        return SyncDecision(
            True,
            None,
            allow.place,
            "documented",
            "group PasswordPropAllow absent: everyone allowed",
        )
    if allow.contains(user):
        return SyncDecision(
            True, None, allow.place, "documented", f"{user} is a member of PasswordPropAllow"
        )
    return SyncDecision(
        False,
        None,
        allow.place,
        "documented",
        f"PasswordPropAllow exists and {user} is not a member"
        + (" (it is empty)" if not allow.members else ""),
    )
