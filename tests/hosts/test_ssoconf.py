"""sso.conf parsing and the SYNC_USERS decision model."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evtdiag.hosts.ssoconf import decide, file_mismatch, key_info, parse_sso_conf

KEY = "ABCDZ#efgh$12345xyzQW"  # 21 characters, every class


def conf(text: str, **kw: str):
    return parse_sso_conf(text.encode(kw.get("encoding", "utf-8")), "web01/sso.conf")


def test_every_known_key_with_place_and_text():
    text = (
        "# sample\n\nSYNC_HOSTS=(dc1)\nSYNC_USERS=ALL\nENCRYPT_KEY=" + KEY + "\n"
        "PORT_NUMBER = 6677\nFILE_PATH=/etc/shadow\nUSE_SHADOW=1\nCASE_IGNORE_NAME=0\n"
        "TEMP_FILE_PATH=/tmp\nSYNC_RETRIES=5\nSYNC_DELAY=0\nUSE_NIS=0\n"
        "NIS_UPDATE_PATH=/var/yp\nIGNORE_PROPAGATION_ERRORS=1\n"
    )
    c = conf(text)
    assert c.warnings == ()
    assert len(c.settings) == 13
    port = c.get("PORT_NUMBER")
    assert port.value == "6677" and port.place.line == 6 and port.text == "PORT_NUMBER = 6677"
    assert str(port.place) == "web01/sso.conf:6"
    assert c.case_ignore_name is False and c.case_ignore_place.line == 9


def test_encrypt_key_never_stored():
    c = conf(f"ENCRYPT_KEY={KEY}\nSYNC_HOSTS=(dc1 6677 Per$HostKey9) (dc2 7000)\n")
    assert c.encrypt_key.length == 21
    assert c.encrypt_key.classes == ("upper", "lower", "digit", "punct")
    assert c.get("ENCRYPT_KEY").text == "ENCRYPT_KEY=<21 characters: upper, lower, digit, punct>"
    assert c.sync_hosts[0].host == "dc1" and c.sync_hosts[0].port == 6677
    assert c.sync_hosts[0].key.length == 12
    assert c.sync_hosts[1].port == 7000 and c.sync_hosts[1].key is None
    assert KEY not in repr(c) and "Per$HostKey9" not in repr(c)


def test_collector_redacted_forms():
    c = conf(
        "ENCRYPT_KEY=<redacted length=21 classes=digit,lower,punct,upper>\n"
        "SYNC_HOSTS=(dc1 6677 <redacted length=8 classes=lower>)\n"
    )
    assert c.encrypt_key.length == 21
    assert c.encrypt_key.classes == ("upper", "lower", "digit", "punct")
    assert c.sync_hosts[0].key.length == 8 and c.sync_hosts[0].key.classes == ("lower",)
    assert c.warnings == ()


def test_key_info_classes():
    assert key_info("abc").classes == ("lower",)
    assert key_info("A1 é").classes == ("upper", "digit", "other")


@pytest.mark.parametrize("eol", ["\r\n", "\r", "\n"])
def test_line_ends(eol):
    c = conf(eol.join(["# c", "SYNC_USERS=+fred +leon", "", "PORT_NUMBER=1"]) + eol)
    assert [s.place.line for s in c.settings] == [2, 4]


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_encodings(encoding):
    c = conf("SYNC_USERS=+jos\u00e9\nPORT_NUMBER=6677\n", encoding=encoding)
    assert c.sync_users[0].name == "jos\u00e9"
    assert c.get("PORT_NUMBER").value == "6677"


def test_sync_users_syntax():
    c = conf("SYNC_USERS=+fred, leon  -root,ALL\n")
    assert [(e.sign, e.name) for e in c.sync_users] == [
        ("+", "fred"),
        ("", "leon"),
        ("-", "root"),
        ("", "ALL"),
    ]


def test_sync_hosts_several_per_line_and_malformed():
    c = conf("SYNC_HOSTS=(a) (b 1) (c 2 k) (d x)\n")
    assert [(h.host, h.port) for h in c.sync_hosts] == [
        ("a", None),
        ("b", 1),
        ("c", 2),
        ("d", None),
    ]
    assert c.sync_hosts[3].key is not None  # "x": not a port, so perhaps a key; never shown
    assert (
        c.get("SYNC_HOSTS").text
        == "SYNC_HOSTS=(a) (b 1) (c 2 <1 characters: lower>) (d <1 characters: lower>)"
    )
    assert "not a number" in " ".join(w.message for w in c.warnings)


@pytest.mark.parametrize("secret", ["Ab1)cdefgh#1234(567", "0000)(SECRET00"])
def test_sync_hosts_key_with_parentheses_is_never_shown(secret):
    c = conf(f"SYNC_HOSTS=(DC01 6677 {secret}) (DC02)\n")
    assert [(h.host, h.port) for h in c.sync_hosts] == [("DC01", 6677), ("DC02", None)]
    assert c.sync_hosts[0].key.length == len(secret)
    shown = c.get("SYNC_HOSTS").text + " ".join(w.message for w in c.warnings)
    assert not any(secret[i : i + 4] in shown for i in range(len(secret) - 3))
    assert any("holds spaces or parentheses" in w.message for w in c.warnings)


@pytest.mark.parametrize("value", ["(dc01 6677 Secret", "dc01 6677 Secret", "(a) stray Secret (b)"])
def test_sync_hosts_not_in_entry_form_is_not_used_nor_shown(value: str):
    c = conf(f"SYNC_HOSTS={value}\n")
    assert c.sync_hosts is None
    assert "Secret" not in c.get("SYNC_HOSTS").text
    assert not any("Secret" in w.message for w in c.warnings)


def test_unknown_duplicate_malformed_warn_with_line():
    c = conf("FOO=bar\nPORT_NUMBER=1\nPORT_NUMBER=2\njust words\nUSE_SHADOW=yes\n")
    lines = {w.place.line: w.message for w in c.warnings}
    assert "unknown key FOO" in lines[1] and "bar" not in lines[1]
    assert "last line wins" in lines[3]
    assert "not a KEY=value" in lines[4]
    assert "not a number" in lines[5]
    assert c.get("PORT_NUMBER").value == "2"


def test_malformed_encrypt_key_line_not_echoed():
    c = conf("ENCRYPT_KEY " + KEY + "\nencrypt_key=" + KEY + "\n")
    assert KEY not in repr(c)
    assert c.warnings[0].place.line == 1


def test_hostile_input():
    data = (
        b"PORT_NUMBER=1\n"
        + b"A" * (10 * 1024 * 1024)
        + (b"\nSYNC\x00USERS=x\n\xff\xfe\x00\x01junk\nUSE_NIS=0\n")
    )
    c = parse_sso_conf(data, "f")
    assert c.get("PORT_NUMBER") and c.get("USE_NIS")
    assert {w.place.line for w in c.warnings} >= {2, 3}


def test_binary_junk_never_raises():
    import random

    rnd = random.Random(4)
    for _ in range(50):
        parse_sso_conf(bytes(rnd.randrange(256) for _ in range(300)), "junk")


# --- decide() ---


def test_absent_sync_users_is_inferred_allow():
    d = decide(conf("PORT_NUMBER=1\n"), "alice")
    assert d.allowed and d.basis == "inferred" and d.entry is None


def test_minus_always_wins_whatever_order():
    c = conf("SYNC_USERS=-root ALL +root\n")
    d = decide(c, "ROOT")
    assert not d.allowed and d.entry.sign == "-" and d.basis == "documented"
    assert d.place.line == 1


def test_plus_list_means_only_those():
    c = conf("SYNC_USERS=+fred +leon\n")
    assert decide(c, "fred").allowed and decide(c, "fred").basis == "documented"
    d = decide(c, "alice")
    assert not d.allowed and d.basis == "inferred" and d.entry is None


def test_all_and_bare_names():
    c = conf("SYNC_USERS=ALL -pat\n")
    assert decide(c, "x").allowed and decide(c, "x").basis == "inferred"
    assert decide(conf("SYNC_USERS=fred\n"), "fred").basis == "inferred"


def test_only_exclusions_include_others():
    assert decide(conf("SYNC_USERS=-root\n"), "alice").allowed


def test_case_ignore_name():
    assert decide(conf("SYNC_USERS=+Fred\n"), "fred").allowed
    d = decide(conf("CASE_IGNORE_NAME=0\nSYNC_USERS=+Fred\n"), "fred")
    assert not d.allowed and "differs only in case" in d.explanation


@pytest.mark.parametrize(
    ("file_path", "use_shadow", "problem"),
    [
        ("/etc/shadow", "1", None),
        ("/etc/passwd", "0", None),
        ("/etc/security/passwd", "1", None),  # AIX keeps its hashes in a file named passwd
        ("/etc/shadow/", "1", None),
        ("/etc/passwd", "1", "USE_SHADOW=1 but FILE_PATH names a passwd file."),
        ("/etc/shadow", "0", "USE_SHADOW=0 but FILE_PATH names a shadow file."),
        ("/etc/security/passwd", "0", "USE_SHADOW=0 but FILE_PATH names a shadow file."),
        ("/etc/hashes", "1", "FILE_PATH=/etc/hashes names neither a passwd nor a shadow file."),
    ],
)
def test_file_mismatch_names_both_settings_and_the_problem(file_path, use_shadow, problem):
    c = conf(f"FILE_PATH={file_path}\nUSE_SHADOW={use_shadow}\n")
    mismatch = file_mismatch(c)
    if problem is None:
        assert mismatch is None
    else:
        assert mismatch.problem == problem
        assert (mismatch.file_path.place.line, mismatch.use_shadow.place.line) == (1, 2)


def test_file_mismatch_needs_both_settings():
    assert file_mismatch(conf("FILE_PATH=/etc/passwd\n")) is None
    assert file_mismatch(conf("USE_SHADOW=1\n")) is None


_SHIFT = str.maketrans(
    string.ascii_uppercase + string.ascii_lowercase + string.digits,
    string.ascii_uppercase[1:] + "A" + string.ascii_lowercase[1:] + "a" + string.digits[1:] + "0",
)


def _shifted(key: str) -> str:
    return key.translate(_SHIFT)


_KEYCHARS = st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="<>#")


@settings(max_examples=200, deadline=None)
@given(
    # a trailing backslash continues the line (test_continued_lines_are_joined)
    key=st.text(_KEYCHARS, min_size=12, max_size=40).filter(lambda k: not k.endswith("\\")),
    host_key=st.text(_KEYCHARS, min_size=12, max_size=40),
)
def test_no_key_survives_any_spelling(key, host_key):
    def parsed(global_key: str, entry_key: str) -> str:
        c = conf(f"ENCRYPT_KEY = {global_key}\nSYNC_HOSTS=(dc1 6677 {entry_key}) (dc2)\n")
        assert c.encrypt_key.length == len(global_key)
        return repr(c) + "".join(str(w) for w in c.warnings)

    text = parsed(key, host_key)
    assert key not in text and host_key not in text
    # Nothing of either key shows: keys with every letter and digit changed (same length,
    # same classes, same punctuation, so the same parse) give exactly the same output.
    assert parsed(_shifted(key), _shifted(host_key)) == text
