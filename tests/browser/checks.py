"""Checks that every pupil-facing page passes in a real browser: accessibility (axe-core),
touch targets of at least 48×48 CSS px, no horizontal scroll at 320 px, and screenshots.

Use them on a Playwright page (see tests/browser/conftest.py for the fixtures):

    page.goto(live_leerid.url + "/login")
    axe(page)            # fixture: no serious or critical WCAG 2.0/2.1 A/AA violation
    touch_targets(page)  # every visible control at least 48×48 CSS px
    narrow(page)         # no horizontal scroll at 320 px
    screenshot(page, "login-nl")
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.conftest import TOOL_SETTINGS

TESTS = Path(__file__).resolve().parent.parent
SCREENSHOTS = TESTS / "artifacts" / "screenshots"
FAILURES = TESTS / "artifacts" / "failures"

# WCAG 2.0 and 2.1, levels A and AA: what the Flemish government's accessibility rules ask.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING_IMPACTS = ("serious", "critical")
# Android's and Material's minimum; WCAG 2.5.8 asks only 24 px, and young children miss.
TOUCH_TARGET = 48
NARROW_WIDTH = 320  # WCAG 1.4.10 Reflow: 1280 px at 400 % zoom
MIN_SPACING = 4  # CSS px between two targets: touching ones read as one

# A short, readable name for an element in failure messages.
_DESCRIBE = """
el => {
  const id = el.id ? '#' + el.id : '';
  const classes = [...el.classList].map(c => '.' + c).join('');
  const name = el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : '';
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
  const shown = text ? ` "${text.replace(/\\s+/g, ' ').slice(0, 40)}"` : '';
  return el.tagName.toLowerCase() + id + classes + name + shown;
}
"""

_TOUCH_TARGETS = f"""
minimum => {{
  const describe = {_DESCRIBE};
  const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[role=button], [role=link], [role=checkbox], [role=radio], [role=tab]';
  const isInline = el => getComputedStyle(el).display.startsWith('inline');
  const shown = el => {{
    const options = {{visibilityProperty: true, contentVisibilityAuto: true}};
    if (!el.checkVisibility(options)) return false;
    const box = el.getBoundingClientRect();
    // Zero-sized, or moved off the page until it gets focus (a skip link).
    return box.width > 0 && box.height > 0
      && box.right + window.scrollX > 0 && box.bottom + window.scrollY > 0;
  }};
  // WCAG 2.5.8's inline exception: a link in a sentence is as tall as the sentence's line.
  const inRunningText = el => {{
    if (el.tagName !== 'A') return false;
    let block = el.parentElement;
    while (block && isInline(block)) block = block.parentElement;
    if (!block) return false;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {{
      if (!node.textContent.trim()) continue;
      let parent = node.parentElement, sentence = true;
      for (; parent && parent !== block; parent = parent.parentElement) {{
        if (parent.matches(controls) || !isInline(parent)) {{ sentence = false; break; }}
      }}
      if (sentence) return true;
    }}
    return false;
  }};
  // A checkbox or radio button is usually hidden or small; its label is what one taps.
  const boxes = el => ['checkbox', 'radio'].includes(el.type) ? [el, ...el.labels] : [el];
  const offenders = [];
  for (const el of document.querySelectorAll(controls)) {{
    if (!shown(el) || inRunningText(el)) continue;
    const sizes = boxes(el).filter(shown).map(b => b.getBoundingClientRect());
    // Sub-pixel layout: 47.995 px is 48 px on screen.
    if (sizes.some(s => s.width >= minimum - 0.01 && s.height >= minimum - 0.01)) continue;
    const box = el.getBoundingClientRect();
    offenders.push(`${{describe(el)}}: ${{box.width.toFixed(1)}}×${{box.height.toFixed(1)}} px`);
  }}
  // Targets that touch are one target to a small finger: keep some space between them.
  const spaced = [...document.querySelectorAll(controls)]
    .filter(el => shown(el) && !inRunningText(el) && !['checkbox', 'radio'].includes(el.type));
  for (let i = 0; i < spaced.length; i++) {{
    for (let j = i + 1; j < spaced.length; j++) {{
      const [x, y] = [spaced[i], spaced[j]];
      const a = x.getBoundingClientRect(), b = y.getBoundingClientRect();
      const apart = Math.max(b.left - a.right, a.left - b.right, b.top - a.bottom,
                             a.top - b.bottom);
      if (apart < {MIN_SPACING} && !x.contains(y) && !y.contains(x))
        offenders.push(`${{describe(x)}} and ${{describe(y)}}: ${{apart.toFixed(1)}} px apart`);
    }}
  }}
  return offenders;
}}
"""

_OVERFLOW = f"""
width => {{
  const describe = {_DESCRIBE};
  // Inside a box that clips or scrolls, overflow does not widen the page.
  const contained = el => {{
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {{
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }}
    return false;
  }};
  const boxOut = el => el.getBoundingClientRect().right > width + 0.5;
  const contentOut = el => el.scrollWidth > el.clientWidth + 1
    && getComputedStyle(el).overflowX === 'visible';
  const candidates = [...document.body.querySelectorAll('*')].filter(el => !contained(el));
  // The outermost boxes that reach past the edge (a wide table, not each of its cells);
  // else the innermost elements whose content does (a long word in a paragraph).
  let culprits = candidates.filter(el => boxOut(el) && !boxOut(el.parentElement));
  if (!culprits.length) {{
    culprits = candidates.filter(el => contentOut(el)
      && ![...el.children].some(child => contentOut(child) || boxOut(child)));
  }}
  culprits = culprits
    .slice(0, 10)
    .map(el => {{
      const edge = el.getBoundingClientRect().right.toFixed(0);
      return `${{describe(el)}}: right edge at ${{edge}} px`;
    }});
  return {{scrollWidth: document.scrollingElement.scrollWidth, culprits}};
}}
"""


def touch_targets(page: Page, minimum: int = TOUCH_TARGET) -> None:
    """Assert that every visible control (link, button, field) is at least `minimum` px square
    and no two of them touch (at least MIN_SPACING px apart)."""
    # Controls: links, buttons, inputs, selects, text areas, summaries and control roles.
    # Excepted as in WCAG 2.5.8: a link in running text. A checkbox or radio button passes
    # when its label is big enough.
    offenders = page.evaluate(_TOUCH_TARGETS, minimum)
    assert not offenders, (
        f"touch targets smaller than {minimum}×{minimum} CSS px on {page.url}:\n  "
        + "\n  ".join(offenders)
    )


def narrow(page: Page, width: int = NARROW_WIDTH) -> None:
    """Assert no sideways scroll at a viewport `width` px wide (narrowed, then restored)."""
    before = page.viewport_size
    page.set_viewport_size({"width": width, "height": before["height"] if before else 640})
    try:
        result = page.evaluate(_OVERFLOW, width)
    finally:
        if before:
            page.set_viewport_size(before)
    assert result["scrollWidth"] <= width, (
        f"{page.url} scrolls sideways at {width} px: it is {result['scrollWidth']} px wide; "
        "sticking out:\n  " + "\n  ".join(result["culprits"])
    )


def screenshot_dir() -> Path:
    """Where `screenshot` saves: $LEERID_SCREENSHOT_DIR, else tests/artifacts/screenshots."""
    chosen = TOOL_SETTINGS.get("LEERID_SCREENSHOT_DIR")
    return Path(chosen) if chosen else SCREENSHOTS


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page as `<name>.png` in `screenshot_dir()`; returns its path."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise ValueError(f"screenshot name {name!r}: use lower-case letters, digits and -")
    path = screenshot_dir() / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=full_page, animations="disabled", caret="hide")
    return path


@dataclass(frozen=True)
class Axe:
    """axe-core, injected into a page to check it against WCAG 2.0/2.1 A and AA."""

    source: str

    def run(self, page: Page, options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """All of axe's violations on the page (WCAG 2.0/2.1 A and AA unless `options`)."""
        # Evaluated over the DevTools protocol, which the page's Content-Security-Policy does
        # not restrict, unlike a <script> element (add_script_tag): the page keeps its real
        # policy, so the tests still see what the policy would block.
        for frame in page.frames:
            if not frame.evaluate("typeof window.axe === 'object'"):
                frame.evaluate(self.source)
        chosen = options or {"runOnly": {"type": "tag", "values": list(WCAG_TAGS)}}
        violations: list[dict[str, Any]] = page.evaluate(
            "async options => (await axe.run(document, options)).violations",
            {**chosen, "resultTypes": ["violations"]},
        )
        return violations

    def __call__(self, page: Page) -> list[dict[str, Any]]:
        """Assert no serious or critical violation; returns the minor and moderate ones."""
        violations = self.run(page)
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe-core on {page.url}:\n" + "\n".join(map(_explain, blocking))
        return violations


def _explain(violation: dict[str, Any]) -> str:
    targets = "\n".join(
        f"      {' '.join(map(str, node['target']))}" for node in violation["nodes"]
    )
    return (
        f"  {violation['id']} ({violation['impact']}): {violation['help']}\n"
        f"    {violation['helpUrl']}\n{targets}"
    )
