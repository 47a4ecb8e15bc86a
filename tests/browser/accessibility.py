"""Accessibility checks the browser test runs in the page: axe-core, and focus-ring contrast.

axe-core comes from npm (tests/browser/package.json, installed into the git-ignored
tests/browser/node_modules by `make test`, or here if missing). It is injected through
the DevTools protocol, which the pages' Content-Security-Policy does not govern: the
product never serves it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    """axe-core's script; installs the pinned version with npm if it is not there yet."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(
                "the browser test needs npm for axe-core: apt-get install npm (or make test)"
            )
        subprocess.run(
            [npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund", "--silent"], check=True
        )
    return AXE.read_text(encoding="utf-8")


def audit(page: Any, source: str) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (open shadow roots included)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source)
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => JSON.stringify(n.target)),
            }));
        }"""
    )


def assert_accessible(page: Any, source: str, where: str, also: tuple[str, ...] = ()) -> None:
    """No serious or critical violation, and none of the rules named in ``also`` at all."""
    found = audit(page, source)
    bad = [v for v in found if v["impact"] in BLOCKING or v["id"] in also]
    assert not bad, f"axe-core on {where}:\n" + "\n".join(
        f"  {v['impact']} {v['id']}: {v['help']} at {v['targets'][:3]}" for v in bad
    )


# The focused element's outline colour against the first opaque background behind it,
# walking out of shadow roots; WCAG's contrast ratio.
RING_CONTRAST = """(element) => {
    const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
        const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const style = getComputedStyle(element);
    let node = element.parentElement || element.getRootNode().host;
    let behind = [255, 255, 255];
    while (node) {
        const color = rgb(getComputedStyle(node).backgroundColor);
        if (color.length === 3 || (color.length === 4 && color[3] > 0.5)) { behind = color.slice(0, 3); break; }
        node = node.parentElement || node.getRootNode().host;
    }
    const ring = luminance(rgb(style.outlineColor).slice(0, 3));
    const back = luminance(behind);
    return {
        visible: element.matches(":focus-visible") && style.outlineStyle !== "none"
            && parseFloat(style.outlineWidth) >= 2,
        ratio: (Math.max(ring, back) + 0.05) / (Math.min(ring, back) + 0.05),
    };
}"""


def assert_focus_ring_contrast(page: Any, locator: Any, where: str) -> None:
    page.keyboard.press("Shift")  # the last input was the keyboard: focus shows its ring
    locator.focus()
    ring = locator.evaluate(RING_CONTRAST)
    assert ring["visible"], f"no visible focus ring on {where}"
    assert ring["ratio"] >= 3, f"focus ring on {where} has contrast {ring['ratio']:.2f}:1"
