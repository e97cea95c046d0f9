"""The collector: a POSIX sh script an admin runs as root on each UNIX host.

It packs sso.conf, passwd, shadow and the policy files into ``<hostname>.tar.gz``
after sanitising them in an awk pipeline: ENCRYPT_KEY values (global and inside
SYNC_HOSTS) become ``<redacted length=N classes=...>`` and every password hash becomes
a ``<status/scheme>`` token before anything is written, so no secret leaves the host.
The script is the file ``templates/collect-script.sh`` shipped as package data.
"""

from __future__ import annotations

from importlib.resources import files

SCRIPT_NAME = "collect-script.sh"


def collect_script() -> str:
    """The collector script's text, from the ``evtdiag.templates`` package data."""
    return files("evtdiag.templates").joinpath(SCRIPT_NAME).read_text(encoding="utf-8")
