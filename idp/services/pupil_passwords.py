"""Passwords that advanced pupils choose themselves: at the first login, in the
Leerlingloket, and after a reset link (manual, §1). Services flush; callers commit."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from ..credentials.own import check_own_password
from ..models import Account, AccountKind, CredentialType, utcnow
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
    account.password_changed_at = utcnow()
    session.flush()
    log.info("account %s chose a new password", account.id)
