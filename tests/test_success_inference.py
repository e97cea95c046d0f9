"""Issue 16: the success event is recognised without ``--success-id``.

Microsoft documents "Successfully changed password" but not its id, so evtdiag infers
it: the one undocumented PSync id logged at Information level with a user and a host.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.model import EventRecord, Outcome, SuccessIdentification, SuccessSource
from evtdiag.psync import Catalogue, identify_successes, to_psync_event
from tests.diagnose.scenario import DC1, Scenario
from tests.test_psync import record as psync_record

WHEN = datetime(2026, 9, 1, tzinfo=timezone.utc)
SUCCESS_TEXT = "Successfully changed password.\ruser = alice\rhost = web01"
OTHER_ID = 12293
"""An undocumented id that looks like a success as much as 12291 does."""


def record(event_id: int, *data: str, level: int | None = 4, **fields) -> EventRecord:
    """A hand-made record at Information level unless told otherwise."""
    return psync_record(event_id, *data, level=level, **fields)


# --- identify_successes on hand-made records -------------------------------------------


def test_the_one_informational_unknown_id_with_user_and_host_is_inferred() -> None:
    records = [record(12294, "bob", "web01", level=2), *[record(12291, "a", "web01")] * 3]
    found = identify_successes(records, ())
    assert found.sources == (SuccessSource(12291, "inferred", 3),)
    assert found.notes == (
        "id 12291 taken as 'Successfully changed password': Information level, user and "
        "host data, not a documented failure id; pass --success-id 12291 to confirm or "
        "--no-success-inference to turn this off.",
    )
    assert found.candidates == () and found.warnings == ()


def test_classic_information_qualifiers_stand_for_an_unset_level() -> None:
    for level in (None, 0):
        found = identify_successes([record(12291, "a", "h", level=level, qualifiers=0x4000)])
        assert found.ids == (12291,)
    assert identify_successes([record(12291, "a", "h", level=None, qualifiers=0x8000)]).ids == ()


@pytest.mark.parametrize(
    "records",
    [
        [record(12291, "a", "h", level=3)],
        [record(12291, "a", "h", level=2)],
        [record(12291, "a", "h"), record(12291, "a", "h", level=3)],
        [record(12291, "a", "h", level=3), record(12291, "a", "h")],
        [record(12291, "alice")],
        [record(12291, "a", "h"), record(12291)],
        [record(12294, "a", "h")],
    ],
    ids=[
        "warning",
        "error",
        "last-record-at-warning",
        "first-record-at-warning",
        "one-data-item",
        "one-record-without-data",
        "documented-failure-id",
    ],
)
def test_what_does_not_look_like_a_success_is_not_inferred(records) -> None:
    assert identify_successes(records) == SuccessIdentification()


def test_two_candidates_are_named_and_neither_is_taken() -> None:
    records = [record(OTHER_ID, "a", "h"), record(12291, "a", "h"), record(12291, "b", "h")]
    found = identify_successes(records)
    assert found.sources == () and found.candidates == (12291, OTHER_ID)
    assert found.notes == (
        "PSync ids 12291 and 12293 could each be 'Successfully changed password' "
        "(Information level, user and host data); nothing was inferred: pass --success-id "
        "with the right one.",
    )
    assert Catalogue.identified(found).success_ids == frozenset()


def test_given_ids_are_taken_as_they_are_and_nothing_is_inferred() -> None:
    records = [record(OTHER_ID, "a", "h"), record(12291, "a", "h", level=2)]
    found = identify_successes(records, [12291, 4000])
    assert found.sources == (SuccessSource(4000, "given", 0), SuccessSource(12291, "given", 1))
    assert found.notes == () and found.candidates == ()
    assert Catalogue.identified(found).success_ids == {12291, 4000}


def test_inference_can_be_turned_off() -> None:
    assert identify_successes([record(12291, "a", "h")], infer=False) == SuccessIdentification()


def test_the_records_are_read_once() -> None:
    records = [record(12291, "a", "h"), record(12294, "b", "h", level=2)]
    assert identify_successes(iter(records)) == identify_successes(records)


def test_an_inferred_id_classifies_like_a_given_one() -> None:
    success = record(12291, "alice", "web01")
    catalogue = Catalogue.identified(identify_successes([success]))
    event = to_psync_event(success, catalogue)
    assert (event.kind, event.outcome, event.user, event.host) == (
        "success",
        Outcome.SUCCESS,
        "alice",
        "web01",
    )


def test_a_documented_failure_id_given_as_a_success_is_still_refused() -> None:
    with pytest.raises(ValueError, match="12294"):
        Catalogue.identified(identify_successes([], [12294]))


# --- rendered messages (XML RenderingInfo, CSV) -----------------------------------------


def test_a_csv_success_is_recognised_by_its_text_and_needs_no_inference() -> None:
    rows = [record(12291, message=SUCCESS_TEXT)] * 2
    found = identify_successes(rows)
    assert found.sources == (SuccessSource(12291, "message", 2),)
    assert found.notes == () and found.warnings == ()
    assert Catalogue.identified(found).success_ids == frozenset()  # the text decides
    assert to_psync_event(rows[0], Catalogue.identified(found)).kind == "success"


def test_message_only_rows_naming_user_and_host_are_candidates() -> None:
    """A CSV row carries no data: user and host are read from its message."""
    rows = [record(12291, message=SUCCESS_TEXT), record(12291, "alice", "web01")]
    found = identify_successes(rows)
    assert found.sources == (SuccessSource(12291, "inferred", 2),)
    assert found.warnings == ()
    assert identify_successes([record(12291, message="Something. user = alice")]).ids == ()


def test_an_id_whose_rendered_messages_say_something_else_is_not_inferred() -> None:
    rows = [
        record(12291, "alice", "web01"),
        record(12291, message="Kennwort erfolgreich geändert.\ruser = alice\rhost = web01"),
    ]
    found = identify_successes(rows)
    assert found.sources == () and found.notes == ()
    (warning,) = found.warnings
    assert warning.startswith("id 12291 looks like 'Successfully changed password'")
    assert "1 of its rendered messages read otherwise" in warning
    assert "it was not inferred: pass --success-id 12291" in warning


def test_an_id_is_not_inferred_when_the_success_text_comes_with_another_id() -> None:
    rows = [record(OTHER_ID, "alice", "web01"), record(4242, level=3, message=SUCCESS_TEXT)]
    found = identify_successes(rows)
    assert found.sources == (SuccessSource(4242, "message", 1),)
    (warning,) = found.warnings
    assert "id 12293 looks like" in warning
    assert "give that text to id 4242; it was not inferred" in warning


def test_a_disagreeing_candidate_leaves_the_agreeing_one() -> None:
    rows = [
        record(12291, "alice", "web01"),
        record(OTHER_ID, "alice", "web01", message="Account unlocked.\ruser = a\rhost = b"),
    ]
    found = identify_successes(rows)
    assert found.ids == (12291,) and found.candidates == ()
    assert len(found.notes) == 1 and len(found.warnings) == 1
    assert "id 12293 looks like" in found.warnings[0]


def test_success_text_on_another_id_than_the_inferred_one_is_a_warning() -> None:
    rows = [
        record(12291, "alice", "web01"),
        record(12291, message=SUCCESS_TEXT),
        record(4242, level=2, message=SUCCESS_TEXT),
    ]
    found = identify_successes(rows)
    assert found.sources == (
        SuccessSource(12291, "inferred", 2),
        SuccessSource(4242, "message", 1),
    )
    (warning,) = found.warnings
    assert "id 4242 also read 'Successfully changed password'" in warning
    assert "id 12291 was inferred" in warning


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    """Successes (12291, Information level, user and host) and failures of three causes."""
    sc = Scenario(tmp_path)
    sc.host("web01")
    sc.host("db02", users=("alice", "bob"))
    sc.attempt("alice", "web01", ok=True, times=2)
    sc.attempt("alice", "db02", ok=True)
    sc.attempt("carol", "web01", ok=True)
    sc.attempt("carol", "db02", times=2)
    sc.attempt("root", "web01")
    sc.attempt("root", "db02")
    sc.event(8203, "bob", "db02")
    return sc


def report(sc: Scenario, *extra: str) -> tuple[int, dict]:
    """``evtdiag report --format json`` on the scenario, without ``--success-id`` unless
    ``extra`` gives it; the document's ``event_list`` is what ``--events`` wrote."""
    logs = map(str, sc.write_logs())
    listing = sc.root / "events.jsonl"
    args = ["report", *logs, "--hosts", str(sc.hosts_dir), "--format", "json", "-q",
            "--events", str(listing), "--force", *extra]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.stderr or result.output
    document = json.loads(result.stdout)
    document["event_list"] = [json.loads(line) for line in listing.read_text().splitlines()]
    return result.exit_code, document


