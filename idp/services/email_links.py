"""Links sent by e-mail to advanced pupils: confirming an address they added, and resetting
a forgotten password (manual, §1). Each link holds a random token, stored as a SHA-256
hash, used once, and expiring ([mail] confirmation_lifetime and reset_lifetime).

Services flush; the caller commits and sends the mail after the commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from ..hashing import new_secret, secret_hash
from ..models import Account, AccountKind, AccountStatus, EmailPurpose, EmailToken, utcnow

log = logging.getLogger(__name__)

TOKEN_BYTES = 32
# A flood of reset mails to one address would be a nuisance (and a way to harass a pupil).
RESETS_PER_ADDRESS_PER_HOUR = 3
CONFIRMATIONS_PER_ACCOUNT_PER_HOUR = 5


class EmailLinkError(ValueError):
    """A link request that cannot be honoured; the message says why (for logs and tests)."""


@dataclass(frozen=True)
class IssuedLink:
    """A new link token for one account, shown only in the mail."""

    account: Account
    token: str


def normalise_email(text: str) -> str:
    """Addresses are compared case-insensitively and without surrounding spaces."""
    return text.strip().lower()


def _issue(
    session: Session, account: Account, purpose: EmailPurpose, email: str, lifetime: int
) -> IssuedLink:
    token = new_secret(TOKEN_BYTES)
    now = utcnow()
    session.add(
        EmailToken(
            account_id=account.id,
            purpose=purpose,
            email=email,
            token_hash=secret_hash(token),
            created_at=now,
            expires_at=now + dt.timedelta(seconds=lifetime),
        )
    )
    session.flush()
    return IssuedLink(account, token)


def _recent(session: Session, *conditions: ColumnElement[bool]) -> int:
    since = utcnow() - dt.timedelta(hours=1)
    query = select(func.count(EmailToken.id)).where(EmailToken.created_at > since, *conditions)
    return session.scalar(query) or 0


def request_confirmation(
    session: Session, account: Account, email: str, lifetime: int
) -> IssuedLink:
    """A link that, once opened, makes `email` the account's verified address."""
    if account.kind is not AccountKind.ADVANCED:
        raise EmailLinkError("only advanced accounts add an e-mail address")
    conditions = (
        EmailToken.account_id == account.id,
        EmailToken.purpose == EmailPurpose.CONFIRM_EMAIL,
    )
    if _recent(session, *conditions) >= CONFIRMATIONS_PER_ACCOUNT_PER_HOUR:
        raise EmailLinkError("too many confirmation mails this hour")
    return _issue(session, account, EmailPurpose.CONFIRM_EMAIL, normalise_email(email), lifetime)


def request_reset(session: Session, email: str, lifetime: int) -> list[IssuedLink]:
    """Reset links for every active account with this verified address (siblings may share
    one); an empty list for an unknown address or after too many requests this hour."""
    address = normalise_email(email)
    query = select(Account).where(
        func.lower(Account.email) == address,
        Account.email_verified_at.is_not(None),
        Account.status == AccountStatus.ACTIVE,
    )
    accounts = list(session.scalars(query.order_by(Account.username)))
    if not accounts:
        return []
    purpose = EmailToken.purpose == EmailPurpose.RESET_PASSWORD
    if _recent(session, purpose, EmailToken.email == address) >= RESETS_PER_ADDRESS_PER_HOUR:
        log.warning("password reset for a known address refused: too many this hour")
        return []
    return [_issue(session, a, EmailPurpose.RESET_PASSWORD, address, lifetime) for a in accounts]


def find_link(session: Session, token: str, purpose: EmailPurpose) -> EmailToken | None:
    """The unused, unexpired link with this token, or None."""
    found = session.scalar(select(EmailToken).where(EmailToken.token_hash == secret_hash(token)))
    if found is None or found.purpose is not purpose:
        return None
    if found.used_at is not None or found.expires_at <= utcnow():
        return None
    if found.account.status is not AccountStatus.ACTIVE:
        return None
    # Both kinds of link are for the password the account has now: once the pupil chose a
    # new one (with a newer reset link, or in the Leerlingloket), older links stop
    # working. A confirmation asked for by someone who knew the old password (or used a
    # session it left open) adds no address after the pupil changed it.
    changed = found.account.password_changed_at
    if changed is not None and found.created_at <= changed:
        return None
    # A reset link is for the address the account has now, not one it had before.
    if purpose is EmailPurpose.RESET_PASSWORD and (
        found.account.email_verified_at is None
        or normalise_email(found.account.email or "") != found.email
    ):
        return None
    return found


def use_link(session: Session, link: EmailToken) -> bool:
    """Claim the link (atomically: of two concurrent uses one wins); a confirmation also
    sets the account's verified address. False when it was used meanwhile."""
    now = utcnow()
    claimed = session.execute(
        update(EmailToken)
        .where(EmailToken.id == link.id, EmailToken.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if link.purpose is EmailPurpose.CONFIRM_EMAIL:
        link.account.email = link.email
        link.account.email_verified_at = now
    session.flush()
    return True
