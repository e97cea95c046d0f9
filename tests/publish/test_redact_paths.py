"""Which parts of a path and which arguments of a command line redaction treats as names
(Reliability v3, item 2: company labels in file and folder names)."""

from __future__ import annotations

import pytest

from evtdiag.cli.paths import command_paths
from evtdiag.publish.redact import Redactor
from evtdiag.publish.redact_paths import part_stem


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("acme-DC01-Application.evtx", ("acme-DC01-Application", ".evtx")),
        ("acme-evidence.tar.gz", ("acme-evidence", ".tar.gz")),
        ("db02.acme", ("db02.acme", "")),  # not an extension: part of the name
        ("sso.conf", None),
        ("PasswordPropDeny.txt", None),
        ("/", None),
        ("!", None),
    ],
)
def test_a_part_evtdiag_names_itself_stays(part: str, expected) -> None:
    assert part_stem(part) == expected


def test_the_path_arguments_of_a_command_are_those_its_options_declare() -> None:
    command = ["evtdiag", "report", "logs/acme.evtx", "--tz", "Europe/Paris",
               "--hosts=acme", "--windows", "acme-win", "--format", "json", "-o",
               "acme.json", "--redact"]  # fmt: skip
    assert list(command_paths(command)) == [2, 5, 7, 11]


def test_a_path_is_redacted_part_by_part_extension_kept() -> None:
    redactor = Redactor(b"k" * 32)
    redactor.add("host", "web01")
    path = "/srv/acme corp/hosts/web01/sso.conf"
    redactor.add_path(path)
    redacted = redactor.redact_path(path)
    assert redacted.endswith(f"/{redactor.pseudonym_of('web01')}/sso.conf")
    assert "acme" not in redacted and "srv" not in redacted and redacted.count("file-") == 3
    assert redactor.redact_text(f"none of the hosts is in {path}") == (
        f"none of the hosts is in {redacted}"  # the word "hosts" stays: it is no name
    )
