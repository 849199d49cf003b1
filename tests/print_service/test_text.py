"""Text fitting: shrink first, then wrap; never wider than the box."""

from __future__ import annotations

import pytest

from print_service.fonts import MONO, SANS, SANS_BOLD, register_fonts, width
from print_service.text import fit
from tests.print_service.cards import seeded


@pytest.fixture(autouse=True, scope="module")
def fonts() -> None:
    register_fonts()


def test_short_text_keeps_its_largest_size():
    block = fit("Lotte Peeters", SANS_BOLD, 200, 13, 7)
    assert block.lines == ("Lotte Peeters",) and block.size == 13


def test_longer_text_shrinks_before_it_wraps():
    text = "Maximiliaan Alexander Van den Bossche"
    one_line = fit(text, SANS_BOLD, 200, 13, 7, max_lines=2)
    assert len(one_line.lines) == 1 and 7 <= one_line.size < 13
    assert width(text, SANS_BOLD, one_line.size) <= 200


def test_text_too_long_for_one_line_wraps_at_words_and_hyphens():
    text = "Maximiliaan Alexander Benedikt Van den Bossche-Vandenberghe de Villers-Deschamps"
    block = fit(text, SANS_BOLD, 200, 13, 7, max_lines=2)
    assert len(block.lines) == 2 and block.size >= 7
    assert "".join(block.lines).replace(" ", "") == text.replace(" ", "")


def test_urls_break_after_a_slash_and_never_after_a_hyphen():
    url = "https://leerid.example.be/k/ab-cdefghijklmnopqrstuvw"
    block = fit(url, MONO, 70, 6.5, 4.5, max_lines=4, break_anywhere=True)
    assert "".join(block.lines) == url
    assert block.lines[0].endswith((".", "/")) and not any(
        line.endswith("-") for line in block.lines[:-1]
    )


@pytest.mark.parametrize("seed", range(20))
def test_no_line_is_ever_wider_than_its_box(seed):
    rng = seeded(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyzWMÇŞÑẪ-. /"
    text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 200)))
    box = rng.uniform(20, 300)
    for font in (SANS, SANS_BOLD, MONO):
        block = fit(text, font, box, 12, 5, max_lines=rng.randrange(1, 4),
                    break_anywhere=rng.random() < 0.5)  # fmt: skip
        assert all(width(line, font, block.size) <= box + 1e-6 for line in block.lines)
