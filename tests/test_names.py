"""evtdiag.names: the one place names are folded, including where two foldings differ."""

from __future__ import annotations

import pytest

from evtdiag.names import (
    account_key,
    account_name,
    first_label,
    fold_host,
    host_key,
    is_ip_address,
    split_account,
    split_first_label,
    trim_host,
)


@pytest.mark.parametrize(
    "name", ["CORP\\KSmith", "KSmith@corp.example.com", " ksmith ", "A\\B\\KSMITH", "KSmith@x@y"]
)
def test_account_key(name: str) -> None:
    assert account_key(name) == "ksmith"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("WEB01.corp.example.com.", "web01"),
        (" web01 ", "web01"),
        ("10.0.0.5", "10.0.0.5"),
        ("fe80::1", "fe80::1"),
        ("999.0.0.1", "999"),  # not an address: cut like a name
    ],
)
def test_host_key_keeps_addresses_whole(name: str, key: str) -> None:
    assert host_key(name) == key


def test_first_label_cuts_addresses_too() -> None:
    assert first_label("10.0.0.5") == "10"
    assert first_label("WEB01.corp") == "WEB01"


def test_trim_keeps_the_case_and_fold_does_not() -> None:
    assert trim_host(" WEB01.Corp. ") == "WEB01.Corp"
    assert fold_host(" WEB01.Corp. ") == "web01.corp"


def test_split_first_label() -> None:
    assert split_first_label("Web01.corp.example.com") == ("Web01", "corp.example.com")
    assert split_first_label("web01") == ("web01", None)


def test_is_ip_address() -> None:
    assert is_ip_address("192.0.2.1") and is_ip_address("::1")
    assert not is_ip_address("web01") and not is_ip_address("192.0.2")


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("CORP\\KSmith", ("KSmith", "CORP")),
        (" KSmith@corp.example.com ", ("KSmith", "corp.example.com")),
        ("A\\B\\KSmith", ("KSmith", "A\\B")),
        ("CORP\\KSmith@x", ("KSmith@x", "CORP")),  # the domain prefix is looked for first
        ("KSmith", ("KSmith", None)),
    ],
)
def test_split_account_keeps_the_case(name: str, parts: tuple[str, str | None]) -> None:
    assert split_account(name) == parts
    assert account_key(name) == "ksmith"


@pytest.mark.parametrize(
    ("name", "bare"),
    [("CORP\\KSmith", "KSmith"), ("KSmith@corp.example.com", "KSmith"),
     ("CORP\\alice@corp", "alice"), (" erin ", "erin")],
)  # fmt: skip
def test_account_name_drops_the_domain_and_keeps_the_case(name: str, bare: str) -> None:
    assert account_name(name) == bare and account_key(name) == bare.casefold()
