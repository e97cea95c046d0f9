"""Regenerate ``sample_logs/``: a deterministic demo scenario for evtdiag.

Usage: ``python tests/support/make_sample_logs.py [OUTDIR]`` (default: ``sample_logs/`` at the
repository root). Everything comes from one seeded ``random.Random`` and fixed dates,
so the output is the same bytes on every run; ``tests/test_sample_logs.py`` checks that
the committed files match.

The scenario (domain corp.example.com, DCs DC01 and DC02, 2026-09-01 to 2026-10-12) and
its planted problems are described in ``sample_logs/README.md``, which this script also
writes.
"""

from __future__ import annotations

import gzip
import io
import random
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from evtx_writer import WriterEvent, write_evtx

SEED = 20261012
UTC = timezone.utc
DOMAIN = "corp.example.com"
NETBIOS = "CORP"
DC01 = "DC01.corp.example.com"
DC02 = "DC02.corp.example.com"
DCS = (DC01, DC02)
START = datetime(2026, 9, 1, 0, 0, tzinfo=UTC)
END = datetime(2026, 10, 12, 18, 0, tzinfo=UTC)
COLLECTED = datetime(2026, 10, 12, 9, 30, 14, tzinfo=UTC)
LEGACY07_DNS_REMOVED = datetime(2026, 9, 21, tzinfo=UTC)
DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330"

PSYNC = "Microsoft-Windows-IDMU-PSync"
SUCCESS_ID = 12291  # "Successfully changed password" as these sample DCs log it
DENIED, DENY_GROUP, NOT_ALLOWED = 12294, 12289, 12290
KEY_MISMATCH, DISABLED, UNKNOWN_HOST = 8203, 8204, 8200

# Fake keys. The good one is 21 characters with all four classes.
GOOD_KEY = "Kq7#mZ2pW!xR4vN8@tLs9"
BUILD06_KEY = "Ue4%cH9rT&jB2wY6*fQz5"
MAIL05_KEY = "Mail05sync!2"  # 12 characters: below the 2008 R2 minimum of 16


@dataclass(frozen=True)
class User:
    windows: str
    unix: str
    uid: int
    gecos: str
    changes: int
    """How many password changes the scenario makes for this account."""
    rid: int


USERS = [
    User("alice", "alice", 1001, "Alice Anders", 6, 1105),
    User("bob", "bob", 1002, "Bob Brandt", 5, 1106),
    User("carol", "carol", 1003, "Carol Chen", 6, 1107),
    User("dave", "dave", 1004, "Dave Dorsey", 5, 1108),
    User("erin", "erin", 1005, "Erin Eklund", 3, 1109),
    User("frank", "frank", 1006, "Frank Fischer", 5, 1110),
    User("grace", "grace", 1007, "Grace Gomez", 5, 1111),
    User("KSmith", "ksmith", 1008, "Kim Smith", 5, 1112),
    User("root", "root", 0, "root", 3, 1113),
    User("svc_backup", "svc_backup", 1090, "Backup service", 4, 1114),
]
ADMIN = "adm.jones"
ADMIN_RID = 1120
DENY_MEMBERS = ["krbtgt", "svc_backup", "svc_sql", "svc_monitor", "svc_scom"]
ALLOW_MEMBERS = ["alice", "bob", "carol", "dave", "frank", "grace", "KSmith", "root", ADMIN]


@dataclass(frozen=True)
class Host:
    key: str
    rhost: tuple[str, str]
    """The name each DC (DC01, DC02) sends as rhost: the IDMU host lists differ."""


HOSTS = [
    Host("web01", ("web01", "web01.corp.example.com")),
    Host("db02", ("db02.corp.example.com", "db02.corp.example.com")),
    Host("fin04", ("FIN04", "FIN04")),
    Host("app03", ("app03", "app03")),
    Host("mail05", ("mail05.corp.example.com", "mail05.corp.example.com")),
    Host("build06", ("build06", "build06")),
    Host("legacy07", ("legacy07.corp.example.com", "legacy07.corp.example.com")),
]


def outcome(user: User, host: Host, dc: str, when: datetime) -> int:
    """The event a DC logs for one attempt (SUCCESS_ID when it worked)."""
    if host.key == "legacy07":
        return DENIED if when < LEGACY07_DNS_REMOVED else UNKNOWN_HOST
    if host.key == "build06":
        return KEY_MISMATCH  # decryption fails before the user is looked at
    if user.unix in ("root", "frank"):
        return DENIED
    if host.key == "web01" and user.unix == "dave":
        return DISABLED
    if host.key == "db02" and user.unix == "carol":
        return DENIED
    if host.key == "fin04" and dc == DC02:
        return DENIED
    if host.key == "app03" and user.unix != "alice":
        return DENIED
    if host.key == "mail05" and user.windows == "KSmith":
        return DENIED
    return SUCCESS_ID


