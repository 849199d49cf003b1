"""What a LeerID-beheerder does to an existing account (manual, §1): a new password with a
new card, a new card alone, block and unblock, deactivate. Each is audited and scoped
(the caller found the account through services.pupils with the administrator's Scope).

Services flush; the caller commits. Blocking and deactivating also end the account's
sessions and tokens, which the caller does with idp.oauth.logout.end_other_sessions.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from ..credentials import allows, default_credential, new_credential
from ..models import (
    Account,
    AccountKind,
    AccountStatus,
    AdminUser,
    CredentialType,
    Enrollment,
    School,
    account_kind_for,
    utcnow,
)
from ..passwords import hash_secret
from .accounts import CreatedAccount, NewAccount
from .admins import record_event
from .cards import issue_card
from .printing import printed_card

log = logging.getLogger(__name__)

# What a reprinted card says where the password was: the pupil keeps the one they know.


_STATUS_ACTIONS = {
    AccountStatus.ACTIVE: "account.unblock",
    AccountStatus.BLOCKED: "account.block",
    AccountStatus.DEACTIVATED: "account.deactivate",
}


class ActionError(ValueError):
    """The action does not apply to this account now; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _audit(
    session: Session,
    admin: AdminUser,
    action: str,
    enrollment: Enrollment,
    account: Account,
    **details: object,
) -> None:
    record_event(
        session,
        admin,
        action,
        school_id=enrollment.school_id,
        person_id=account.person_id,
        details={"account_id": account.id, "username": account.username, **details},
    )


def _refuse_deactivated(account: Account) -> None:
    if account.status is AccountStatus.DEACTIVATED:
        raise ActionError("account_deactivated")


def new_password(
    session: Session,
    school: School,
    enrollment: Enrollment,
    account: Account,
    admin: AdminUser,
    credential: CredentialType | None = None,
) -> NewAccount:
    """A new password and a new card (the old password, card and sessions stop working).

    The account's kind follows the pupil's current education: a pupil who moved to
    secondary education gets an advanced account now, with a temporary password to change
    at the first sign-in. A basic account gets `credential` (word or picture; by default
    its present kind of password). Raises ActionError "credential_not_allowed", and
    "account_deactivated" for a deactivated account (reactivated first: a card must not
    open a closed account).
    """
    _refuse_deactivated(account)
    kind = account_kind_for(enrollment.education_type)
    if account.kind is AccountKind.BASIC and kind is AccountKind.ADVANCED:
        account.kind = AccountKind.ADVANCED
    if credential is None:
        present = account.credential_type
        credential = (
            present
            if allows(account.kind, present) and present is not CredentialType.OWN
            else default_credential(account.kind)
        )
    if credential is CredentialType.OWN or not allows(account.kind, credential):
        raise ActionError("credential_not_allowed")
    secret = new_credential(credential)
    account.credential_type = credential
    account.password_hash = hash_secret(secret.secret)
    account.must_change_password = secret.must_change
    account.password_changed_at = utcnow()
    session.flush()
    _audit(
        session,
        admin,
        "account.new_password",
        enrollment,
        account,
        kind=str(account.kind),
        credential=str(credential),
    )
    created = CreatedAccount(account, secret.secret, secret.pictures)
    card = issue_card(session, account, actor=admin)
    log.info("account %s got a new password", account.id)
    return NewAccount(
        enrollment.stamnummer, created, card, printed_card(school, enrollment, created, card)
    )


def new_card(
    session: Session, school: School, enrollment: Enrollment, account: Account, admin: AdminUser
) -> NewAccount:
    """A new card for a lost one: the old QR code stops working, the password stays (the
    card says so where the password was; print_service.PASSWORD_KEPT). Raises
    ActionError "account_deactivated" for a deactivated account."""
    _refuse_deactivated(account)
    created = CreatedAccount(account, "")
    card = issue_card(session, account, actor=admin)
    printed = printed_card(school, enrollment, created, card, password_kept=True)
    return NewAccount(enrollment.stamnummer, created, card, printed)


def set_status(
    session: Session,
    enrollment: Enrollment,
    account: Account,
    status: AccountStatus,
    admin: AdminUser,
) -> None:
    """Block, unblock (active again) or deactivate. A deactivated account can only be
    reactivated (ActionError "account_deactivated" for blocking it); raises ActionError
    "status_unchanged" when nothing changes."""
    if account.status is status:
        raise ActionError("status_unchanged")
    if account.status is AccountStatus.DEACTIVATED and status is AccountStatus.BLOCKED:
        raise ActionError("account_deactivated")
    before = account.status
    account.status = status
    session.flush()
    _audit(session, admin, _STATUS_ACTIONS[status], enrollment, account, before=str(before))
