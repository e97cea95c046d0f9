"""The collector: a POSIX sh script an admin runs as root on each UNIX host.

It packs sso.conf, passwd, shadow and the policy files into ``<hostname>.tar.gz``
after sanitising them in an awk pipeline: ENCRYPT_KEY values (global and inside
SYNC_HOSTS) become ``<redacted length=N classes=...>`` and every password hash becomes
a ``<status/scheme>`` token before anything is written, so no secret leaves the host.

sso.conf is read as :mod:`evtdiag.hosts.ssoconf` reads it, so a key cannot hide in a
layout one of them misses: lines ending in a backslash are joined, a UTF-16 file (with
its BOM) is decoded in awk from ``od`` output (no awk sees a NUL byte), comments are
dropped, any key that is not known to hold no secret has its value redacted, and a
line of no known form is removed. A passwd or shadow line whose name or field count is
wrong is removed whole (its hash may sit in any field), and so is an AIX
security/passwd line that is not a stanza header, ``password``, ``lastupdate`` or
``flags``. The script runs under any POSIX
sh, dash and busybox (tests/hosts/test_collector_shells.py runs all three).
The script is the file ``templates/collect-script.sh`` shipped as package data.

Its Windows counterpart, ``templates/collect-windows.ps1``, is a Windows PowerShell 5.1
script for each domain controller: read-only commands whose output files are named and
formatted as ``--windows`` reads them (:mod:`evtdiag.hosts.windows`), plus the PSync
events as ``.evtx``, zipped flat. It has not been run on Windows by the project: the
tests check its text and read files shaped as its commands write them.
"""

from __future__ import annotations

from importlib.resources import files

SCRIPT_NAME = "collect-script.sh"
WINDOWS_SCRIPT_NAME = "collect-windows.ps1"


def collect_script() -> str:
    """The collector script's text, from the ``evtdiag.templates`` package data."""
    return files("evtdiag.templates").joinpath(SCRIPT_NAME).read_text(encoding="utf-8")


def windows_collect_script() -> str:
    """The domain controller's PowerShell collector, from the same package data."""
    return files("evtdiag.templates").joinpath(WINDOWS_SCRIPT_NAME).read_text(encoding="utf-8")
