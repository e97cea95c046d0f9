"""Names that only configuration lines, warnings, file names or the terminal show are
hidden too: every name-bearing field carries its names as data (Reliability v3, item 2).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.hosts.scenario import REPORT_FORMATS, run, write_psync_log

HIDDEN = ("jdoe.ceo", "hidden_admin", "pdc-paris", "othercorp", "svc_payroll", "acme", "bob")
"""Names the configuration (SYNC_USERS, SYNC_HOSTS, a passwd warning), the file names
and the event hold; a company's label in the names of files and folders."""


def _site(tmp_path: Path) -> tuple[Path, Path]:
    """A log of DC01 refusing bob on web01, and web01's configuration in a folder named
    after the company: bob is not in SYNC_USERS, DC01 not in SYNC_HOSTS."""
    log = write_psync_log(tmp_path / "acme-corp-DC01.evtx", ("bob",), "web01")
    host = tmp_path / "acme-hosts" / "web01"
    host.mkdir(parents=True)
    (host / "sso.conf").write_text(
        "SYNC_HOSTS=(pdc-paris.emea.othercorp.net 6677 K)\n"
        "SYNC_USERS=+alice +jdoe.ceo -hidden_admin\n"
    )
    (host / "passwd").write_text(
        "bob:x:1000:1000::/home/b:/bin/sh\nsvc_payroll:x:abc:100::/home/s:/bin/sh\n"
    )
    return log, host.parent


def _redacted(tmp_path: Path, *args: str) -> dict[str, str]:
    """``report --redact`` in every format, the terminal included (no ``-q``)."""
    outputs = {}
    for fmt in REPORT_FORMATS:
        target = tmp_path / f"out-{fmt}"
        code, printed = run("report", *args, "--format", fmt, "-o", str(target), "--redact")
        assert code == 1, printed
        outputs[fmt] = target.read_text(encoding="utf-8")
        outputs[f"{fmt} terminal"] = printed
    return outputs


def test_names_only_the_configuration_and_file_names_hold_are_hidden(tmp_path: Path) -> None:
    log, hosts = _site(tmp_path)
    outputs = _redacted(tmp_path, str(log), "--hosts", str(hosts))
    plain = tmp_path / "plain.json"
    run("report", str(log), "--hosts", str(hosts), "--format", "json", "-o", str(plain))
    for shown in ("SYNC_USERS=+alice +jdoe.ceo -hidden_admin", "pdc-paris", "svc_payroll"):
        assert shown in plain.read_text()  # unredacted, the report shows them all
    for where, text in outputs.items():
        assert "ERROR" in text or "error" in text, where
        found = [name for name in HIDDEN if name in text.casefold()]
        assert found == [], f"{where} shows {found}"
    mapping = json.loads((tmp_path / "out-json.redaction.json").read_text())["mapping"]
    originals = set(mapping.values())
    assert {"jdoe.ceo", "hidden_admin", "pdc-paris", "emea.othercorp.net", "svc_payroll"} <= (
        originals
    )
    assert "acme-corp-DC01" in originals and "acme-hosts" in originals
    document = json.loads(Path(tmp_path / "out-json").read_text())
    assert "SYNC_USERS=+user-" in json.dumps(document["problems"])
    assert document["inputs"][0]["path"].endswith("file-" + _hex_of(mapping, "acme-corp-DC01")
                                                  + ".evtx")  # fmt: skip


def _hex_of(mapping: dict[str, str], name: str) -> str:
    return next(p for p, n in mapping.items() if n == name).partition("-")[2]


def test_warnings_on_the_terminal_are_redacted(tmp_path: Path) -> None:
    """``--hosts`` that configures none of the hosts in the events: the warning names the
    folder given, on the terminal as in the report's notes."""
    log, hosts = _site(tmp_path)
    (hosts / "web01").rename(hosts / "otherhost")
    outputs = _redacted(tmp_path, str(log), "--hosts", str(hosts))
    for fmt in REPORT_FORMATS:
        printed = outputs[f"{fmt} terminal"]
        assert "Warning: none of the 1 hosts" in printed
        assert "acme" not in printed.casefold() and "bob" not in printed
    plain = run("report", str(log), "--hosts", str(hosts), "--format", "text", "-o", "-")[1]
    assert "Warning: none of the 1 hosts" in plain and "acme-hosts" in plain


def test_render_redact_says_nothing_in_clear_on_the_terminal(tmp_path: Path) -> None:
    """``render --redact`` printed its summary from the document before redaction."""
    log, hosts = _site(tmp_path)
    findings = tmp_path / "findings.json"
    code, printed = run("report", str(log), "--hosts", str(hosts), "-q", "--format", "json",
                        "-o", str(findings))  # fmt: skip
    assert code == 1, printed
    code, printed = run("render", str(findings), "--format", "text", "-o",
                        str(tmp_path / "out.txt"), "--redact")  # fmt: skip
    assert code == 1 and "VERDICT" in printed
    assert "bob" not in printed and "web01" not in printed and "user-" in printed
