"""Signing in to the Schoolloket: password, then TOTP; a first sign-in replaces the
one-time password and enrols an authenticator app before anything else opens.

The browser holds a random session token in a cookie of its own (path /schoolloket);
the database keeps only its SHA-256, the stage the session reached and when it was last
used, so that a session ends after `idle_timeout` seconds without a request and after
`lifetime` seconds in all. Services flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import totp
from ..credentials.own import check_own_password
from ..hashing import secret_hash
from ..keystore import Secrets
from ..models import AdminSession, AdminStage, AdminUser, utcnow
from ..passwords import hash_secret, needs_rehash, verify_secret
from .admins import record_event
from .authentication import normalise_username

TOKEN_BYTES = 32
TOTP_ISSUER = "LeerID Schoolloket"
_TOTP_PURPOSE = b"leerid-admin-totp"
# last_seen_at is written at most this often: every page view need not be a write.
_SEEN_GRANULARITY = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Opened:
    """A new session and the token for the browser's cookie (shown nowhere else)."""

    session: AdminSession
    token: str


def authenticate(
    session: Session, username: str, password: str, code: str, secrets_: Secrets
) -> AdminUser | None:
    """The active administrator whose password and, once enrolled, TOTP code these are;
    None for anything else (unknown name, wrong password, missing or wrong code, a code
    already used), without telling which. Costs one Argon2id verification either way."""
    admin = session.scalar(
        select(AdminUser).where(AdminUser.username == normalise_username(username))
    )
    if not verify_secret(admin.password_hash if admin else None, password):
        return None
    if admin is None or not admin.is_active:
        return None
    if admin.totp_secret_encrypted is not None:
        secret = secrets_.decrypt(admin.totp_secret_encrypted, _TOTP_PURPOSE)
        step = totp.matching_step(secret, code, admin.totp_last_step)
        if step is None or not _use_step(session, admin, step):
            return None
    if needs_rehash(admin.password_hash):
        admin.password_hash = hash_secret(password)
    return admin


def _use_step(session: Session, admin: AdminUser, step: int) -> bool:
    """Record `step` as used, unless a sign-in at the same moment used it (or a later one)
    first: a conditional UPDATE, so that one code opens one session, on any database."""
    newer = (AdminUser.totp_last_step.is_(None)) | (AdminUser.totp_last_step < step)
    used = session.execute(
        update(AdminUser)
        .where(AdminUser.id == admin.id, newer)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    session.expire(admin, ["totp_last_step"])
    return bool(getattr(used, "rowcount", 0))


def open_session(session: Session, admin: AdminUser) -> Opened:
    """A new session for an administrator who just proved the password (and code): it
    starts at the first step still missing (new password, then TOTP enrolment)."""
    if admin.must_change_password:
        stage = AdminStage.NEW_PASSWORD
    elif admin.totp_secret_encrypted is None:
        stage = AdminStage.ENROL_TOTP
    else:
        stage = AdminStage.SIGNED_IN
    token = secrets.token_urlsafe(TOKEN_BYTES)
    opened = AdminSession(token_hash=secret_hash(token), admin_id=admin.id, stage=stage)
    session.add(opened)
    session.flush()
    if stage is AdminStage.SIGNED_IN:
        record_event(session, admin, "admin.sign_in", details={"session": opened.id})
    return Opened(opened, token)


def current_session(
    session: Session, token: str, *, idle_timeout: int, lifetime: int
) -> AdminSession | None:
    """The live session this cookie token stands for, or None when it is unknown, ended,
    idle for longer than `idle_timeout` seconds, older than `lifetime` seconds, or its
    administrator was deactivated. Marks it as used now."""
    found = session.scalar(
        select(AdminSession).where(AdminSession.token_hash == secret_hash(token))
    )
    if found is None or found.ended_at is not None or not found.admin.is_active:
        return None
    now = utcnow()
    if now - found.last_seen_at > dt.timedelta(seconds=idle_timeout) or (
        now - found.created_at > dt.timedelta(seconds=lifetime)
    ):
        found.ended_at = now
        return None
    if now - found.last_seen_at >= _SEEN_GRANULARITY:
        found.last_seen_at = now
    return found


def was_session(session: Session, token: str) -> bool:
    """Whether this cookie token ever opened a session (now ended, idle or too old): the
    token a browser gets before signing in never did."""
    return (
        session.scalar(select(AdminSession.id).where(AdminSession.token_hash == secret_hash(token)))
        is not None
    )


def end_session(session: Session, admin_session: AdminSession) -> None:
    """Sign out: the token opens nothing any more."""
    admin_session.ended_at = utcnow()
    record_event(
        session, admin_session.admin, "admin.sign_out", details={"session": admin_session.id}
    )


def choose_password(
    session: Session, admin_session: AdminSession, password: str, confirmation: str, current: str
) -> None:
    """Replace the one-time password (first sign-in). Raises OwnPasswordError (rules of
    idp.credentials.own: at least 12 characters, not common, no own name) and ValueError
    when `current` is not the present password."""
    admin = admin_session.admin
    if not verify_secret(admin.password_hash, current):
        raise ValueError("the present password is not right")
    names = tuple(admin.display_name.split())
    check_own_password(
        password, confirmation, username=admin.username, names=names, current=current
    )
    admin.password_hash = hash_secret(password)
    admin.must_change_password = False
    admin_session.stage = (
        AdminStage.ENROL_TOTP if admin.totp_secret_encrypted is None else AdminStage.SIGNED_IN
    )
    record_event(session, admin, "admin.password_change", details={"session": admin_session.id})


def pending_totp_secret(admin_session: AdminSession, secrets_: Secrets) -> str:
    """The secret offered to this session's enrolment, made on first request and kept
    (encrypted) so that a reload shows the same QR code."""
    if admin_session.pending_totp_encrypted is None:
        admin_session.pending_totp_encrypted = secrets_.encrypt(totp.new_secret(), _TOTP_PURPOSE)
    return secrets_.decrypt(admin_session.pending_totp_encrypted, _TOTP_PURPOSE)


def confirm_totp(
    session: Session, admin_session: AdminSession, code: str, secrets_: Secrets
) -> bool:
    """Enrol the pending secret when `code` is its current code; the session is then
    signed in. False (nothing changes) when the code does not match."""
    if admin_session.pending_totp_encrypted is None:
        return False
    secret = secrets_.decrypt(admin_session.pending_totp_encrypted, _TOTP_PURPOSE)
    step = totp.matching_step(secret, code, None)
    if step is None:
        return False
    admin = admin_session.admin
    admin.totp_secret_encrypted = secrets_.encrypt(secret, _TOTP_PURPOSE)
    admin.totp_last_step = step
    admin_session.pending_totp_encrypted = None
    admin_session.stage = AdminStage.SIGNED_IN
    record_event(session, admin, "admin.totp_enrol", details={"session": admin_session.id})
    record_event(session, admin, "admin.sign_in", details={"session": admin_session.id})
    return True


def enrol_known_totp(admin: AdminUser, secret: str, secrets_: Secrets) -> None:
    """Give an administrator a TOTP secret chosen elsewhere (the demo prints it)."""
    admin.totp_secret_encrypted = secrets_.encrypt(secret, _TOTP_PURPOSE)
