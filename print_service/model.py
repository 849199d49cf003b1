"""What the print service takes: one `Card` per account, checked before anything is drawn.

The documents follow the school administrators' manual (`shared/seeds/003_*`, section 1
"Basis account of gevorderd account?" for what a card shows, sections 2 and 3 for the zip
of an Excel file, an A4 PDF and a sticker PDF). Callers pass plain data; a card that
cannot be printed raises `PrintError` naming the card and the field.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PICTURE_COUNT = 8
# Where a replacement card's password would be: the card, the sticker and the Excel row.
PASSWORD_KEPT = "blijft hetzelfde"  # noqa: S105 (printed words, not a secret)
MAX_NAME = 100  # last or first name; an 80-character name is printed whole
MAX_SCHOOL_NAME = 200  # as idp stores them
MAX_CLASS = 40  # administratieve groep, as idp stores it
MAX_USERNAME = 50  # the manual, section 3: "niet langer dan 50 karakters"
MAX_PASSWORD = 64
MAX_PICTURE_NAME = 30
MAX_URL = 100  # prints in 5 lines under its code; real card URLs have about 60
MAX_SERIAL = 20
MAX_STAMNUMMER = 30
SCHOOL_NUMBER = re.compile(r"[A-Za-z0-9]{1,20}")
_URL = re.compile(r"https?://[!-~]+")
# C0 and C1 control characters: never printable, and openpyxl refuses most of them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class PrintError(ValueError):
    """Cards that cannot be printed; the message names the card and the field."""


@dataclass(frozen=True)
class CardPicture:
    """One picture of a picture password: its Dutch name and its Twemoji SVG file."""

    name: str
    svg: Path


@dataclass(frozen=True)
class Card:
    """What one pupil's card, sticker and Excel row show (manual, section 1).

    The password is `password` (text) or `pictures` (8, in order); a replacement card for
    a lost one, whose password stays as it was, has neither and `password_kept` set: it
    says in words that the password is unchanged (PASSWORD_KEPT).
    """

    school_number: str
    school_name: str
    stamnummer: str
    last_name: str
    first_name: str
    class_name: str
    username: str
    password: str | None
    pictures: tuple[CardPicture, ...]
    card_url: str
    card_serial: str
    issued_on: dt.date
    password_kept: bool = False

    @property
    def full_name(self) -> str:
        """First name then last name, as a pupil writes it ("Yalçın Şahin")."""
        return " ".join(part for part in (clean(self.first_name), clean(self.last_name)) if part)


@functools.lru_cache(maxsize=65536)  # each card's fields are cleaned on every document
def clean(text: str) -> str:
    """`text` in composed form (NFC) with tabs and newlines as spaces, other controls removed.

    Composed form matters: a name typed as "e" plus combining marks would otherwise be
    drawn as separate glyphs.
    """
    text = re.sub(r"[\t\n\r\v\f]+", " ", text)
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


def validate_cards(cards: Iterable[Card]) -> tuple[Card, ...]:
    """The cards as a tuple, or PrintError for an empty list or the first malformed card."""
    if isinstance(cards, str | bytes) or not isinstance(cards, Iterable):
        raise PrintError("cards must be a list of Card objects")
    checked = tuple(cards)
    if not checked:
        raise PrintError("no cards to print: the list of cards is empty")
    files: set[Path] = set()  # pictures found so far: 16,000 pictures, 96 files
    for index, card in enumerate(checked, start=1):
        if not isinstance(card, Card):
            raise PrintError(f"card {index}: expected a Card, got {type(card).__name__}")
        problem = _card_problem(card, files)
        if problem:
            raise PrintError(f"card {index} (username {card.username!r}): {problem}")
    return checked


def _text_problem(name: str, value: object, limit: int, *, required: bool) -> str | None:
    if not isinstance(value, str):
        return f"{name} must be text, got {type(value).__name__}"
    if required and not clean(value):
        return f"{name} is empty"
    if len(value) > limit:
        return f"{name} is longer than {limit} characters"
    return None


def _card_problem(card: Card, files: set[Path]) -> str | None:
    if not isinstance(card.school_number, str) or not SCHOOL_NUMBER.fullmatch(card.school_number):
        return "school_number must be 1 to 20 letters or digits"
    problems = (
        _text_problem("school_name", card.school_name, MAX_SCHOOL_NAME, required=False),
        _text_problem("stamnummer", card.stamnummer, MAX_STAMNUMMER, required=True),
        _text_problem("last_name", card.last_name, MAX_NAME, required=False),
        _text_problem("first_name", card.first_name, MAX_NAME, required=False),
        _text_problem("class_name", card.class_name, MAX_CLASS, required=False),
        _text_problem("username", card.username, MAX_USERNAME, required=True),
        _text_problem("card_serial", card.card_serial, MAX_SERIAL, required=True),
    )
    for problem in problems:
        if problem:
            return problem
    if not card.full_name:
        return "both last_name and first_name are empty"
    if not isinstance(card.card_url, str) or not _URL.fullmatch(card.card_url):
        return "card_url must be an http(s) URL of printable ASCII without spaces"
    if len(card.card_url) > MAX_URL:
        return f"card_url is longer than {MAX_URL} characters"
    if not isinstance(card.issued_on, dt.date) or isinstance(card.issued_on, dt.datetime):
        return "issued_on must be a datetime.date"
    return _password_problem(card, files)


def _password_problem(card: Card, files: set[Path]) -> str | None:
    if not isinstance(card.pictures, tuple):
        return "pictures must be a tuple"
    if card.password_kept is not False:
        if card.password_kept is not True:
            return "password_kept must be a bool"
        if card.password is not None or card.pictures:
            return "a card whose password is kept shows no password and no pictures"
        return None
    if card.password is not None:
        if card.pictures:
            return "a card has either a text password or pictures, not both"
        return _text_problem("password", card.password, MAX_PASSWORD, required=True)
    if len(card.pictures) != PICTURE_COUNT:
        return f"a picture password needs {PICTURE_COUNT} pictures, got {len(card.pictures)}"
    for position, picture in enumerate(card.pictures, start=1):
        if not isinstance(picture, CardPicture):
            return f"picture {position} is not a CardPicture"
        problem = _text_problem("picture name", picture.name, MAX_PICTURE_NAME, required=True)
        if problem:
            return f"picture {position}: {problem}"
        if not isinstance(picture.svg, Path) or picture.svg.suffix.lower() != ".svg":
            return f"picture {position}: svg must be the Path of an .svg file"
        if picture.svg not in files:
            if not picture.svg.is_file():
                return f"picture {position}: no such file {picture.svg}"
            files.add(picture.svg)
    return None


def _fold(text: str) -> str:
    """Text for sorting: accents removed and case folded, so "Şahin" sorts with "Sahin"."""
    decomposed = unicodedata.normalize("NFKD", clean(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _class_key(class_name: str) -> tuple[object, ...]:
    """Classes in natural order ("2A" before "10A"); cards without a class come last."""
    folded = _fold(class_name)
    parts = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", folded)
        if part
    )
    return (1 if not folded else 0, parts)


def sort_key(card: Card) -> tuple[object, ...]:
    """The order of every document: class, then last name, then first name."""
    return (
        _class_key(card.class_name),
        _fold(card.last_name),
        _fold(card.first_name),
        _fold(card.username),
    )


def sorted_cards(cards: Iterable[Card]) -> list[Card]:
    """The cards in print order (`sort_key`)."""
    return sorted(cards, key=sort_key)


def format_date(day: dt.date) -> str:
    """A date as Flemish documents print it: dd/mm/yyyy."""
    return day.strftime("%d/%m/%Y")
