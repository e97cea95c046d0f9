"""Windows group member lists and ``net accounts``."""

from __future__ import annotations

from evtdiag.hosts.windows import allows, load_windows, parse_group_members, parse_net_accounts

NET_GROUP = (
    "Group name     PasswordPropAllow\r\nComment        \r\n\r\nMembers\r\n\r\n"
    + "-" * 79
    + "\r\n"
    + "alice".ljust(25)
    + "bob".ljust(25)
    + "carol".ljust(25)
    + "\r\n"
    + "dave".ljust(25)
    + "\r\n"
    + "The command completed successfully.\r\n\r\n"
)
NET_LOCALGROUP_DE = (
    "Aliasname     Administratoren\nBeschreibung  x\n\nMitglieder\n\n" + "-" * 79 + "\n"
    "Administrator\nCORP\\Domain Admins\nCORP\\a-very-long-service-account-name\n"
    "Der Befehl wurde erfolgreich ausgeführt.\n"
)


def test_net_group_columns():
    g, w = parse_group_members(NET_GROUP.encode(), "PasswordPropAllow.txt", "PasswordPropAllow")
    assert g.members == ("alice", "bob", "carol", "dave") and g.format == "net" and w == []


def test_net_localgroup_non_english_one_per_line():
    g, _ = parse_group_members(
        NET_LOCALGROUP_DE.encode("utf-16"), "Administrators.txt", "Administrators"
    )
    assert g.members == (
        "Administrator",
        "CORP\\Domain Admins",
        "CORP\\a-very-long-service-account-name",
    )


def test_group_not_found():
    g, _ = parse_group_members(
        b"The group name could not be found.\n\nMore help is "
        b"available by typing NET HELPMSG 2220.\n",
        "x.txt",
        "PasswordPropDeny",
    )
    assert g.supplied and g.exists is False


def test_csv_export():
    data = (
        b"#TYPE Microsoft.ActiveDirectory.Management.ADPrincipal\n"
        b'"distinguishedName","name","objectClass","SamAccountName"\n'
        b'"CN=Alice Smith,DC=corp","Alice Smith","user","alice"\n'
        b'"CN=Bob,DC=corp","Bob","user","BOB"\n'
    )
    g, _ = parse_group_members(data, "PasswordPropDeny.csv", "PasswordPropDeny")
    assert g.members == ("alice", "BOB") and g.format == "csv"
    assert g.contains("CORP\\bob") and g.contains("Alice@corp.example.com")


def test_one_name_per_line_and_empty():
    g, _ = parse_group_members(b"alice\r\n\r\nCORP\\bob\r\n", "a.txt", "PasswordPropAllow")
    assert g.members == ("alice", "CORP\\bob") and g.contains("BOB")
    e, _ = parse_group_members(b"", "a.txt", "PasswordPropAllow")
    assert e.supplied and e.exists and e.members == ()


def test_net_accounts():
    data = (
        b"Force user logoff how long after time expires?:       Never\n"
        b"Minimum password age (days):                          1\n"
        b"Maximum password age (days):                          Unlimited\n"
        b"Minimum password length:                              8\n"
        b"Length of password history maintained:               None\n"
        b"The command completed successfully.\n"
    )
    pol, w = parse_net_accounts(data, "net-accounts.txt")
    got = {p.name: (p.value, p.raw, p.place.line) for p in pol}
    assert got == {
        "min_days": (1, "1", 2),
        "max_days": (None, "Unlimited", 3),
        "min_length": (8, "8", 4),
        "history": (None, "None", 5),
    }
    assert w == []


def test_load_windows_missing_allow_means_everyone(tmp_path):
    (tmp_path / "passwordpropdeny.txt").write_text("root\nAdministrator\n")
    side = load_windows(str(tmp_path))
    assert not side.group("PasswordPropAllow").supplied
    d = allows(side, "alice")
    assert d.allowed and "not supplied" in d.explanation and "everyone" in d.explanation
    assert not allows(side, "ROOT").allowed
    assert not side.policy_supplied
    assert any("KB Q216639" in w.message for w in side.warnings)


def test_load_windows_empty_allow_denies(tmp_path):
    (tmp_path / "PasswordPropAllow.txt").write_bytes(b"")
    (tmp_path / "net-accounts.txt").write_text("Minimum password length:   12\n")
    side = load_windows(str(tmp_path))
    d = allows(side, "alice")
    assert not d.allowed and "empty" in d.explanation
    assert side.policy_value("min_length").value == 12


def test_load_windows_unreadable_file(tmp_path):
    (tmp_path / "PasswordPropAllow.txt").mkdir()  # a directory named like the file
    side = load_windows(str(tmp_path))
    assert any("unreadable" in w.message for w in side.warnings)
    assert not side.group("PasswordPropAllow").supplied


def test_hostile_group_file():
    data = b"a" * (10 * 1024 * 1024) + b"\n\x00\x00\nbob\n"
    g, w = parse_group_members(data, "x.txt", "PasswordPropAllow")
    assert g.members == ("bob",) and {x.place.line for x in w} == {1, 2}


def test_localised_net_accounts_is_said_not_silently_ignored():
    from evtdiag.hosts.windows import parse_net_accounts

    german = "Minimale Kennwortlänge:                               7\r\n".encode("cp850")
    policy, warnings = parse_net_accounts(german, "net-accounts.txt")
    assert policy == () and "only English 'net accounts' output is read" in warnings[0].message


def test_links_out_of_the_windows_folder_are_not_read(tmp_path, runner):
    """A linked group file would put any local file's lines in the report as members."""
    from evtdiag.cli import cli

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0:LinkedLine:/root:/bin/sh\n")
    (outside / "policy.txt").write_text("Minimum password length:   99\n")
    win = tmp_path / "win"
    win.mkdir()
    (win / "PasswordPropAllow.txt").symlink_to(outside / "passwd")
    (win / "net-accounts.txt").symlink_to(outside / "policy.txt")
    (win / "PasswordPropDeny.txt").write_text("svc_backup\n")
    (win / "Administrators.txt").symlink_to(win / "PasswordPropDeny.txt")  # inside: read
    side = load_windows(str(win))
    assert not side.group("PasswordPropAllow").supplied and not side.policy_supplied
    assert side.group("Administrators").members == ("svc_backup",)
    refused = sorted(w.place.file for w in side.warnings if "outside" in w.message)
    assert refused == [str(win / "PasswordPropAllow.txt"), str(win / "net-accounts.txt")]
    (tmp_path / "hosts" / "web01").mkdir(parents=True)  # check-config wants a host
    (tmp_path / "hosts" / "web01" / "sso.conf").write_text("SYNC_USERS=ALL\n")
    result = runner.invoke(cli, ["check-config", "--hosts", str(tmp_path / "hosts"),
                                 "--windows", str(win)])  # fmt: skip
    assert "LinkedLine" not in result.output and "points outside" in result.output
