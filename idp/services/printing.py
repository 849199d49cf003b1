"""The credential documents of newly created accounts, built by print_service.

Plain passwords and card tokens exist only while accounts are created (they are stored
hashed), so the documents are built then, from the `NewAccount`s of that run: the manual's
"Bewaren én afdrukken" (sections 2 and 3) gives the zip of an Excel list, an A4 PDF and a
sticker PDF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import print_service
from print_service import Card, CardPicture, PrintError

from ..credentials.pictures import Picture
from ..i18n import TIMEZONE
from ..models import Enrollment, School
from .cards import IssuedCard

if TYPE_CHECKING:  # accounts builds the cards, so it imports this module
    from .accounts import CreatedAccount

STATIC = Path(__file__).resolve().parent.parent / "static"

__all__ = ["PrintError", "credential_bundle", "printed_card", "school_day"]


def school_day(moment: dt.datetime | None = None) -> dt.date:
    """The date in Belgium at `moment` (aware; default: now), as documents print it."""
    return (moment or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(TIMEZONE)).date()


def card_picture(picture: Picture) -> CardPicture:
    """A picture of a picture password as the print service draws it: Dutch name, SVG."""
    return CardPicture(name=picture.dutch, svg=STATIC / picture.static_path)


def printed_card(
    school: School,
    enrollment: Enrollment,
    created: CreatedAccount,
    card: IssuedCard,
    *,
    password_kept: bool = False,
) -> Card:
    """What one pupil's card, sticker and Excel row show, from a just-created account.

    `enrollment` is the pupil's enrollment at `school` (its person loaded); the card's
    date is the day it was issued in Belgium. With `password_kept` (a new card for a lost
    one), the card shows no password: it says the password stays as it was.
    """
    account = created.account
    issued = account.card_issued_at
    return Card(
        school_number=school.instellingsnummer,
        school_name=school.name,
        stamnummer=enrollment.stamnummer,
        last_name=enrollment.person.last_name,
        first_name=enrollment.person.first_name,
        class_name=enrollment.administrative_group,
        username=account.username,
        password=None if created.pictures or password_kept else created.password,
        pictures=tuple(card_picture(p) for p in created.pictures),
        card_url=card.url,
        card_serial=card.serial,
        issued_on=school_day(issued),
        password_kept=password_kept,
    )


def credential_bundle(cards: Sequence[Card], day: dt.date) -> bytes:
    """The zip a school downloads for `cards` (all of one school) created on `day`; its
    name is `bundle_name(school number, day)`.

    Raises PrintError for an empty list or a card it cannot print.
    """
    if not cards:
        raise PrintError("no accounts were created, so there is nothing to print")
    # Through the package, which loads the renderers only now (print_service/__init__.py).
    return print_service.bundle_zip(cards, cards[0].school_number, day)