LEVEL_QUALIFIERS = {
    SUCCESS_ID: (4, 0x4000),
    DENY_GROUP: (3, 0x8000),
    NOT_ALLOWED: (3, 0x8000),
    DENIED: (2, 0xC000),
    KEY_MISMATCH: (2, 0xC000),
    DISABLED: (2, 0xC000),
    UNKNOWN_HOST: (2, 0xC000),
}


@dataclass(frozen=True)
class Draft:
    """An event before its record id is known."""

    time: datetime
    provider: str
    event_id: int
    level: int = 4
    qualifiers: int | None = None
    task: int = 0
    keywords: int = 0x80000000000000
    data: tuple = ()

    def event(self, record_id: int, computer: str, channel: str) -> WriterEvent:
        return WriterEvent(
            provider=self.provider,
            event_id=self.event_id,
            time_created=self.time,
            record_id=record_id,
            computer=computer,
            channel=channel,
            level=self.level,
            qualifiers=self.qualifiers,
            task=self.task,
            keywords=self.keywords,
            data=self.data,
        )


def psync(time: datetime, event_id: int, *data: str) -> Draft:
    level, qualifiers = LEVEL_QUALIFIERS[event_id]
    return Draft(time, PSYNC, event_id, level=level, qualifiers=qualifiers, data=tuple(data))


def jitter(rng: random.Random, seconds: float) -> timedelta:
    return timedelta(microseconds=rng.randint(0, int(seconds * 1_000_000)))


# --- the password changes ------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    time: datetime
    user: User
    dc: str
    reset_by_admin: bool


def plan_changes(rng: random.Random) -> list[Change]:
    changes = []
    span_days = (END - START).days
    for user in USERS:
        for _ in range(user.changes):
            day = START + timedelta(days=rng.randrange(span_days))
            when = day.replace(hour=rng.randint(7, 17), minute=rng.randint(0, 59))
            when += jitter(rng, 59)
            changes.append(Change(when, user, rng.choice(DCS), rng.random() < 0.2))
    changes.sort(key=lambda c: (c.time, c.user.windows))
    return changes


def psync_drafts(rng: random.Random, changes: list[Change]) -> dict[str, list[Draft]]:
    drafts: dict[str, list[Draft]] = {DC01: [], DC02: []}
    for change in changes:
        user, dc = change.user, change.dc
        out = drafts[dc]
        t = change.time + timedelta(seconds=1) + jitter(rng, 1)
        if user.windows in DENY_MEMBERS:
            out.append(psync(t, DENY_GROUP, user.windows))
            continue
        if user.windows not in ALLOW_MEMBERS:
            out.append(psync(t, NOT_ALLOWED, user.windows))
            continue
        for host in HOSTS:
            t += timedelta(seconds=rng.randint(1, 4)) + jitter(rng, 1)
            rhost = host.rhost[DCS.index(dc)]
            result = outcome(user, host, dc, t)
            data = (rhost,) if result == UNKNOWN_HOST else (user.windows, rhost)
            if result == SUCCESS_ID:
                out.append(psync(t, result, *data))
                continue
            retry = t
            for _ in range(rng.choice((2, 3))):  # the first try and the retries
                out.append(psync(retry, result, *data))
                retry += timedelta(seconds=rng.randint(20, 240)) + jitter(rng, 1)
    return drafts


# --- everything else a DC's Application log holds ----------------------------------


def _guid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}".upper()


MSI_PRODUCTS = [
    ("Microsoft Monitoring Agent", "10.20.18064.0", "Microsoft Corporation"),
    ("Microsoft Edge", "128.0.2739.79", "Microsoft Corporation"),
    ("Microsoft Edge Update", "1.3.195.19", "Microsoft Corporation"),
    ("VMware Tools", "12.4.5.23787635", "VMware, Inc."),
    ("Qualys Cloud Security Agent", "6.1.0.28", "Qualys, Inc."),
]


