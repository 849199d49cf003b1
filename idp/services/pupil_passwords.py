"""Passwords that advanced pupils choose themselves: at the first login, in the
Leerlingloket, and after a reset link (manual, §1). Services flush; callers commit."""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..credentials.own import check_own_password
from ..models import Account, AccountKind, CredentialType, LoginSession, Token, utcnow
from ..passwords import hash_secret

log = logging.getLogger(__name__)


def set_own_password(
    session: Session, account: Account, password: str, confirmation: str, *, current: str | None
) -> None:
    """Replace the account's password by one the pupil chose (OwnPasswordError if refused).

    Only advanced accounts choose their password; basic ones get a new one from school.
    """
    if account.kind is not AccountKind.ADVANCED:
        raise ValueError("only advanced accounts choose their own password")
    person = account.person
    check_own_password(
        password,
        confirmation,
        username=account.username,
        names=(person.first_name, person.last_name),
        current=current,
    )
    account.password_hash = hash_secret(password)
    account.credential_type = CredentialType.OWN
    account.must_change_password = False
    session.flush()
    log.info("account %s chose a new password", account.id)


def end_everything(session: Session, account: Account) -> list[LoginSession]:
    """End the account's open sessions and revoke its tokens (after a password reset).

    Returns the sessions that were open, so that their apps can be told (back-channel).
    """
    now = utcnow()
    query = select(LoginSession).where(
        LoginSession.account_id == account.id, LoginSession.ended_at.is_(None)
    )
    open_sessions = list(session.scalars(query))
    for login in open_sessions:
        login.ended_at = now
    session.execute(
        update(Token)
        .where(Token.account_id == account.id, Token.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.flush()
    return open_sessions
