"""Headless Chromium for the browser tests and the README screenshot, driven by Playwright.

Playwright drives the system's Chromium (Debian's ``chromium`` package) through
``executable_path``: its own browser builds are never downloaded (no ``playwright
install``). :class:`Watch` records what a page must never do: log to the console, throw,
or request anything but itself.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = (
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def find_browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def launch(playwright: Playwright, executable: str) -> Browser:
    return playwright.chromium.launch(executable_path=executable, args=list(FLAGS))


@dataclass
class Watch:
    """Console messages, uncaught exceptions and requests of one page."""

    page: Page
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", self._request)

    def _console(self, message: ConsoleMessage) -> None:
        self.console.append(f"{message.type}: {message.text}")

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def trouble(self, url: str) -> dict[str, list[str]]:
        """Everything the page did that it must not: empty lists when it behaved."""
        return {
            "console": self.console,
            "errors": self.errors,
            "requests": [r for r in self.requests if r != url],
        }
