"""Text fitting: shrink first, then wrap; never wider than the box."""

from __future__ import annotations

import pytest

from print_service.fonts import MONO, MONO_BOLD, SANS, SANS_BOLD, register_fonts, width
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


def test_urls_break_after_a_slash_or_a_hyphen_and_no_line_starts_with_a_hyphen():
    url = "https://leerid.example.be/k/ab-cdefghijklmnopqrstuvw"
    block = fit(url, MONO, 70, 6.5, 4.5, max_lines=4, break_anywhere=True)
    assert "".join(block.lines) == url
    assert block.lines[0].endswith((".", "/"))
    assert not any(line.startswith("-") for line in block.lines)


@pytest.mark.parametrize("groups_per_line", [1, 2, 3])
def test_a_card_token_breaks_after_the_hyphen_between_whole_groups(groups_per_line):
    # The reviewer's render: "8e44-8vkt" then "-qp4e-t4gp", a line that starts with a hyphen.
    token = "8e44-8vkt-qp4e-t4gp"
    box = width("abcd-" * groups_per_line, MONO_BOLD, 12) + 0.5
    block = fit(token, MONO_BOLD, box, 12, 11, max_lines=4, break_anywhere=True)
    groups = token.split("-")
    expected = ["-".join(groups[i : i + groups_per_line]) for i in range(0, 4, groups_per_line)]
    assert block.lines == tuple(f"{line}-" for line in expected[:-1]) + (expected[-1],)
    assert block.size == 12


def test_the_fewest_lines_come_before_the_largest_size():
    site = "https://leerid.example.be/k/"
    box = width("https://leerid.", MONO, 8)
    assert fit(site, MONO, box, 8.5, 6, 3, break_anywhere=True).lines == (
        "https://", "leerid.", "example.be/k/",
    )  # fmt: skip
    fewest = fit(site, MONO, box, 8.5, 6, 3, break_anywhere=True, fewest_lines=True)
    assert fewest.lines == ("https://leerid.", "example.be/k/") and fewest.size == 8


@pytest.mark.parametrize("seed", range(20))
def test_no_line_starts_with_a_hyphen(seed):
    rng = seeded(seed)
    text = "".join(rng.choice("abcd-/.") for _ in range(rng.randrange(2, 80))).strip("-")
    block = fit(f"x{text}", MONO_BOLD, rng.uniform(15, 120), 12, 5, max_lines=3,
                break_anywhere=True)  # fmt: skip
    assert "".join(block.lines) == f"x{text}"
    assert not any(line.startswith("-") for line in block.lines), block.lines


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
