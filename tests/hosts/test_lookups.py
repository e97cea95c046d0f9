"""Account and group lookups on the host and Windows models answer from indexes built once,
exactly as a scan of the lists in file order would: same entry, same winner among
duplicates and case variants. The reference scans below are the lookups as they were
written before the indexes."""

from __future__ import annotations

import pickle
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from evtdiag.hosts.model import (
    AixUserAttrs,
    GroupMembers,
    HostConfig,
    PasswdEntry,
    ShadowEntry,
    SsoConf,
    SyncUserEntry,
    UnixPolicy,
    WindowsSide,
)
from evtdiag.hosts.policy import min_length_for
from evtdiag.hosts.ssoconf import decide
from evtdiag.model import Place


def passwd_entry(name: str, line: int) -> PasswdEntry:
    return PasswdEntry(name, 1000 + line, 100, "/bin/sh", Place("passwd", line=line))


def shadow_entry(name: str, line: int) -> ShadowEntry:
    return ShadowEntry(name, "active", "sha512", None, None, Place("shadow", line=line))


def stanza(name: str, line: int, minlen: int | None = None) -> AixUserAttrs:
    return AixUserAttrs(name, False, minlen, Place("security/user", line=line))


def host(names: list[str], stanzas: tuple[AixUserAttrs, ...] = ()) -> HostConfig:
    return HostConfig(
        "web01",
        "hosts/web01",
        (),
        (),
        None,
        tuple(passwd_entry(n, i) for i, n in enumerate(names, 1)),
        tuple(shadow_entry(n, i) for i, n in enumerate(names, 1)),
        UnixPolicy(aix_users=stanzas),
    )


def scanned_account(h: HostConfig, user: str, case_ignore: bool) -> PasswdEntry | None:
    for p in h.passwd or ():
        if p.name == user or (case_ignore and p.name.casefold() == user.casefold()):
            return p
    return None


def scanned_shadow(h: HostConfig, user: str) -> ShadowEntry | None:
    return next((s for s in h.shadow or () if s.name.casefold() == user.casefold()), None)


def scanned_stanza(policy: UnixPolicy, user: str) -> AixUserAttrs | None:
    return next((a for a in policy.aix_users if a.name == user and a.name != "default"), None)


NAMES = st.lists(st.sampled_from(["bob", "Bob", "BOB", "alice", "ß", "SS", "ss", "default"]))


@given(names=NAMES, user=st.sampled_from(["bob", "BoB", "alice", "ALICE", "ss", "ß", "x"]))
def test_lookups_find_what_a_scan_in_file_order_finds(names: list[str], user: str) -> None:
    h = host(names, tuple(stanza(n, i) for i, n in enumerate(names, 1)))
    for case_ignore in (True, False):
        assert h.account(user, case_ignore) is scanned_account(h, user, case_ignore)
    assert h.shadow_entry(user) is scanned_shadow(h, user)
    assert h.policy.aix_user(user) is scanned_stanza(h.policy, user)


def test_case_insensitive_lookup_takes_the_first_variant_even_when_a_later_one_is_exact() -> None:
    h = host(["Bob", "bob"])
    assert h.account("bob").place.line == 1
    assert h.account("bob", case_ignore=False).place.line == 2
    assert h.account("BOB") is h.account("bob")
    assert h.account("BOB", case_ignore=False) is None
    assert h.shadow_entry("bOB").place.line == 1


def test_aix_stanzas_first_of_a_name_and_default_only_as_the_fallback() -> None:
    policy = UnixPolicy(
        aix_users=(stanza("default", 1, 8), stanza("bob", 5, 12), stanza("bob", 9, 4),
                   stanza("default", 12, 2), stanza("carol", 15))
    )  # fmt: skip
    assert policy.aix_user("default") is None
    assert policy.aix_user("bob").place.line == 5
    assert min_length_for(policy, "bob").value == 12
    assert min_length_for(policy, "carol").value == 8  # no minlen of its own: default's
    assert min_length_for(policy, "nobody").value == 8
    assert min_length_for(policy).value == 8


