"""The jinja2 environment of evtdiag's pages, its filters, and their Content-Security-Policy.

Safety: autoescaping is on and undefined names fail the render; every string from an
input also goes through :func:`~evtdiag.render.terminal.printable` (the ``|p`` filter:
control and bidi-override characters shown as escapes). A page loads nothing: its
policy forbids every network load, and its inline style and script are allowed by their
SHA-256 alone.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from typing import Any

import jinja2

from evtdiag.render.html.template_cache import bytecode_cache
from evtdiag.render.terminal import printable

_TEMPLATE_PACKAGE = "evtdiag.templates"


def template_text(name: str) -> str:
    """A file of ``templates/`` (shipped as the package ``evtdiag.templates``)."""
    return resources.files(_TEMPLATE_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """The CSP source that allows exactly this inline style or script."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def content_security_policy(style: str, script: str | None = None) -> str:
    """A page's policy: nothing loaded, nothing posted; only this inline ``style`` (and
    ``script``, when the page has one) run, allowed by their hashes."""
    scripts = f"script-src '{csp_hash(script)}'; img-src data:; " if script is not None else ""
    return (
        f"default-src 'none'; style-src '{csp_hash(style)}'; {scripts}"
        "base-uri 'none'; form-action 'none'"
    )


_OPTIONS: dict[str, Any] = {
    "autoescape": True,
    "undefined": jinja2.StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
}


def environment() -> jinja2.Environment:
    """The pages' jinja2 environment. A template is compiled once per install: the
    compiled code is kept in the user's cache folder (:mod:`.template_cache`), and
    without a usable folder every run compiles it, giving the same page."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(template_text),
        bytecode_cache=bytecode_cache(_OPTIONS),
        **_OPTIONS,
    )
    env.filters["p"] = lambda value: printable(str(value)) if value is not None else ""
    env.filters["num"] = lambda value: f"{value:,}" if isinstance(value, int) else value
    env.filters["safe_url"] = _safe_url
    return env


def _safe_url(url: Any) -> str | None:
    """Only plain https links to documentation are made clickable."""
    if isinstance(url, str) and url.startswith("https://") and not any(c in url for c in "\"'<> "):
        return url
    return None
