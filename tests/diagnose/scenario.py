"""Build a diagnosis scenario on disk: DC logs (written by the test EVTX writer), UNIX host
folders and Windows exports, then build its report with the engine
(:func:`evtdiag.pipeline.build_report`, what ``evtdiag report --format json`` runs)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from evtdiag.document import counted_in
from evtdiag.errors import ExitCode
from evtdiag.pipeline import LogRequest, ReportRequest, build_report
from evtdiag.render.fields import event_json
from evtdiag.render.json_report import document_parts
from tests.support.evtx_writer import WriterEvent, write_evtx_file

PSYNC = "Microsoft-Windows-IDMU-PSync"
SUCCESS_ID = 12291
DC1 = "DC01.corp.example.com"
DC2 = "DC02.corp.example.com"
START = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)
GOOD_KEY = "Abcdefghij#1234567890"

DEFAULT_SSO = f"""# sso.conf
SYNC_HOSTS=({DC1}) ({DC2})
ENCRYPT_KEY={GOOD_KEY}
PORT_NUMBER=6677
FILE_PATH=/etc/shadow
USE_SHADOW=1
CASE_IGNORE_NAME=1
SYNC_USERS=-root
"""
USERS = ("alice", "bob", "carol", "dave", "erin")


class Scenario:
    """Events, hosts and Windows files of one test case."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.reported: list[dict] = []
        """The events of the last :meth:`run`, as ``--events`` writes them."""
        self.hosts_dir = root / "hosts"
        self.windows_dir = root / "windows"
        self.hosts_dir.mkdir()
        self.events: dict[str, list[WriterEvent]] = {}
        self._clock = START
        self._record = 1000

    # -- configuration -------------------------------------------------------------

    def host(
        self,
        name: str,
        *,
        sso: str | None = DEFAULT_SSO,
        users=USERS,
        passwd_extra: str = "",
        shadow: dict[str, str] | None = None,
        files: dict[str, str] | None = None,
    ) -> Path:
        """A host folder with sso.conf, passwd and shadow (fake hashes)."""
        folder = self.hosts_dir / name
        folder.mkdir(parents=True)
        if sso is not None:
            (folder / "sso.conf").write_text(sso)
        passwd = ["root:x:0:0:root:/root:/bin/bash"]
        passwd += [f"{u}:x:{1001 + i}:100::/home/{u}:/bin/bash" for i, u in enumerate(users)]
        (folder / "passwd").write_text("\n".join(passwd) + "\n" + passwd_extra)
        hashes = {u: "$6$FAKEsalt$FAKEhash" for u in ("root", *users)}
        hashes.update(shadow or {})
        (folder / "shadow").write_text(
            "".join(f"{u}:{h}:20300:0:99999:7:::\n" for u, h in hashes.items())
        )
        for relative, text in (files or {}).items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return folder

    def windows(self, name: str, text: str) -> Path:
        self.windows_dir.mkdir(exist_ok=True)
        path = self.windows_dir / name
        path.write_text(text)
        return path

    # -- events --------------------------------------------------------------------------

    def event(self, event_id: int, *data: str, dc: str = DC1, level: int = 2) -> None:
        self._clock += timedelta(minutes=3)
        self._record += 1
        self.events.setdefault(dc, []).append(
            WriterEvent(PSYNC, event_id, self._clock, self._record, dc, level=level, data=data)
        )

    def attempt(
        self,
        user: str,
        host: str,
        *,
        ok: bool = False,
        event_id: int = 12294,
        dc: str = DC1,
        times: int = 1,
    ) -> None:
        for _ in range(times):
            self.event(SUCCESS_ID if ok else event_id, user, host, dc=dc, level=4 if ok else 2)

    def noise(self, dc: str = DC1, count: int = 5) -> None:
        for _ in range(count):
            self._clock += timedelta(minutes=1)
            self._record += 1
            self.events.setdefault(dc, []).append(
                WriterEvent(
                    "Microsoft-Windows-Winlogon",
                    7001,
                    self._clock,
                    self._record,
                    dc,
                    data=(("UserSid", "S-1-5-18"),),
                )
            )

    # -- running -------------------------------------------------------------------------------

    def write_logs(self) -> list[Path]:
        paths = []
        for dc, events in sorted(self.events.items()):
            path = self.root / f"{dc.split('.')[0]}.evtx"
            write_evtx_file(path, events)
            paths.append(path)
        return paths

    def run(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        windows: bool = True,
        hosts: bool = True,
    ) -> tuple[int, dict]:
        """The exit code and JSON document ``evtdiag report --format json`` gives for the
        scenario (``hosts=False``: the logs without the host configurations); its events
        as ``--events`` would write them are left in :attr:`reported`."""
        request = ReportRequest(
            LogRequest(tuple(map(str, self.write_logs())), success_ids=(SUCCESS_ID,)),
            hosts_dir=str(self.hosts_dir) if hosts else None,
            windows_dir=str(self.windows_dir) if windows and self.windows_dir.is_dir() else None,
            since=since,
            until=until,
            run={"command": ["evtdiag", "report"], "time_zone": "UTC"},
        )
        run = build_report(request)
        document = run.document
        self.reported = [event_json(event) for event in run.diagnosis.events]
        code = ExitCode.PROBLEMS_FOUND if counted_in(document) else ExitCode.OK
        return int(code), json.loads("".join(document_parts(document)))


def problems(document: dict, **where: object) -> list[dict]:
    """The problems whose fields equal ``where``."""
    return [p for p in document["problems"] if all(p.get(k) == v for k, v in where.items())]


def only(document: dict, **where: object) -> dict:
    found = problems(document, **where)
    assert len(found) == 1, [
        (p["scope"], p["account"], p["host"], p["cause"]) for p in document["problems"]
    ]
    return found[0]


def config_lines(problem: dict) -> list[tuple[str, int | None, str]]:
    """(file name, line, text) of the problem's config evidence."""
    return [
        (Path(e["file"]).name if e["file"] else None, e["line"], e["text"])
        for e in problem["evidence"]
        if e["kind"] == "config"
    ]


def audit(document: dict, rule: str) -> list[dict]:
    return [a for a in document["audit"] if a["rule"] == rule]
