"""Line edits of a host's collected configuration files, as a diff and as a command.

A fix changes one line at a time. Where the line can be quoted (it holds no key and no
comment: :attr:`~evtdiag.hosts.model.SsoSetting.verbatim`), the change is a unified diff
of the collected file, which ``patch -p1`` applies in the host's folder and on the host.
Every edit is also a POSIX ``sed`` command by line number, which never quotes the line:
that is the only form for a line that holds a key.
"""

from __future__ import annotations

import shlex
from dataclasses import replace

from evtdiag.diagnose.model import LineEdit
from evtdiag.hosts._text import excerpt
from evtdiag.hosts.model import HostConfig, SsoSetting


def host_path(host: HostConfig, name: str) -> str:
    """The path of the expected file ``name`` inside the host's folder as collected:
    ``sso.conf``, or ``etc/sso.conf`` when the copy keeps the ``etc`` folder."""
    status = host.file(name)
    path = (status.path or "") if status else ""
    return f"etc/{name}" if path.replace("\\", "/").endswith(f"/etc/{name}") else name


def on_host(path: str) -> str:
    """Where a collected file lives on the host: its folder path under ``/``, and files
    collected at the folder's top under ``/etc`` (sso.conf, passwd, shadow, AIX's
    security/ files) [INF: Microsoft documents /etc/passwd, /etc/shadow and
    /etc/security/passwd; sso.conf's place is where the collector found it]."""
    return f"/{path}" if path.startswith("etc/") else f"/etc/{path}"


def replace_line(host: HostConfig, setting: SsoSetting, after: str) -> LineEdit:
    """Make the line of ``setting`` read ``after``."""
    text = after.replace("\\", "\\\\")  # the text of sed's c command keeps no lone backslash
    return _edit(host, setting, after, f"{setting.place.line}c\\\n{text}{_cr(host)}")


LONGEST_QUOTED = 1_000
"""A longer line is never quoted in a fix: a diff would copy it twice into every problem
it explains (a SYNC_USERS line of thousands of names). Such a line is changed by a
substitution of the part that changes, and shown in part."""


def remove_from_line(host: HostConfig, setting: SsoSetting, part: str) -> LineEdit:
    """Remove the first ``part`` (an entry with its separator) from the line of
    ``setting``, by a substitution that quotes only ``part``."""
    full = setting.verbatim if setting.verbatim is not None else setting.line
    at = full.find(part)
    after = full[:at] + full[at + len(part) :] if at >= 0 else full
    edit = _edit(host, setting, after, f"{setting.place.line}s/{_bre(part)}//")
    if len(full) <= LONGEST_QUOTED:
        return edit
    return replace(edit, before=None, after=excerpt(after, max(at, 0)))


def append_to_line(host: HostConfig, setting: SsoSetting, addition: str) -> LineEdit:
    """Add ``addition`` at the end of the line of ``setting``, without quoting the line
    (it may hold a key): the diff shows the whole line only when it can be quoted."""
    line = setting.place.line
    after = (
        f"{setting.verbatim}{addition}"
        if setting.verbatim is not None
        else (f"{setting.text}{addition}")
    )
    cr = _cr(host)
    edit = _edit(host, setting, after, f"{line}s/{cr}$/{_sed_text(addition)}{cr}/")
    if len(after) <= LONGEST_QUOTED:
        return edit
    return replace(edit, before=None, after=excerpt(after, len(after)))


def _edit(host: HostConfig, setting: SsoSetting, after: str, sed_script: str) -> LineEdit:
    path = host_path(host, "sso.conf")
    target = shlex.quote(on_host(path))
    backup = shlex.quote(on_host(path) + ".before-fix")
    command = f"cp -p {target} {backup} && sed {_sh_word(sed_script)} {backup} > {target}"
    return LineEdit(
        file=setting.place.file,
        path=path,
        line=setting.place.line or 0,
        before=setting.verbatim,
        after=after,
        command=command,
        line_end=host.sso.line_end if host.sso and host.sso.line_end else "\n",
    )


def _cr(host: HostConfig) -> str:
    """A carriage return where the file ends its lines with CRLF: sed must keep it."""
    return "\r" if host.sso and host.sso.line_end == "\r\n" else ""


def _sh_word(text: str) -> str:
    """``text`` as one shell word, each carriage return written ``$(printf '\\r')`` so
    that the command reads (and copies) as plain text."""
    return "\"$(printf '\\r')\"".join(shlex.quote(part) for part in text.split("\r"))


def _bre(text: str) -> str:
    """``text`` as a basic regular expression that matches it literally."""
    return "".join(f"\\{c}" if c in "\\.[]*^$/" else c for c in text)


def _sed_text(text: str) -> str:
    """``text`` as the replacement of a ``s///`` command: ``\\``, ``&`` and ``/`` escaped."""
    return text.replace("\\", "\\\\").replace("&", "\\&").replace("/", "\\/")