def noise_drafts(rng: random.Random, dc: str, count: int) -> list[Draft]:
    """Ordinary Application-log traffic of a 2022 domain controller."""
    drafts = []
    span = (END - START).total_seconds()

    def spp(t: datetime) -> list[Draft]:
        restart = t + timedelta(hours=rng.randint(1, 30), seconds=rng.randint(0, 59))
        return [
            Draft(t, "Microsoft-Windows-Security-SPP", 903, qualifiers=0x4000),
            Draft(
                t + timedelta(seconds=1) + jitter(rng, 1),
                "Microsoft-Windows-Security-SPP",
                16384,
                qualifiers=0x4000,
                data=(restart.strftime("%Y-%m-%dT%H:%M:%SZ"), "RulesEngine"),
            ),
        ]

    def spp_start(t: datetime) -> list[Draft]:
        return [
            Draft(
                t,
                "Microsoft-Windows-Security-SPP",
                902,
                qualifiers=0x4000,
                data=("10.0.20348.2031",),
            ),
            Draft(
                t + jitter(rng, 2),
                "Microsoft-Windows-Security-SPP",
                1066,
                qualifiers=0x4000,
                data=(
                    "Initialization status for service objects.",
                    "C:\\Windows\\system32\\sppwinob.dll, "
                    "msft:spp/windowsfunctionality/agent/7.0, 0x00000000, 0x00000000",
                ),
            ),
        ]

    def winlogon(t: datetime) -> list[Draft]:
        return [
            Draft(t, "Microsoft-Windows-Winlogon", rng.choice((6000, 6003)), data=("SessionEnv",))
        ]

    def profiles(t: datetime) -> list[Draft]:
        sid = f"{DOMAIN_SID}-{rng.choice([500, ADMIN_RID])}"
        out = [
            Draft(
                t,
                "Microsoft-Windows-User Profiles Service",
                1531,
                task=0,
                keywords=0x8000000000000000,
            )
        ]
        if rng.random() < 0.3:
            detail = (
                f"{rng.randint(1, 6)} user registry handles leaked from "
                f"\\Registry\\User\\{sid}:\n"
                f"Process {rng.randint(400, 9000)} (\\Device\\HarddiskVolume2\\Windows\\System32"
                f"\\svchost.exe) has opened key \\REGISTRY\\USER\\{sid}\\Software\\Microsoft"
                "\\Windows\\CurrentVersion\\Explorer"
            )
            out.append(
                Draft(
                    t + timedelta(seconds=rng.randint(5, 900)),
                    "Microsoft-Windows-User Profiles Service",
                    1530,
                    level=3,
                    keywords=0x8000000000000000,
                    data=(("Detail", detail),),
                )
            )
        out.append(
            Draft(
                t + timedelta(seconds=rng.randint(900, 3000)),
                "Microsoft-Windows-User Profiles Service",
                1532,
                keywords=0x8000000000000000,
            )
        )
        return out

    def msi(t: datetime) -> list[Draft]:
        name, version, vendor = rng.choice(MSI_PRODUCTS)
        guid = "{" + _guid(rng) + "}"
        pid = str(rng.randint(1000, 12000))
        session = str(rng.randint(0, 3))
        started = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}000Z"
        end = t + timedelta(seconds=rng.randint(20, 240))
        return [
            Draft(
                t,
                "Microsoft-Windows-RestartManager",
                10000,
                task=0,
                keywords=0x8000000000000000,
                data=(("RmSessionId", session), ("UTCStartTime", started)),
            ),
            Draft(t + jitter(rng, 1), "MsiInstaller", 1040, qualifiers=0, data=(guid, pid)),
            Draft(
                end,
                "MsiInstaller",
                11707,
                qualifiers=0,
                data=(
                    f"Product: {name} -- Installation completed successfully.",
                    "(NULL)",
                    "(NULL)",
                    "(NULL)",
                    "(NULL)",
                    "(NULL)",
                    "",
                ),
            ),
            Draft(
                end + jitter(rng, 1),
                "MsiInstaller",
                1033,
                qualifiers=0,
                data=(name, version, "1033", "0", vendor, "(NULL)", ""),
            ),
            Draft(end + timedelta(seconds=1), "MsiInstaller", 1042, qualifiers=0, data=(guid, pid)),
            Draft(
                end + timedelta(seconds=2),
                "Microsoft-Windows-RestartManager",
                10001,
                task=0,
                keywords=0x8000000000000000,
                data=(("RmSessionId", session), ("UTCStartTime", started)),
            ),
        ]

    def esent(t: datetime) -> list[Draft]:
        pid = rng.randint(2000, 6000)
        db = "C:\\Windows\\system32\\LogFiles\\Sum\\Current.mdb"
        return [
            Draft(
                t,
                "ESENT",
                326,
                qualifiers=0,
                task=1,
                data=("svchost", f"{pid},D,50", "", db, "0.000", ""),
            ),
            Draft(
                t + timedelta(minutes=rng.randint(5, 50)),
                "ESENT",
                327,
                qualifiers=0,
                task=1,
                data=("svchost", f"{pid},D,50", "", db, "0.016", ""),
            ),
        ]

    def scecli(t: datetime) -> list[Draft]:
        return [Draft(t, "SceCli", 1704, qualifiers=0x4000)]

    def vss(t: datetime) -> list[Draft]:
        return [Draft(t, "VSS", 8224, qualifiers=0, data=("",))]

    def app_error(t: datetime) -> list[Draft]:
        return [
            Draft(
                t,
                "Application Error",
                1000,
                level=2,
                qualifiers=0,
                task=100,
                data=(
                    "MonitoringHost.exe",
                    "10.20.18064.0",
                    "0d3f6c2e",
                    "KERNELBASE.dll",
                    "10.0.20348.2402",
                    "7c1b8f2d",
                    "e0434352",
                    "000000000003ed4a",
                    f"{rng.randint(0x400, 0x3000):x}",
                    "01db1c2f5e7a9b33",
                    "C:\\Program Files\\Microsoft Monitoring Agent\\Agent\\MonitoringHost.exe",
                    "C:\\Windows\\System32\\KERNELBASE.dll",
                    _guid(rng).lower(),
                    "",
                    "",
                ),
            )
        ]

    makers: list[tuple[int, Callable[[datetime], list[Draft]]]] = [
        (30, scecli),
        (18, spp),
        (3, spp_start),
        (14, winlogon),
        (12, profiles),
        (4, msi),
        (10, esent),
        (5, vss),
        (1, app_error),
    ]
    weights = [w for w, _ in makers]
    while len(drafts) < count:
        t = START + timedelta(seconds=rng.uniform(0, span))
        t = t.replace(microsecond=rng.randint(0, 999_999))
        _, maker = rng.choices(makers, weights=weights)[0]
        drafts.extend(d for d in maker(t) if d.time < END)
    return drafts


