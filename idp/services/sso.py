"""Single sign-on sessions at LeerID: started at login, found from the browser's cookie."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..hashing import new_secret, secret_hash
from ..models import Account, Client, LoginSession, utcnow
from ..models.oauth import session_client


def start_login_session(
    session: Session, account: Account, *, amr: list[str], acr: str, lifetime: int, locale: str
) -> tuple[LoginSession, str]:
    """Open a new SSO session; returns it and the cookie secret (shown only here).

    `lifetime` is in seconds; `locale` is the language the pupil signed in in ("nl-BE" or
    "en"), which apps receive as the `locale` claim.
    """
    secret = new_secret()
    now = utcnow()
    login = LoginSession(
        sid=new_secret(24),
        cookie_hash=secret_hash(secret),
        account_id=account.id,
        auth_time=now,
        amr=amr,
        acr=acr,
        locale=locale,
        expires_at=now + dt.timedelta(seconds=lifetime),
    )
    session.add(login)
    session.flush()
    return login, secret


def find_login_session(session: Session, secret: str | None) -> LoginSession | None:
    """The live session the cookie secret belongs to, if any."""
    if not secret:
        return None
    login = session.scalars(
        select(LoginSession).where(LoginSession.cookie_hash == secret_hash(secret))
    ).first()
    return login if login is not None and is_open(login) else None


def is_open(login: LoginSession) -> bool:
    """Neither ended (logout, a new password) nor expired."""
    return login.ended_at is None and login.expires_at > utcnow()


def record_client(session: Session, login: LoginSession, client: Client) -> None:
    """Remember that the session was used for this app (back-channel logout, portal)."""
    # One statement whether or not the pair is known: a look-up first cost every code a
    # round trip to the database. Both dialects name the statement the same.
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(session_client)
        .values(login_session_id=login.id, client_id=client.id, first_used_at=utcnow())
        .on_conflict_do_nothing()
    )


def open_sessions(session: Session, account: Account) -> list[LoginSession]:
    """The account's SSO sessions that have not been ended."""
    query = select(LoginSession).where(
        LoginSession.account_id == account.id, LoginSession.ended_at.is_(None)
    )
    return list(session.scalars(query))


def end_login_session(session: Session, login: LoginSession) -> list[Client]:
    """End the session; returns the apps it was used for, to notify them."""
    login.ended_at = utcnow()
    return list(login.clients)
