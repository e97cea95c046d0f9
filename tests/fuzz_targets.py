"""Fuzz targets and seeds shared by the hypothesis tests (tests/test_fuzz.py) and the
atheris harness (fuzz/fuzz_evtdiag.py).

The contract they check: whatever the bytes, a log reader returns a coverage (an input
it cannot read becomes a ``refused`` or ``skipped`` coverage with a message), the
format readers themselves raise nothing but :class:`evtdiag.errors.InputFormatError`,
the config parsers raise nothing at all, and every renderer accepts what came out.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import tempfile
import zipfile
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

from evtdiag.errors import InputFormatError
from evtdiag.hosts import (
    parse_aix_security_passwd,
    parse_aix_security_user,
    parse_group_members,
    parse_login_defs,
    parse_net_accounts,
    parse_passwd,
    parse_pwquality,
    parse_shadow,
    parse_sso_conf,
)
from evtdiag.logs.csv_export import read_event_csv
from evtdiag.logs.formats import ReadOptions
from evtdiag.logs.inputs import read_inputs
from evtdiag.logs.providers import AllProviders
from evtdiag.logs.xml_export import read_xml_export
from evtdiag.psync import Catalogue, extract
from evtdiag.render.events import coverage_text, events_csv, events_json, events_table
from tests.evtx_writer import WriterEvent, write_evtx
from tests.export_writer import events_csv as export_csv
from tests.export_writer import events_xml

START = datetime(2026, 9, 14, 8, 0, tzinfo=timezone.utc)


def _events() -> list[WriterEvent]:
    events = []
    for i in range(12):
        provider = "Microsoft-Windows-IDMU-PSync" if i % 2 else "Service Control Manager"
        data = ("alice", "web01") if i % 2 else (("param1", "svc"), ("param2", "x"))
        events.append(
            WriterEvent(
                provider,
                12294 if i % 2 else 7036,
                START + timedelta(minutes=i),
                10 + i,
                "DC01",
                data=data,
            )
        )
    return events


@cache
def seeds() -> dict[str, bytes]:
    """One realistic sample per format."""
    events = _events()
    evtx = write_evtx(events)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", events_xml(events[:4]))
        archive.writestr("b.csv", export_csv(events[:4]))
    return {
        "evtx": evtx,
        "evtx-template-less": write_evtx(events, templated=False),
        "xml": events_xml(events),
        "xml-utf16-bare": events_xml(events, wrapper=False, encoding="utf-16"),
        "csv": export_csv(events),
        "txt": export_csv(events, delimiter="\t", encoding="utf-16"),
        "zip": zipped.getvalue(),
        "gz": gzip.compress(evtx[:20000], mtime=0),
        "sso.conf": b"# ssod\nSYNC_HOSTS=(dc01.corp.example.com, 6677, Abcdefghijklmnop12345!)\n"
        b"ENCRYPT_KEY=Abcdefghijklmnop12345!\nSYNC_USERS=-root,+alice,bob\nCASE_IGNORE_NAME=1\n"
        b"USE_SHADOW=1\nFILE_PATH=/etc\nPORT_NUMBER=6677\n",
        "passwd": b"root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n",
        "shadow": b"root:$6$salt$hash:19000:0:99999:7:::\nalice:!:19000::::::\n",
        "group": b"Group name     PasswordPropAllow\nComment\n\nMembers\n\n"
        b"-------------------------------------------------------------------------------\n"
        b"alice                    bob\nThe command completed successfully.\n",
        "net-accounts": b"Minimum password length:                              8\n"
        b"Maximum password age (days):                         42\n",
        "aix-user": b"default:\n\tminlen = 8\n\nalice:\n\taccount_locked = true\n",
    }


LOG_SEEDS = ("evtx", "evtx-template-less", "xml", "xml-utf16-bare", "csv", "txt", "zip", "gz")
CONFIG_SEEDS = ("sso.conf", "passwd", "shadow", "group", "net-accounts", "aix-user")
_CATALOGUE = Catalogue([12291])


def read_log_bytes(data: bytes, folder: Path, carve: bool = False) -> None:
    """Any bytes as a log input: reading, extraction and every renderer must cope."""
    path = folder / "input"
    path.write_bytes(data)
    options = ReadOptions(carve=carve)
    results = read_inputs(path, AllProviders(), options=options)
    assert results, "every input gets a coverage"
    coverages = [coverage for coverage, _ in results]
    records = [record for _, found in results for record in found]
    for coverage in coverages:
        assert coverage.format in ("evtx", "xml", "csv", "skipped", "refused"), coverage
        if coverage.format in ("skipped", "refused"):
            assert coverage.note
    found = extract(records, _CATALOGUE)
    events_table(found)
    events_csv(found)
    events_json(found, coverages)
    coverage_text(coverages)
    for reader in (read_xml_export, read_event_csv):  # the readers themselves, directly
        with contextlib.suppress(InputFormatError):
            reader(path, AllProviders())


def parse_config_bytes(data: bytes) -> None:
    """Any bytes through every configuration parser: warnings, never an exception."""
    parse_sso_conf(data, "sso.conf")
    parse_passwd(data, "passwd")
    parse_shadow(data, "shadow")
    parse_aix_security_passwd(data, "security/passwd")
    parse_aix_security_user(data, "security/user")
    parse_login_defs(data, "login.defs")
    parse_pwquality(data, "pwquality.conf")
    parse_group_members(data, "PasswordPropAllow.txt", "PasswordPropAllow")
    parse_net_accounts(data, "net-accounts.txt")


def temp_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="evtdiag-fuzz-"))
