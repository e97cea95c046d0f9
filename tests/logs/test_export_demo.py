"""The demo's PSync events, exported in every form of tests/support/export_writer.py ``FORMS``,
give the twelve problems of the README demo, with and without ``--hosts``; the
DC-dependent one (FIN04 failing only through DC02) only where the form names the DC."""

from __future__ import annotations

import json
from datetime import timezone

import pytest

from evtdiag.cli import cli
from evtdiag.logs import ProviderMatcher
from tests.conftest import SAMPLE_LOGS
from tests.logs.reading import read_logs
from tests.support.evtx_writer import WriterEvent
from tests.support.export_writer import FORMS, writer_events

APPLICATION_LOGS = sorted(SAMPLE_LOGS.glob("DC0?-Application.evtx"))
CONFIG = ["--hosts", str(SAMPLE_LOGS / "hosts"), "--windows", str(SAMPLE_LOGS / "windows")]


@pytest.fixture(scope="module")
def demo_events() -> dict[str, list[WriterEvent]]:
    """The demo's PSync events per DC, as read from its .evtx files."""
    result = read_logs([str(p) for p in APPLICATION_LOGS], ProviderMatcher())
    by_dc: dict[str, list[WriterEvent]] = {}
    for event in writer_events(result.events):
        by_dc.setdefault(event.computer, []).append(event)
    return by_dc


def problems(runner, paths: list[str], with_config: bool) -> tuple[list[tuple], object]:
    """The report's problems (scope, account, host, DC, cause) and its verdict."""
    args = ["report", *paths, "--format", "json", "-q", *(CONFIG if with_config else [])]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    found = sorted(
        (p["scope"], p["account"], p["host"], p["dc"], p["cause"]) for p in document["problems"]
    )
    return found, document["verdict"]


@pytest.fixture(scope="module")
def expected(demo_events) -> dict[bool, tuple[list[tuple], object]]:
    from click.testing import CliRunner

    paths = [str(p) for p in APPLICATION_LOGS]
    return {config: problems(CliRunner(), paths, config) for config in (True, False)}


@pytest.mark.parametrize("with_config", [True, False], ids=["hosts", "logs-alone"])
@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_gives_the_demo_problems(runner, tmp_path, demo_events, expected, form,
                                           with_config) -> None:  # fmt: skip
    write = FORMS[form]
    paths = []
    for dc, events in demo_events.items():
        path = tmp_path / f"{dc}-{form}"
        path.write_bytes(write(events, timezone.utc))
        paths.append(str(path))
    found, verdict = problems(runner, paths, with_config)
    wanted, wanted_verdict = expected[with_config]
    assert len(wanted) == 12
    assert verdict == wanted_verdict
    if write.names_dc:
        assert found == wanted
        return
    # Without the DC, FIN04's failures through DC02 cannot be told from a host problem:
    # they come out as problems of host FIN04; every other problem is the same.
    assert [p for p in wanted if p[0] != "dc"] == [p for p in found if p[2] != "FIN04"]
    assert {(p[0], p[2]) for p in found if p[2] == "FIN04"} == {("host", "FIN04")}
