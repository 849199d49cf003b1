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


def secret_matches(account: Account | None, secret: str) -> bool:
    """True when `secret` is the account's.

    An unknown username (None) costs the same Argon2 verification as a known one, so the
    answer time does not tell whether a username exists.
    """
    return verify_secret(account.password_hash if account is not None else None, secret)
