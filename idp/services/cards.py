"""QR cards: a random, revocable token that opens the pupil's own login page.

The card's QR code and URL hold `{issuer}/k/{token}`, a token a child can copy from paper:
16 lower-case letters and digits without look-alikes in groups of 4 ("k7re-9xhm-4abc-def2"),
about 79 random bits (docs/security.md, "A card alone never signs in"). It is stored only
as a SHA-256 hash, so the database cannot print a card again and a found card never holds
the password. Cards printed before this form (22 URL-safe base64 characters) keep working.
Issuing a card replaces the hash, which revokes the previous card. The card also carries a
serial ("K7RE-9XHM") that is no secret: a school reads it off a found card to look up the
pupil and issue a new card.

Validity follows the school year: a card works until 1 October after the end of the school
year it was printed for, so last year's cards keep working while schools print new ones in
September. Cards printed from July on are for the coming school year.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Callable
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from print_service.model import MAX_URL

from ..config import ConfigError
from ..hashing import secret_hash
from ..models import Account, AccountStatus
from ..models.base import utcnow
from .admins import Actor, record_event
from .enrollments import active_enrollment

log = logging.getLogger(__name__)

CARD_PATH = "/k/"
# A card's token: no 0/o, 1/i/l, so that a child copies it right from paper; typed in
# capitals, with or without the dashes, it is the same token. 31 symbols ** 16 ≈ 2**79.3.
CARD_TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet
CARD_TOKEN_GROUPS = 4
CARD_TOKEN_GROUP = 4
# No look-alikes on a printed card: no 0/O/Q/D, 1/I/L, 2/Z, 5/S or B. 24 symbols, 8 of them
# give 24**8 ≈ 1.1·10^11 serials, so a collision needs a retry about once in 100,000 cards
# at a million cards issued.
SERIAL_ALPHABET = "346789ACEFGHJKMNPRTUVWXY"
SERIAL_GROUP = 4
SERIAL_ATTEMPTS = 10
NEXT_YEAR_CARDS_FROM = 7  # July: cards printed in the summer are for the coming year
GRACE_UNTIL = 10  # 1 October: last year's cards still work while new ones are printed
_TOKEN = re.compile(f"[{CARD_TOKEN_ALPHABET}]{{{CARD_TOKEN_GROUPS * CARD_TOKEN_GROUP}}}")
# Cards printed before: token_urlsafe(16), 22 characters (up to 86 were accepted).
_OLD_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,86}")
_SYMBOL = f"[{CARD_TOKEN_ALPHABET}]{{{CARD_TOKEN_GROUP}}}"
# What a card's QR code holds after CARD_PATH: a token as printed, or an old card's. The
# syntax is shared by Python and JavaScript: the sign-in page's scanner gets it from here.
SCANNED_TOKEN = re.compile(
    f"{_SYMBOL}(?:-{_SYMBOL}){{{CARD_TOKEN_GROUPS - 1}}}|{_OLD_TOKEN.pattern}"
)


class CardError(RuntimeError):
    """A card cannot be issued; the message says why."""


class IssuedCard(NamedTuple):
    """What is printed on a new card: the URL behind the QR code, and the serial."""

    url: str
    serial: str


def card_url(token: str, issuer: str | None = None) -> str:
    """The URL a card's QR code holds: the issuer, `/k/` and the token in its printed form."""
    base = issuer if issuer is not None else current_app.config["LEERID"]["server"]["issuer"]
    return f"{base.rstrip('/')}{CARD_PATH}{printed_token(token)}"


def check_printable(issuer: str) -> None:
    """Raise ConfigError when a card's URL under `issuer` would be longer than a card
    prints (print_service's MAX_URL characters): found at start-up, not as a failed
    print run on the first school day."""
    longest = card_url(CARD_TOKEN_ALPHABET[0] * CARD_TOKEN_GROUPS * CARD_TOKEN_GROUP, issuer)
    if len(longest) > MAX_URL:
        fits = MAX_URL - (len(longest) - len(issuer.rstrip("/")))
        raise ConfigError(
            f"server.issuer is too long to print on the pupils' cards: at most {fits} "
            f"characters, it has {len(issuer.rstrip('/'))}"
        )