def application_log(drafts: list[Draft], dc: str, first_record_id: int) -> list[WriterEvent]:
    ordered = sorted(drafts, key=lambda d: (d.time, d.provider, d.event_id, d.data))
    return [d.event(first_record_id + i, dc, "Application") for i, d in enumerate(ordered)]


# --- DC01's filtered Security log (4723/4724) ----------------------------------------


def security_events(rng: random.Random, changes: list[Change]) -> list[WriterEvent]:
    drafts = []
    for change in changes:
        if change.dc != DC01:
            continue
        user = change.user
        target_sid = f"{DOMAIN_SID}-{user.rid}"
        if change.reset_by_admin:
            event_id = 4724
            subject = (f"{DOMAIN_SID}-{ADMIN_RID}", ADMIN)
        else:
            event_id = 4723
            subject = (target_sid, user.windows)
        data = [
            ("TargetUserName", user.windows),
            ("TargetDomainName", NETBIOS),
            ("TargetSid", target_sid),
            ("SubjectUserSid", subject[0]),
            ("SubjectUserName", subject[1]),
            ("SubjectDomainName", NETBIOS),
            ("SubjectLogonId", f"0x{rng.randint(0x100000, 0xFFFFFFF):x}"),
        ]
        if event_id == 4723:
            data.append(("PrivilegeList", "-"))
        drafts.append((change.time - jitter(rng, 0.5), event_id, 0x8020000000000000, data))
    # two refused attempts (too short for the domain policy): no PSync events follow
    for day, who in ((9, 1), (23, 1)):
        user = USERS[who]
        t = datetime(2026, 9, day, 10, 14, 3, 118000, tzinfo=UTC) + jitter(rng, 3600)
        sid = f"{DOMAIN_SID}-{user.rid}"
        drafts.append(
            (
                t,
                4723,
                0x8010000000000000,
                [
                    ("TargetUserName", user.windows),
                    ("TargetDomainName", NETBIOS),
                    ("TargetSid", sid),
                    ("SubjectUserSid", sid),
                    ("SubjectUserName", user.windows),
                    ("SubjectDomainName", NETBIOS),
                    ("SubjectLogonId", f"0x{rng.randint(0x100000, 0xFFFFFFF):x}"),
                    ("PrivilegeList", "-"),
                ],
            )
        )
    drafts.sort(key=lambda d: d[0])
    events = []
    record_id = 2_481_337
    for t, event_id, keywords, data in drafts:
        record_id += rng.randint(40, 9000)  # the filter left the other records out
        events.append(
            WriterEvent(
                provider="Microsoft-Windows-Security-Auditing",
                event_id=event_id,
                time_created=t,
                record_id=record_id,
                computer=DC01,
                channel="Security",
                level=0,
                task=13824,
                keywords=keywords,
                data=tuple(data),
            )
        )
    return events


# --- UNIX host files -----------------------------------------------------------------

B64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def fake_sha512(rng: random.Random) -> str:
    salt = "FAKE" + "".join(rng.choice(B64) for _ in range(8))
    return f"$6${salt}$" + "".join(rng.choice(B64) for _ in range(86))


def fake_des(rng: random.Random) -> str:
    return "FA" + "".join(rng.choice(B64) for _ in range(11))


def fake_ssha512(rng: random.Random) -> str:
    salt = "FAKE" + "".join(rng.choice(B64) for _ in range(12))
    return f"{{ssha512}}06${salt}$" + "".join(rng.choice(B64) for _ in range(86))


def days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def sso_conf(
    *,
    host: str,
    sync_hosts: str,
    key: str,
    sync_users: str,
    file_path: str = "/etc/shadow",
    use_shadow: int = 1,
    case_ignore: int = 1,
    note: str = "",
) -> str:
    lines = [
        "#",
        f"# sso.conf for {host} - Password Synchronization daemon (ssod)",
        "# Template: unix-team/psync/sso.conf rev 7. Keep in step with the IDMU",
        "# settings on the domain controllers (key, port).",
        "#",
    ]
    if note:
        lines += [f"# {line}" if line else "#" for line in note.splitlines()]
    lines += [
        "",
        "# Windows domain controllers allowed to push passwords: (host [port [key]])",
        f"SYNC_HOSTS={sync_hosts}",
        "",
        "# Default encryption key (must match Identity Management for UNIX)",
        f"ENCRYPT_KEY={key}",
        "PORT_NUMBER=6677",
        "",
        "# Password file and its kind",
        f"FILE_PATH={file_path}",
        f"USE_SHADOW={use_shadow}",
        "",
        "# 1 = compare user names ignoring case",
        f"CASE_IGNORE_NAME={case_ignore}",
        "",
        "# Accounts to synchronize: ALL, +name to include, -name to exclude",
        f"SYNC_USERS={sync_users}",
        "",
        "TEMP_FILE_PATH=/tmp",
        "SYNC_RETRIES=5",
        "SYNC_DELAY=0",
        "USE_NIS=0",
        "NIS_UPDATE_PATH=/var/yp",
        "",
    ]
    return "\n".join(lines)


