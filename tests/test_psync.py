"""The PSync catalogue: every documented id, user and host by position, nothing dropped."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from evtdiag.model import EventRecord, Outcome, Place
from evtdiag.psync import CATALOGUE, Catalogue, extract, to_psync_event

WHEN = datetime(2026, 9, 1, tzinfo=timezone.utc)


def record(
    event_id: int,
    *data: str,
    message: str | None = None,
    qualifiers: int | None = None,
    level: int | None = 2,
) -> EventRecord:
    """A PSync record of DC01 made by hand (level 2, Error, unless told otherwise)."""
    return EventRecord(
        source="dc01.evtx",
        record_id=1,
        time_created=WHEN,
        provider="Microsoft-Windows-IDMU-PSync",
        event_id=event_id,
        qualifiers=qualifiers,
        level=level,
        channel="Application",
        computer="DC01",
        data=data,
        data_names=("",) * len(data),
        xml_source="<Event/>",
        place=Place("dc01.evtx"),
        message=message,
    )


def test_catalogue_covers_the_documented_ids() -> None:
    ids = {kind.event_id for kind in CATALOGUE}
    assert ids == {12294, 12289, 12290, 8203, 8204, 8200, 8217, 8226, 8230, 12296}
    assert len(ids) == len(CATALOGUE)


@pytest.mark.parametrize(
    ("event_id", "data", "user", "host", "kind"),
    [
        (12294, ("alice", "web01"), "alice", "web01", "user-denied"),
        (12289, ("svc_backup",), "svc_backup", None, "deny-group"),
        (12290, ("erin",), "erin", None, "not-in-allow-group"),
        (8203, ("bob", "build06"), "bob", "build06", "key-mismatch"),
        (8204, ("dave", "web01"), "dave", "web01", "account-disabled"),
        (8200, ("legacy07",), None, "legacy07", "unknown-host"),
    ],
)
def test_user_and_host_by_position(event_id, data, user, host, kind) -> None:
    event = to_psync_event(record(event_id, *data), Catalogue())
    assert (event.user, event.host, event.kind, event.outcome) == (
        user,
        host,
        kind,
        Outcome.FAILURE,
    )


def test_unknown_id_is_kept_as_other() -> None:
    event = to_psync_event(record(12345, "x", "y"), Catalogue())
    assert (event.kind, event.outcome, event.user) == ("other", Outcome.INFO, None)
    assert event.record.data == ("x", "y")


def test_success_id_is_declared_by_the_user() -> None:
    assert to_psync_event(record(12291, "a", "h"), Catalogue()).kind == "other"
    event = to_psync_event(record(12291, "a", "h"), Catalogue([12291]))
    assert (event.kind, event.outcome, event.user, event.host) == (
        "success",
        Outcome.SUCCESS,
        "a",
        "h",
    )


def test_success_recognised_by_rendered_message() -> None:
    message = "Successfully changed password.\ruser = alice\rhost = web01"
    event = to_psync_event(record(4242, message=message), Catalogue())
    assert (event.kind, event.user, event.host, event.message_derived) == (
        "success",
        "alice",
        "web01",
        True,
    )


def test_a_documented_failure_cannot_be_declared_a_success() -> None:
    with pytest.raises(ValueError, match="12294"):
        Catalogue([12294])


def test_qualifiers_are_kept_and_the_id_matched_on_its_low_bits() -> None:
    event = to_psync_event(record(12294, "a", "h", qualifiers=0xC000), Catalogue())
    assert event.kind == "user-denied" and event.record.qualifiers == 0xC000


def test_extract_sorts_by_time_and_keeps_everything() -> None:
    late = replace(record(12294, "a", "h"), time_created=WHEN.replace(day=2), record_id=9)
    early = record(4242)
    events = extract([late, early], Catalogue())
    assert [e.record.record_id for e in events] == [1, 9]


@pytest.mark.parametrize(
    ("message", "user", "host"),
    [
        (
            "Password propagation denied for the remote user.\r\nuser = \r\nhost = web01",
            None,
            "web01",
        ),
        (
            "Password propagation denied for the remote user.\ruser = John Smith\rhost = web01",
            "John Smith",
            "web01",
        ),
        (
            "Password propagation denied for the remote user. user = John Smith host = web01",
            "John Smith",
            "web01",
        ),
        (
            "Password propagation denied for the remote user. ruser = alice rhost = web01.corp",
            "alice",
            "web01.corp",
        ),
    ],
)
def test_user_and_host_from_rendered_messages(message, user, host) -> None:
    event = to_psync_event(record(12294, message=message), Catalogue())
    assert (event.user, event.host, event.message_derived) == (user, host, True)