def events(sc: Scenario, *extra: str) -> tuple[dict[int, set[str]], str]:
    """``evtdiag events --format json``: the kinds of each id, and stderr."""
    args = ["events", *map(str, sc.write_logs()), "--format", "json", "-q", *extra]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    kinds: dict[int, set[str]] = {}
    for event in json.loads(result.stdout)["events"]:
        kinds.setdefault(event["event_id"], set()).add(event["kind"])
    return kinds, result.stderr


def conclusions(document: dict) -> tuple[str, list[tuple]]:
    problems = [
        (p["scope"], p["account"], p["host"], p["dc"], p["cause"]) for p in document["problems"]
    ]
    return document["verdict"], sorted(problems, key=repr)


def kinds_of(document: dict, event_id: int) -> set[str]:
    return {e["kind"] for e in document["event_list"] if e["event_id"] == event_id}


def test_the_inferred_id_gives_the_report_a_given_id_gives(scenario: Scenario) -> None:
    given = report(scenario, "--success-id", "12291")
    inferred = report(scenario)
    assert kinds_of(inferred[1], 12291) == {"success"}
    assert inferred[1]["verdict"] == "warning"  # failures and successes
    assert inferred[1]["problems"]
    assert (inferred[0], conclusions(inferred[1])) == (given[0], conclusions(given[1]))
    taken = "id 12291 taken as 'Successfully changed password'"
    assert any(n.startswith(taken) for n in inferred[1]["notes"])  # how, for the coverage
    assert not any(n.startswith(taken) for n in given[1]["notes"])
    assert "Successes recognised: id 12291 (inferred)." in inferred[1]["verdict_reasons"]
    assert "Successes recognised: id 12291 (given)." in given[1]["verdict_reasons"]