BOTH_DCS = f"({DC01} 6677 {GOOD_KEY}) ({DC02})"

LINUX_SYSTEM = [
    ("root", 0, 0, "root", "/root", "/bin/bash"),
    ("bin", 1, 1, "bin", "/bin", "/sbin/nologin"),
    ("daemon", 2, 2, "daemon", "/sbin", "/sbin/nologin"),
    ("adm", 3, 4, "adm", "/var/adm", "/sbin/nologin"),
    ("lp", 4, 7, "lp", "/var/spool/lpd", "/sbin/nologin"),
    ("sync", 5, 0, "sync", "/sbin", "/bin/sync"),
    ("shutdown", 6, 0, "shutdown", "/sbin", "/sbin/shutdown"),
    ("halt", 7, 0, "halt", "/sbin", "/sbin/halt"),
    ("mail", 8, 12, "mail", "/var/spool/mail", "/sbin/nologin"),
    ("nobody", 65534, 65534, "Kernel Overflow User", "/", "/sbin/nologin"),
    ("sshd", 74, 74, "Privilege-separated SSH", "/usr/share/empty.sshd", "/sbin/nologin"),
    ("chrony", 992, 987, "chrony system user", "/var/lib/chrony", "/sbin/nologin"),
]


def linux_accounts(users: list[User], extra: list[tuple] = ()) -> list[tuple]:
    accounts = list(LINUX_SYSTEM) + list(extra)
    for user in users:
        if user.unix == "root":
            continue
        accounts.append(
            (
                user.unix,
                user.uid,
                100 if user.uid < 1090 else 1090,
                user.gecos,
                f"/home/{user.unix}",
                "/bin/bash",
            )
        )
    return accounts


def passwd_text(accounts: list[tuple]) -> str:
    return "".join(f"{n}:x:{u}:{g}:{c}:{h}:{s}\n" for n, u, g, c, h, s in accounts)


def shadow_text(
    rng: random.Random, accounts: list[tuple], *, hash_for: Callable[[str], str]
) -> str:
    lines = []
    for name, uid, *_ in accounts:
        changed = days(date(2026, 8, 1) + timedelta(days=rng.randint(0, 60)))
        if uid == 0 or (uid >= 1000 and uid != 65534):
            lines.append(f"{name}:{hash_for(name)}:{changed}:0:99999:7:::")
        else:
            lines.append(f"{name}:*:{days(date(2024, 5, 14))}:0:99999:7:::")
    return "\n".join(lines) + "\n"


LOGIN_DEFS = """\
#
# /etc/login.defs - shadow password suite configuration.
#
MAIL_DIR        /var/spool/mail

# Password aging controls:
#	PASS_MAX_DAYS	Maximum number of days a password may be used.
#	PASS_MIN_DAYS	Minimum number of days allowed between password changes.
#	PASS_MIN_LEN	Minimum acceptable password length.
#	PASS_WARN_AGE	Number of days warning given before a password expires.
PASS_MAX_DAYS	{max_days}
PASS_MIN_DAYS	0
PASS_MIN_LEN	{min_len}
PASS_WARN_AGE	7

UID_MIN                  1000
UID_MAX                 60000
SYS_UID_MIN               201
SYS_UID_MAX               999
GID_MIN                  1000
GID_MAX                 60000

CREATE_HOME	yes
UMASK           077
USERGROUPS_ENAB yes
ENCRYPT_METHOD {method}
"""

PWQUALITY = """\
# Configuration for systemwide password quality limits
# Defaults:
#
# Number of characters in the new password that must not be present in the
# old password.
# difok = 1
#
# Minimum acceptable size for the new password (plus one if
# credits are not disabled which is the default). (See pam_cracklib manual.)
# Cannot be set to lower value than 6.
minlen = 8
#
# The maximum credit for having digits in the new password.
dcredit = -1
ucredit = -1
lcredit = 0
ocredit = 0
#
# Whether to check for the words from the passwd entry GECOS string.
gecoscheck = 1
dictcheck = 1
enforce_for_root
"""