def test_group_membership_by_account_key() -> None:
    group = GroupMembers("PasswordPropAllow", True, True, ("CORP\\Alice", "bob@corp.example.com"))
    assert group.contains("alice") and group.contains("BOB") and group.contains("corp\\bob")
    assert not group.contains("carol")
    assert GroupMembers("PasswordPropAllow", True, True).contains("alice") is False


def test_windows_groups_by_folded_name_first_wins() -> None:
    first = GroupMembers("PasswordPropDeny", True, True, ("krbtgt",))
    side = WindowsSide((first, GroupMembers("passwordpropdeny", True, True)), (), False)
    assert side.group("PASSWORDPROPDENY") is first
    assert side.group("Domain Admins") == GroupMembers("Domain Admins", False, None)


def test_indexes_change_neither_equality_nor_hash_nor_repr_nor_pickling() -> None:
    a, b = host(["alice", "bob"]), host(["alice", "bob"])
    assert a == b and hash(a) == hash(b)
    assert "_accounts" not in repr(a) and "_folded" not in repr(a)
    again = pickle.loads(pickle.dumps(a))
    assert again == a and again.account("BOB") == a.account("bob")
    members = GroupMembers("G", True, True, ("alice",))
    assert pickle.loads(pickle.dumps(members)) == members and hash(members) == hash(
        GroupMembers("G", True, True, ("alice",))
    )


def test_replace_rebuilds_the_indexes() -> None:
    h = host(["alice"])
    moved = replace(h, passwd=(passwd_entry("bob", 1),), shadow=None)
    assert moved.account("bob") is not None and moved.account("alice") is None
    assert moved.shadow_entry("alice") is None
    group = replace(GroupMembers("G", True, True, ("alice",)), members=("bob",))
    assert group.contains("bob") and not group.contains("alice")


def sso(entries: list[tuple[str, str]], case_ignore: bool) -> SsoConf:
    users = tuple(SyncUserEntry(sign, name, Place("sso.conf", line=i)) for i, (sign, name) in
                  enumerate(entries, 1))  # fmt: skip
    return SsoConf("sso.conf", (), users, None, None, case_ignore, None)


def scanned_decision(conf: SsoConf, user: str) -> tuple[bool, SyncUserEntry | None, str]:
    """(allowed, deciding entry, near miss) as the rules read SYNC_USERS in order."""
    fold = str.casefold if conf.case_ignore_name else str
    entries = conf.sync_users or ()
    near = next(
        (str(e) for e in entries if e.sign != "-" and e.name.casefold() == user.casefold()), ""
    )
    for wanted, allowed in (
        (lambda e: e.sign == "-" and fold(e.name) == fold(user), False),
        (lambda e: e.sign in ("+", "") and e.name != "ALL" and fold(e.name) == fold(user), True),
        (lambda e: e.sign == "" and e.name == "ALL", True),
    ):
        found = next((e for e in entries if wanted(e)), None)
        if found is not None:
            return allowed, found, ""
    return not any(e.sign in ("+", "") for e in entries), None, near


SYNC_ENTRIES = st.lists(
    st.tuples(st.sampled_from(["-", "+", ""]), st.sampled_from(["bob", "Bob", "ALL", "all", "ß"]))
)


@given(entries=SYNC_ENTRIES, case_ignore=st.booleans(),
       user=st.sampled_from(["bob", "BOB", "all", "ALL", "ss", "carol"]))  # fmt: skip
def test_sync_users_decisions_are_those_of_a_scan_in_list_order(
    entries: list[tuple[str, str]], case_ignore: bool, user: str
) -> None:
    conf = sso(entries, case_ignore)
    allowed, entry, near = scanned_decision(conf, user)
    decision = decide(conf, user)
    assert decision.allowed == allowed and decision.entry is entry
    said_near = "differs only in case" in decision.explanation
    assert said_near == bool(near) and (not near or f"; {near} differs" in decision.explanation)
