"""Render the sample pictures of docs/img/: one A4 page of cards and one sheet of stickers.

python -m tests.print_service.screenshots      # from the repository's root
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium

from idp.services.accounts import username_part
from print_service import Card, cards_a4_pdf, stickers_pdf
from tests.print_service.cards import make_card, seeded

ROOT = Path(__file__).resolve().parents[2]
DPI = 120
CLASS = (
    ("Şahin", "Yalçın", False), ("Wójcik", "Zofia", True), ("Nguyễn", "Thị Minh Anh", True),
    ("Müller", "Jürgen", False), ("Ñúñez", "Iñés", True), ("El Amrani", "Hilâl", True),
    ("Van den Bossche-Vandenberghe de Villers-Deschamps", "Maximiliaan Alexander Benedikt",
     True),
    ("Peeters", "Lotte", False),
    ("Claes", "Noor", True), ("Janssens", "Vic", True), ("Maes", "Lena", False),
    ("Jacobs", "Finn", True),
)  # fmt: skip


def sample_cards() -> list[Card]:
    """A first-grade class of the demo school, with the names of the issue."""
    rng = seeded(2026)
    cards = []
    for number, (last, first, pictures) in enumerate(CLASS):
        card = make_card(rng, number, pictures=pictures)
        username = f"{username_part(first.split()[0])}.{username_part(last.split()[-1])}"
        cards.append(
            replace(
                card,
                last_name=last,
                first_name=first,
                class_name="1A",
                school_name="Gemeentelijke Basisschool De Regenboog",
                username=username,
            )
        )
    return cards


def render(data: bytes, target: Path) -> None:
    pdf = pdfium.PdfDocument(data)
    pdf[0].render(scale=DPI / 72).to_pil().convert("RGB").save(target, optimize=True)
    pdf.close()


def main() -> None:
    folder = ROOT / "docs" / "img"
    folder.mkdir(parents=True, exist_ok=True)
    cards = sample_cards()
    render(cards_a4_pdf(cards), folder / "cards-a4.png")
    render(stickers_pdf(cards), folder / "stickers.png")
    print(f"wrote {folder / 'cards-a4.png'} and {folder / 'stickers.png'}")


if __name__ == "__main__":
    main()
