"""The page checks themselves: each catches what it is for and lets the exceptions pass."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.checks import Axe, narrow, screenshot, touch_targets
from tests.conftest import TOOL_SETTINGS
from tests.live import Live

STYLE = "body { margin: 0; font: 16px/1.5 sans-serif } .big { min-width: 48px; min-height: 48px }"


def show(page: Page, body: str) -> None:
    """Put `body` into a minimal, otherwise accessible page."""
    page.set_content(
        f"<!doctype html><html lang='nl-BE'><head><title>Proef</title><style>{STYLE}</style>"
        f"</head><body><main><h1>Proef</h1>{body}</main></body></html>"
    )


def test_touch_targets_reports_small_controls_but_not_links_in_a_sentence(page):
    show(
        page,
        "<p>Lees <a href='/regels'>de regels</a> eerst.</p>"
        "<p><a class='big' href='/verder' style='display:inline-block'>Verder</a></p>"
        "<label class='big' style='display:block'>"
        "<input type='checkbox' name='onthoud'> Onthoud mij</label>"
        "<p><button class='big'>Groot</button></p><p><button id='klein'>x</button></p>"
        "<input type='hidden' name='csrf'><p><a href='/alleen'>Alleen</a></p>",
    )
    with pytest.raises(AssertionError) as failure:
        touch_targets(page)
    message = str(failure.value)
    assert 'button#klein "x"' in message and 'a "Alleen"' in message
    for passing in ("regels", "Verder", "onthoud", "Groot", "csrf"):
        assert passing not in message, message


def test_touch_targets_reports_targets_that_touch(page):
    show(page, "<p><button class='big'>Ja</button><button class='big'>Nee</button></p>")
    with pytest.raises(AssertionError, match=r'"Ja" and button.big "Nee": 0.0 px apart'):
        touch_targets(page)
    show(page, "<p><button class='big'>Ja</button> <button class='big'>Nee</button></p>")
    touch_targets(page)  # a space between them is enough


def test_narrow_reports_what_sticks_out_and_restores_the_viewport(page):
    show(page, "<p>Past.</p>")
    narrow(page)
    show(page, "<pre id='breed'>" + "x" * 80 + "</pre>")
    with pytest.raises(AssertionError, match=r"pre#breed"):
        narrow(page)
    assert page.viewport_size == {"width": 1024, "height": 768}


def test_axe_reports_serious_violations_with_rule_help_and_selector(page, axe: Axe):
    show(page, "<p><button class='big'>Goed</button></p>")
    assert axe(page) == []
    show(page, "<form><input id='naamloos' type='text'></form>")
    with pytest.raises(AssertionError) as failure:
        axe(page)
    message = str(failure.value)
    assert "label (critical): Form elements must have labels" in message
    assert "#naamloos" in message


def test_a_script_the_policy_blocks_is_a_problem(page, live_leerid: Live, browser_problems):
    page.goto(live_leerid.url + "/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )
    assert page.evaluate("window.ran") is None
    assert any("Content Security Policy" in problem for problem in browser_problems)
    browser_problems.clear()


def test_screenshot_goes_to_the_chosen_directory(page, tmp_path, monkeypatch):
    monkeypatch.setitem(TOOL_SETTINGS, "LEERID_SCREENSHOT_DIR", str(tmp_path / "shots"))
    show(page, "<p>Foto.</p>")
    path = screenshot(page, "proef")
    assert path == tmp_path / "shots" / "proef.png"
    assert path.read_bytes().startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="lower-case"):
        screenshot(page, "../Proef")
