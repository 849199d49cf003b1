"""Checking a pupil's username and secret (password, word password or picture password)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Account, CredentialType
from ..passwords import verify_secret


def normalise_username(text: str) -> str:
    """Usernames are stored lower-case; pupils may type capitals or spaces around them."""
    return text.strip().lower()


def find_account(session: Session, username: str) -> Account | None:
    """The account with this username (as typed), whatever its status."""
    query = select(Account).where(Account.username == normalise_username(username))
    return session.scalars(query).first()


def forgiving_word(secret: str) -> str:
    """A word password as the school meant it: lower-case, without any whitespace.

    Word passwords hold only lower-case letters and digits (idp/credentials/words.py), so
    a tablet keyboard's capital ("Top383") or space ("top 383", "top383 ") cannot stand for
    another word password: forgiving them turns typos into sign-ins and makes no password
    easier to guess (every guess still names exactly one word password).
    """
    return "".join(secret.split()).lower()


def secret_matches(account: Account | None, secret: str) -> bool:
    """True when `secret` is the account's; for a word password, capitals and spaces do
    not matter (see forgiving_word), for every other secret (own, temporary, picture) they
    do: those are compared exactly.

    An unknown username (None) costs the same Argon2 verification as a known one, so the
    answer time does not tell whether a username exists.
    """
    # The forgiving form is made for every attempt, whatever the account: the only work
    # that differs is which string goes to the one Argon2 verification, whose time does
    # not depend on a short secret's length.
    forgiving = forgiving_word(secret)
    word = account is not None and account.credential_type is CredentialType.WORD
    candidate = forgiving if word else secret
    return verify_secret(account.password_hash if account is not None else None, candidate)