def host_files(rng: random.Random) -> dict[str, bytes]:
    """Every file under hosts/, by relative path."""
    files: dict[str, str | bytes] = {}
    sync_users = list(USERS)

    # web01: healthy, but dave is locked and SYNC_USERS=ALL (root not excluded)
    web_accounts = linux_accounts(
        sync_users, [("apache", 48, 48, "Apache", "/usr/share/httpd", "/sbin/nologin")]
    )
    files["web01/sso.conf"] = sso_conf(
        host="web01", sync_hosts=BOTH_DCS, key=GOOD_KEY, sync_users="ALL -frank"
    )
    files["web01/passwd"] = passwd_text(web_accounts)
    files["web01/shadow"] = shadow_text(
        rng, web_accounts, hash_for=lambda n: ("!" if n == "dave" else "") + fake_sha512(rng)
    )
    files["web01/login.defs"] = LOGIN_DEFS.format(max_days=90, min_len=8, method="SHA512")
    files["web01/security/pwquality.conf"] = PWQUALITY

    # db02.tar.gz: collected, key and hashes redacted; carol has no account
    db_accounts = linux_accounts(
        [u for u in sync_users if u.unix != "carol"],
        [
            ("postgres", 26, 26, "PostgreSQL Server", "/var/lib/pgsql", "/bin/bash"),
            ("olduser", 1050, 100, "Departed user", "/home/olduser", "/bin/bash"),
            ("kiosk", 1060, 100, "Lobby kiosk", "/home/kiosk", "/bin/bash"),
        ],
    )
    redacted = "<redacted length=21 classes=digit,lower,punct,upper>"
    db_conf = sso_conf(
        host="db02",
        sync_hosts=f"({DC01} 6677 {redacted}) ({DC02})",
        key=redacted,
        sync_users="-root -frank",
    )
    tokens = {"olduser": "<locked/sha512>", "kiosk": "<no-password/none>"}
    db_shadow = shadow_text(rng, db_accounts, hash_for=lambda n: tokens.get(n, "<active/sha512>"))
    db_shadow = db_shadow.replace(":*:", ":<never-set/none>:")
    manifest = (
        "collected-by: evtdiag collect-script 0.1.0 (uid 0, root)\n"
        f"date: {COLLECTED:%Y-%m-%dT%H:%M:%SZ}\n"
        "uname: Linux db02.corp.example.com 5.14.0-427.13.1.el9_4.x86_64 #1 SMP "
        "PREEMPT_DYNAMIC Wed Apr 10 10:29:16 EDT 2024 x86_64 x86_64 x86_64 GNU/Linux\n"
        "files:\n"
        "  sso.conf    /etc/sso.conf (ENCRYPT_KEY and SYNC_HOSTS keys redacted)\n"
        "  passwd      /etc/passwd\n"
        "  shadow      /etc/shadow (hash fields replaced by <status/scheme>)\n"
        "  login.defs  /etc/login.defs\n"
    )
    files["db02.tar.gz"] = tarball(
        "db02",
        {
            "MANIFEST": manifest,
            "sso.conf": db_conf,
            "passwd": passwd_text(db_accounts),
            "shadow": db_shadow,
            "login.defs": LOGIN_DEFS.format(max_days=99999, min_len=8, method="SHA512"),
        },
    )

    # fin04 (AIX): SYNC_HOSTS lists only DC01
    files["fin04/sso.conf"] = sso_conf(
        host="fin04",
        sync_hosts=f"({DC01} 6677 {GOOD_KEY})",
        key=GOOD_KEY,
        sync_users="-root -frank",
        file_path="/etc/security/passwd",
        note="AIX 7.2: passwords live in /etc/security/passwd",
    )
    aix_system = [
        ("root", 0, 0, "", "/", "/usr/bin/ksh"),
        ("daemon", 1, 1, "", "/etc", ""),
        ("bin", 2, 2, "", "/bin", ""),
        ("sys", 3, 3, "", "/usr/sys", ""),
        ("adm", 4, 4, "", "/var/adm", ""),
        ("guest", 100, 100, "", "/home/guest", ""),
        ("nobody", 4294967294, 4294967294, "", "/", ""),
    ]
    aix_users = [
        (u.unix, 200 + i, 1, u.gecos, f"/home/{u.unix}", "/usr/bin/ksh")
        for i, u in enumerate(x for x in sync_users if x.unix != "root")
    ]
    aix = aix_system + aix_users
    files["fin04/passwd"] = "".join(f"{n}:!:{u}:{g}:{c}:{h}:{s}\n" for n, u, g, c, h, s in aix)
    stanzas = []
    for name, uid, *_ in aix:
        if uid == 0 or 200 <= uid < 1000:
            update = 1_785_000_000 + rng.randint(0, 4_000_000)
            stanzas.append(
                f"{name}:\n\tpassword = {fake_ssha512(rng)}\n\tlastupdate = {update}\n\tflags =\n"
            )
        else:
            stanzas.append(f"{name}:\n\tpassword = *\n")
    files["fin04/security/passwd"] = "\n".join(stanzas)
    files["fin04/security/user"] = AIX_SECURITY_USER

    # app03: a copied /etc with an explicit SYNC_USERS list, CRLF line ends
    app_accounts = linux_accounts(sync_users)
    conf = sso_conf(
        host="app03",
        sync_hosts=BOTH_DCS,
        key=GOOD_KEY,
        sync_users="+alice -root",
        note="Only the application's own account is synchronized here.",
    )
    files["app03/etc/sso.conf"] = conf.replace("\n", "\r\n").encode("ascii")
    files["app03/etc/passwd"] = passwd_text(app_accounts)
    files["app03/etc/shadow"] = shadow_text(rng, app_accounts, hash_for=lambda n: fake_sha512(rng))

    # mail05: case-sensitive names (ksmith vs KSmith), short key
    mail_accounts = linux_accounts(
        sync_users, [("postfix", 89, 89, "", "/var/spool/postfix", "/sbin/nologin")]
    )
    files["mail05/sso.conf"] = sso_conf(
        host="mail05",
        sync_hosts=f"({DC01}) ({DC02})",
        key=MAIL05_KEY,
        sync_users="-root -frank",
        case_ignore=0,
    )
    files["mail05/passwd"] = passwd_text(mail_accounts)
    files["mail05/shadow"] = shadow_text(rng, mail_accounts, hash_for=lambda n: fake_sha512(rng))

    # build06: old host, DES crypt, a key that does not match the DCs'
    build_accounts = linux_accounts(sync_users)
    files["build06/sso.conf"] = sso_conf(
        host="build06",
        sync_hosts=f"({DC01}) ({DC02})",
        key=BUILD06_KEY,
        sync_users="-root -frank",
        note="Installed 2013, CentOS 5. Do not upgrade glibc.",
    )
    files["build06/passwd"] = passwd_text(build_accounts)
    files["build06/shadow"] = shadow_text(rng, build_accounts, hash_for=lambda n: fake_des(rng))
    files["build06/login.defs"] = LOGIN_DEFS.format(max_days=99999, min_len=5, method="DES")

    files["hosts.toml"] = (
        "# Other names Windows may use for each UNIX host (rhost in the events).\n"
        "# legacy07 is gone: no folder, no entry.\n"
        'web01 = ["web01.corp.example.com", "10.0.4.11"]\n'
        'db02 = ["db02.corp.example.com", "10.0.4.12"]\n'
        'fin04 = ["fin04.corp.example.com", "10.0.7.4"]\n'
        'app03 = ["app03.corp.example.com", "10.0.4.23"]\n'
        'mail05 = ["mail05.corp.example.com", "10.0.5.5"]\n'
        'build06 = ["build06.corp.example.com", "10.0.9.6"]\n'
    )
    return {k: v if isinstance(v, bytes) else v.encode("utf-8") for k, v in files.items()}


