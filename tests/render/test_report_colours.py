"""The HTML report's colours, read from ``templates/report.css``: every status colour keeps
a contrast of at least 4.5:1 (WCAG 2 AA for body text) against the backgrounds it is drawn
on, in the light set and in the dark one (``prefers-color-scheme: dark``).

The ratios are computed here from the custom properties, so that a colour changed in the
CSS is checked without a browser; tests/render/test_browser.py measures the rendered page
(computed styles, and axe-core's colour-contrast rule) in both schemes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from evtdiag.render.html.templating import template_text

AA = 4.5
STATUSES = ("bad", "warn", "ok", "info")
SURFACES = ("bg", "card", "code-bg", "head-bg", "row-alt")
"""The page, a card, inline code, a table header and an even table row."""
TEXT = ("fg", "muted", "accent", *STATUSES)
CELLS = ("cell-bad", "cell-mixed", "cell-ok")
"""The matrix cells: their text on their own tint."""

_DECLARATION = re.compile(r"--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})\s*;")


def _block(css: str, opening: str) -> str:
    """The declarations of the ``html { ... }`` rule that follows ``opening``."""
    start = css.index("html {", css.index(opening)) + len("html {")
    return css[start : css.index("}", start)]


def _palette(block: str) -> dict[str, str]:
    return {name: value for name, value in _DECLARATION.findall(block)}


def palettes() -> dict[str, dict[str, str]]:
    css = template_text("report.css")
    light = _palette(_block(css, "html {"))
    dark = {**light, **_palette(_block(css, "prefers-color-scheme: dark"))}
    return {"light": light, "dark": dark}


def rgb(colour: str) -> tuple[int, int, int]:
    """A ``#rgb`` or ``#rrggbb`` colour's channels, 0 to 255."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    red, green, blue = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return red, green, blue


def luminance(channels: Sequence[float]) -> float:
    """WCAG 2 relative luminance of red, green and blue from 0 to 255."""
    r, g, b = (
        c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4
        for c in channels
    )
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: Sequence[float], other: Sequence[float]) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _ratio(palette: dict[str, str], text: str, surface: str) -> float:
    return contrast(rgb(palette[text]), rgb(palette[surface]))


def pairs(palette: dict[str, str]) -> dict[str, float]:
    """Every text colour on every surface, each status colour on its own tint and on the
    others' (a badge inside a verdict box), and the matrix cells."""
    out = {f"{t} on {s}": _ratio(palette, t, s) for t in TEXT for s in SURFACES}
    for status in STATUSES:
        for text in ("fg", "muted", "accent", status):
            out[f"{text} on {status}-bg"] = _ratio(palette, text, f"{status}-bg")
    for cell in CELLS:
        out[cell] = _ratio(palette, cell, f"{cell}-bg")
    return out


def test_contrast_helper_matches_wcag_reference_values() -> None:
    assert contrast(rgb("#000"), rgb("#fff")) == pytest.approx(21.0)
    assert contrast(rgb("#777777"), rgb("#ffffff")) == pytest.approx(4.48, abs=0.01)
    assert contrast(rgb("#fff"), rgb("#fff")) == pytest.approx(1.0)


def test_dark_set_redefines_every_colour() -> None:
    css = template_text("report.css")
    light = _palette(_block(css, "html {"))
    dark = _palette(_block(css, "prefers-color-scheme: dark"))
    assert light and set(dark) == set(light)
    assert all(dark[name] != light[name] for name in (*TEXT, *SURFACES))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_status_colours_keep_aa_contrast(scheme: str) -> None:
    ratios = pairs(palettes()[scheme])
    assert len(ratios) > 50
    low = {pair: round(ratio, 2) for pair, ratio in ratios.items() if ratio < AA}
    assert low == {}, f"{scheme}: below {AA}:1"