def new_card_token(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """A new card token in its compact form (16 symbols of CARD_TOKEN_ALPHABET).

    `randbelow` is the operating system's CSPRNG, or the demo's reproducible draws.
    """
    size = len(CARD_TOKEN_ALPHABET)
    length = CARD_TOKEN_GROUPS * CARD_TOKEN_GROUP
    return "".join(CARD_TOKEN_ALPHABET[randbelow(size)] for _ in range(length))


def printed_token(token: str) -> str:
    """A compact token in groups of 4 ("abcd-efgh-jkmn-pqrs"); an old card's token as is."""
    if not _TOKEN.fullmatch(token):
        return token
    return "-".join(token[i : i + CARD_TOKEN_GROUP] for i in range(0, len(token), CARD_TOKEN_GROUP))


def _token_forms(typed: str) -> list[str]:
    """What a typed or scanned token can stand for: the compact form of a new token (in
    capitals or not, with or without dashes or spaces) and an old card's exact token."""
    forms = []
    compact = re.sub(r"[\s-]", "", typed).lower()
    if _TOKEN.fullmatch(compact):
        forms.append(compact)
    if _OLD_TOKEN.fullmatch(typed):
        forms.append(typed)
    return forms


def new_serial() -> str:
    """A random serial of two groups of 4 readable characters, e.g. "K7RE-9XHM"."""
    text = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(2 * SERIAL_GROUP))
    return f"{text[:SERIAL_GROUP]}-{text[SERIAL_GROUP:]}"


def normalise_serial(text: str) -> str:
    """A serial as typed ("k7re 9xhm", "K7RE9XHM") in its printed form ("K7RE-9XHM")."""
    compact = re.sub(r"[\s-]", "", text).upper()
    if len(compact) != 2 * SERIAL_GROUP:
        return compact
    return f"{compact[:SERIAL_GROUP]}-{compact[SERIAL_GROUP:]}"


def card_expiry(issued_at: dt.datetime) -> dt.datetime:
    """When a card issued at `issued_at` stops working: 1 October after its school year."""
    year = issued_at.year if issued_at.month >= NEXT_YEAR_CARDS_FROM else issued_at.year - 1
    # The school year `year`-`year + 1` ends on 31 August of `year + 1`.
    return dt.datetime(year + 1, GRACE_UNTIL, 1, tzinfo=dt.UTC)


def issue_card(
    session: Session, account: Account, *, actor: Actor, token: str | None = None
) -> IssuedCard:
    """Give the account a new card, which revokes the previous one; the token is shown once.

    `token` (compact form, see new_card_token) is for the demo only, which derives
    reproducible cards from its key material. Raises CardError for a malformed token or
    when no free serial is found.
    """
    serial = _free_serial(session)
    if token is None:
        token = new_card_token()
    elif not _TOKEN.fullmatch(token):
        raise CardError("a card token is 16 symbols of the card alphabet, without dashes")
    now = utcnow()
    account.card_token_hash = secret_hash(token)
    account.card_serial = serial
    account.card_generation += 1
    account.card_issued_at = now
    account.card_expires_at = card_expiry(now)
    session.flush()
    record_event(
        session,
        actor,
        "card.issue",
        school_id=_school_id(session, account),
        person_id=account.person_id,
        details={
            "account_id": account.id,
            "username": account.username,
            "serial": serial,
            "generation": account.card_generation,
            "expires_at": account.card_expires_at.isoformat(),
        },
    )
    log.info("card %s (generation %d) issued to %s", serial, account.card_generation, account.id)
    return IssuedCard(url=card_url(token), serial=serial)


def find_account_by_card(session: Session, token: str) -> Account | None:
    """The active account whose current card holds `token`, or None.

    None for unknown tokens, revoked cards (replaced by a newer card), expired cards and
    accounts that cannot log in (blocked or deactivated). `token` is as typed or scanned:
    capitals, dashes and spaces in a new card's token do not matter; an old card's token is
    compared exactly.
    """
    forms = _token_forms(token)
    if not forms:
        return None
    hashes = [secret_hash(form) for form in forms]
    account = session.scalar(select(Account).where(Account.card_token_hash.in_(hashes)))
    if account is None or account.status is not AccountStatus.ACTIVE:
        return None
    if account.card_expires_at is None or account.card_expires_at <= utcnow():
        return None
    return account


def find_account_by_serial(session: Session, serial: str) -> Account | None:
    """The account whose current card has this serial (typed loosely), for a found card."""
    query = select(Account).where(Account.card_serial == normalise_serial(serial))
    return session.scalar(query)


def _free_serial(session: Session) -> str:
    # The unique constraint on card_serial still guards against a concurrent run taking
    # the same serial between this check and the commit: that transaction then fails whole.
    for _ in range(SERIAL_ATTEMPTS):
        serial = new_serial()
        if session.scalar(select(Account.id).where(Account.card_serial == serial)) is None:
            return serial
    raise CardError("no free card serial found; try again")


def _school_id(session: Session, account: Account) -> int | None:
    """The school of the pupil's current enrollment, so that the school sees the event."""
    enrollment = active_enrollment(session, account.person_id)
    return enrollment.school_id if enrollment else None