AIX_SECURITY_USER = """\
*
* Sccsid: @(#)89  1.24  src/bos/etc/security/user, cmdsuser, bos72Q, q2019_13A4 2/5/19
*
* The "default" stanza supplies the value of any attribute a user stanza
* does not set.
*
default:
\tadmin = false
\tlogin = true
\tsu = true
\tdaemon = true
\trlogin = true
\tsugroups = ALL
\tadmgroups =
\tttys = ALL
\tauth1 = SYSTEM
\tauth2 = NONE
\ttpath = nosak
\tumask = 022
\texpires = 0
\tSYSTEM = "compat"
\tlogintimes =
\tpwdwarntime = 0
\taccount_locked = false
\tloginretries = 5
\thistexpire = 0
\thistsize = 4
\tminage = 0
\tmaxage = 13
\tmaxexpired = -1
\tminalpha = 1
\tminother = 1
\tminlen = 8
\tmindiff = 0
\tmaxrepeats = 8
\tdictionlist =
\tpwdchecks =

root:
\tadmin = true
\tSYSTEM = "compat"
\tregistry = files
\tloginretries = 0
\taccount_locked = false
\trlogin = false

daemon:
\tadmin = true
\texpires = 0101000070

bin:
\tadmin = true
\texpires = 0101000070

sys:
\tadmin = true
\texpires = 0101000070

adm:
\tadmin = true
\texpires = 0101000070

guest:
\taccount_locked = true

nobody:
\tadmin = true
\texpires = 0101000070
"""


def tarball(top: str, members: dict[str, str]) -> bytes:
    """A .tar.gz with fixed owner, modes and times, and a gzip header without a date."""
    mtime = int(COLLECTED.timestamp())
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo(top)
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o700, mtime
        info.uname = info.gname = "root"
        tar.addfile(info)
        for name, text in members.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size, info.mode, info.mtime = len(data), 0o600, mtime
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


# --- Windows side --------------------------------------------------------------------


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("ascii")


def net_group(name: str, comment: str, members: list[str]) -> bytes:
    rows = []
    for i in range(0, len(members), 3):
        rows.append("".join(m.ljust(25) for m in members[i : i + 3]))
    return crlf(
        f"The request will be processed at a domain controller for domain {DOMAIN}.\n\n"
        f"Group name     {name}\n"
        f"Comment        {comment}\n\n"
        "Members\n\n"
        + "-" * 79
        + "\n"
        + "".join(row + "\n" for row in rows)
        + "The command completed successfully.\n\n"
    )