def test_events_names_the_inferred_id_on_stderr(scenario: Scenario) -> None:
    kinds, stderr = events(scenario)
    assert kinds[12291] == {"success"} and kinds[12294] == {"user-denied"}
    assert "id 12291 taken as 'Successfully changed password'" in stderr
    assert stderr.index("Coverage:") < stderr.index("id 12291 taken as")
    assert stderr.strip().splitlines()[-1].startswith("Read ")  # the speed summary ends it


def test_two_candidate_ids_are_named_and_stay_other(scenario: Scenario) -> None:
    scenario.event(OTHER_ID, "alice", "web01", level=4)
    _, document = report(scenario)
    assert kinds_of(document, 12291) == kinds_of(document, OTHER_ID) == {"other"}
    assert document["verdict"] == "failing"  # no success is known
    named = "PSync ids 12291 and 12293 could each be 'Successfully changed password'"
    assert any(n.startswith(named) for n in document["notes"])
    _, stderr = events(scenario)
    assert named in stderr


def test_a_warning_level_unknown_id_is_never_inferred(tmp_path: Path) -> None:
    sc = Scenario(tmp_path)
    sc.host("web01")
    sc.event(OTHER_ID, "alice", "web01", level=3)
    sc.event(OTHER_ID, "bob", "web01", level=3)
    sc.attempt("zed", "web01")  # no such UNIX account
    _, document = report(sc)
    assert kinds_of(document, OTHER_ID) == {"other"}
    assert document["verdict"] == "failing"
    kinds, stderr = events(sc)
    assert kinds[OTHER_ID] == {"other"} and "taken as" not in stderr


def test_no_success_inference_restores_the_old_behaviour(scenario: Scenario) -> None:
    code, document = report(scenario, "--no-success-inference")
    assert kinds_of(document, 12291) == {"other"}
    assert document["verdict"] == "failing" and code == 1
    kinds, stderr = events(scenario, "--no-success-inference")
    assert kinds[12291] == {"other"} and "taken as" not in stderr


def test_a_given_id_wins_over_an_inferable_one(tmp_path: Path) -> None:
    sc = Scenario(tmp_path)
    sc.host("web01")
    sc.event(OTHER_ID, "alice", "web01", level=4)
    sc.event(12291, "alice", "web01", dc=DC1, level=2)
    sc.attempt("zed", "web01")
    assert events(sc)[0][OTHER_ID] == {"success"}  # inferable: the only candidate
    kinds, stderr = events(sc, "--success-id", "12291")
    assert kinds[12291] == {"success"} and kinds[OTHER_ID] == {"other"}
    assert "taken as" not in stderr
    _, document = report(sc, "--success-id", "12291")
    assert kinds_of(document, 12291) == {"success"}
    assert kinds_of(document, OTHER_ID) == {"other"}
