"""Checking a pupil's username and secret (password, word password or picture password)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Account
from ..passwords import verify_secret


def normalise_username(text: str) -> str:
    """Usernames are stored lower-case; pupils may type capitals or spaces around them."""
    return text.strip().lower()


def find_account(session: Session, username: str) -> Account | None:
    """The account with this username (as typed), whatever its status."""
    query = select(Account).where(Account.username == normalise_username(username))
    return session.scalars(query).first()


def check_secret(session: Session, username: str, secret: str) -> Account | None:
    """The account whose secret this is, whatever its status; None otherwise.

    An unknown username costs the same Argon2 verification as a known one, so the answer
    time does not tell whether a username exists.
    """
    account = find_account(session, username)
    valid = verify_secret(account.password_hash if account else None, secret)
    return account if account is not None and valid else None