def net_localgroup(name: str, comment: str, members: list[str]) -> bytes:
    return crlf(
        f"Alias name     {name}\n"
        f"Comment        {comment}\n\n"
        "Members\n\n"
        + "-" * 79
        + "\n"
        + "".join(m + "\n" for m in members)
        + "The command completed successfully.\n\n"
    )


def windows_files(rng: random.Random) -> dict[str, bytes]:
    files = {}
    files["PasswordPropDeny.txt"] = net_group(
        "PasswordPropDeny", "Accounts whose passwords never go to UNIX hosts", DENY_MEMBERS
    )
    files["PasswordPropAllow.txt"] = ("".join(f"{m}\r\n" for m in ALLOW_MEMBERS)).encode("ascii")
    files["Administrators.txt"] = net_localgroup(
        "Administrators",
        "Administrators have complete and unrestricted access to the computer/domain",
        ["adm.jones", "Administrator", "Domain Admins", "Enterprise Admins"],
    )
    admins = [
        (
            "CN=Administrator,CN=Users,DC=corp,DC=example,DC=com",
            "Administrator",
            "user",
            "Administrator",
            f"{DOMAIN_SID}-500",
        ),
        (
            "CN=Adam Jones (admin),OU=Admin Accounts,DC=corp,DC=example,DC=com",
            "Adam Jones (admin)",
            "user",
            ADMIN,
            f"{DOMAIN_SID}-{ADMIN_RID}",
        ),
        (
            "CN=Tier0 Break Glass,OU=Admin Accounts,DC=corp,DC=example,DC=com",
            "Tier0 Break Glass",
            "user",
            "bg.tier0",
            f"{DOMAIN_SID}-1121",
        ),
    ]
    lines = [
        "#TYPE Microsoft.ActiveDirectory.Management.ADPrincipal",
        '"distinguishedName","name","objectClass","objectGUID","SamAccountName","SID"',
    ]
    for dn, name, cls, sam, sid in admins:
        lines.append(f'"{dn}","{name}","{cls}","{_guid(rng).lower()}","{sam}","{sid}"')
    files["Domain Admins.txt"] = crlf("\n".join(lines) + "\n")
    policy = [
        ("Force user logoff how long after time expires?:", "Never"),
        ("Minimum password age (days):", "1"),
        ("Maximum password age (days):", "42"),
        ("Minimum password length:", "7"),
        ("Length of password history maintained:", "24"),
        ("Lockout threshold:", "Never"),
        ("Lockout duration (minutes):", "30"),
        ("Lockout observation window (minutes):", "30"),
        ("Computer role:", "PRIMARY"),
    ]
    files["net-accounts.txt"] = crlf(
        "".join(f"{k.ljust(54)}{v}\n" for k, v in policy)
        + "The command completed successfully.\n\n"
    )
    return files


# --- all files -----------------------------------------------------------------------


def generate() -> dict[str, bytes]:
    """Every file of sample_logs/, by relative path (forward slashes)."""
    rng = random.Random(SEED)
    changes = plan_changes(rng)
    psync_by_dc = psync_drafts(rng, changes)
    files: dict[str, bytes] = {}
    dc01 = application_log(psync_by_dc[DC01] + noise_drafts(rng, DC01, 2300), DC01, 48_211)
    dc02 = application_log(psync_by_dc[DC02] + noise_drafts(rng, DC02, 2100), DC02, 30_577)
    # DC01's log was exported ("Save All Events As"): record headers renumbered from 1.
    files["DC01-Application.evtx"] = write_evtx(dc01, first_record_number=1)
    # DC02's was copied from the live system: header numbers are the record ids, the
    # file header is dirty and still counts the chunks of its last flush.
    real = write_evtx(dc02, first_record_number=dc02[0].record_id)
    chunks = (len(real) - 4096) // 65536
    files["DC02-Application.evtx"] = write_evtx(
        dc02, first_record_number=dc02[0].record_id, dirty=True, header_chunk_count=chunks - 3
    )
    files["DC01-Security-filtered.evtx"] = write_evtx(
        security_events(rng, changes), templated=False, first_record_number=1
    )
    for path, data in host_files(rng).items():
        files[f"hosts/{path}"] = data
    for path, data in windows_files(rng).items():
        files[f"windows/{path}"] = data
    files["README.md"] = readme(changes, dc01, dc02, chunks).encode("utf-8")
    return files


def readme(
    changes: list[Change], dc01: list[WriterEvent], dc02: list[WriterEvent], dc02_chunks: int
) -> str:
    def count(events: list[WriterEvent]) -> int:
        return sum(e.provider == PSYNC for e in events)

    return README.format(
        changes=len(changes),
        dc01_records=len(dc01),
        dc02_records=len(dc02),
        dc01_psync=count(dc01),
        dc02_psync=count(dc02),
        dc02_chunks=dc02_chunks,
        dc02_header=dc02_chunks - 3,
    )


README = (Path(__file__).parent / "sample_logs_README.template.md").read_text("utf-8")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "sample_logs"
    for rel, data in generate().items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
