"""Checking a pupil's username and password."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Account, AccountStatus
from ..passwords import verify_secret


def normalise_username(text: str) -> str:
    """Usernames are stored lower-case; pupils may type capitals or spaces around them."""
    return text.strip().lower()


def authenticate_password(session: Session, username: str, password: str) -> Account | None:
    """The active account with this username and password; None otherwise.

    An unknown username costs the same Argon2 verification as a known one, so the answer
    time does not tell whether a username exists.
    """
    account = session.scalars(
        select(Account).where(Account.username == normalise_username(username))
    ).first()
    valid = verify_secret(account.password_hash if account else None, password)
    if account is None or not valid or account.status != AccountStatus.ACTIVE:
        return None
    return account
