"""The picture grid as a child sees it: no picture looks chosen or hinted before it is
tapped, the keyboard's focus is plainly visible, and every picture's name stays whole on a
phone, in Dutch and in English."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from idp.credentials.pictures import CATEGORIES, PICTURES
from idp.models import CredentialType
from tests.browser.conftest import DEFAULT_CONTEXT
from tests.conftest import Pupil
from tests.live import Live

# What a sighted child could see on a button: its frame, ring, shadow and colours.
_LOOK = """
el => {
  const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor,
          s.borderWidth, s.backgroundColor].join(' | ');
}
"""
_RING = """
el => {
  const s = getComputedStyle(el);
  return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor,
          shadow: s.boxShadow};
}
"""
_DOT_NOW = "() => getComputedStyle(document.querySelector('.dots li.now')).boxShadow"


def _pictures(page: Page):
    return page.locator("button.picture")


def _heading(page: Page, step: int):
    expect(page.get_by_role("heading", level=2)).to_contain_text(f"Afbeelding {step} van 8")


def _assert_nothing_looks_chosen(page: Page) -> None:
    pictures = _pictures(page)
    expect(pictures).to_have_count(12)
    looks = [pictures.nth(i).evaluate(_LOOK) for i in range(12)]
    assert len(set(looks)) == 1, "a picture looks different before it is tapped:\n" + "\n".join(
        f"  {label}: {look}" for label, look in zip(pictures.all_inner_texts(), looks, strict=True)
    )


@pytest.mark.parametrize("how", ["mouse", "touch"])
def test_after_a_tap_no_picture_on_the_next_page_looks_chosen(
    how, new_page: Callable[..., Page], live_leerid: Live, new_pupil: Callable[..., Pupil]
):
    pupil = new_pupil(CredentialType.PICTURE)
    page = new_page(has_touch=True) if how == "touch" else new_page()
    page.goto(live_leerid.url + pupil.card_path)
    _heading(page, 1)
    _assert_nothing_looks_chosen(page)
    for step, picture_id in enumerate(pupil.pictures[:3], 1):
        button = page.get_by_role("button", name=PICTURES[picture_id].dutch, exact=True)
        button.tap() if how == "touch" else button.click()
        _heading(page, step + 1)
        # No picture stands out from the others, and nothing on the new page has the focus.
        _assert_nothing_looks_chosen(page)
        assert page.evaluate("document.activeElement === document.body")
    # Undoing a pick does not hint at a picture either.
    undo = page.get_by_role("button", name="Laatste afbeelding wissen")
    undo.tap() if how == "touch" else undo.click()
    _heading(page, 3)
    _assert_nothing_looks_chosen(page)


def test_the_keyboards_focus_is_visible_and_unlike_the_step_dot(
    page: Page, live_leerid: Live, new_pupil: Callable[..., Pupil]
):
    pupil = new_pupil(CredentialType.PICTURE)
    page.goto(live_leerid.url + pupil.card_path)
    _heading(page, 1)
    dot = page.evaluate(_DOT_NOW)
    plain = _pictures(page).nth(1).evaluate(_RING)
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('picture')"):
            break
    else:
        raise AssertionError("Tab never reached a picture")
    ring = page.evaluate(f"({_RING})(document.activeElement)")
    assert ring["style"] != "none" and ring["width"] >= 3, ring
    assert ring != plain
    # Not the amber of the current step's dot: the focus is not a hint.
    assert ring["color"] not in dot and "242, 169, 0" not in ring["color"], (ring, dot)

    # A pupil who picks with the keyboard finds the focus on the next page's first picture,
    # visibly so.
    page.keyboard.press("Enter")
    _heading(page, 2)
    first = _pictures(page).first
    expect(first).to_be_focused()
    assert first.evaluate(_RING) == ring
    assert _pictures(page).nth(1).evaluate(_RING) == plain


# Each word of each label on one line, and no label wider than its button.
_BROKEN_LABELS = """
() => {
  const broken = [];
  for (const label of document.querySelectorAll('button.picture span')) {
    const text = label.firstChild;
    if (label.scrollWidth > label.clientWidth + 1
        || label.getBoundingClientRect().right > label.parentElement.getBoundingClientRect().right)
      broken.push(`${label.textContent}: wider than its button`);
    for (const match of text.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(text, match.index);
      range.setEnd(text, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size !== 1) broken.push(`"${match[0]}" on ${lines.size} lines`);
    }
  }
  return broken;
}
"""

LANGUAGES = {
    "nl": ("nl-BE", "Afbeelding", lambda picture: picture.dutch),
    "en": ("en-GB", "Picture", lambda picture: picture.english),
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_picture_name_stays_whole_on_a_phone(
    language,
    new_page: Callable[..., Page],
    live_leerid: Live,
    new_pupil: Callable[..., Pupil],
    check_page,
):
    locale, word, name = LANGUAGES[language]
    pupil = new_pupil(CredentialType.PICTURE)
    page = new_page(**{**DEFAULT_CONTEXT, "locale": locale})
    page.goto(live_leerid.url + pupil.card_path)
    seen: set[str] = set()
    for step, category in enumerate(CATEGORIES, 1):
        expect(page.get_by_role("heading", level=2)).to_contain_text(f"{word} {step} ")
        for width, height in ((320, 640), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            broken = page.evaluate(_BROKEN_LABELS)
            assert not broken, f"at {width} px in {language}: " + "; ".join(broken)
        labels = _pictures(page).all_inner_texts()
        assert sorted(labels) == sorted(name(p) for p in category.pictures)
        seen.update(labels)
        if step in (1, len(CATEGORIES)):
            check_page(page)
        if step < len(CATEGORIES):
            _pictures(page).first.click()
    assert seen == {name(p) for p in PICTURES.values()}
