"""LeerID accounts: username proposals, temporary passwords and account creation.

Word and picture passwords and QR cards arrive with later issues; `create_account` already
takes the credential type so they slot in beside the temporary password.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    Account,
    AccountKind,
    CredentialType,
    Enrollment,
    Person,
    account_kind_for,
)
from ..models.account import USERNAME_MAX_LENGTH
from ..passwords import hash_secret, random_secret
from .admins import Actor, record_event

log = logging.getLogger(__name__)

TEMPORARY_PASSWORD_LENGTH = 8
OWN_PASSWORD_MIN_LENGTH = 12
FALLBACK_USERNAME = "leerling"
_BATCH = 20
# Latin letters that NFKD does not take apart into a base letter and an accent.
_TRANSLITERATE = str.maketrans(
    {"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}
)
_NOT_ALLOWED = re.compile(r"[^a-z0-9]")
# What an administrator may type when editing a proposal (the manual: no `@`).
_EDITED_USERNAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?")


class AccountError(ValueError):
    """An account cannot be created as asked; the message says why."""


@dataclass(frozen=True)
class CreatedAccount:
    """A new account and its password in plain text, which is never stored and shown once."""

    account: Account
    password: str


def username_part(name: str) -> str:
    """A name as lower-case ASCII letters and digits: "D'Hondt" -> "dhondt", "Zoë" -> "zoe"."""
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_TRANSLITERATE))
    return _NOT_ALLOWED.sub("", folded.encode("ascii", "ignore").decode("ascii"))


def propose_username(session: Session, first_name: str, last_name: str) -> str:
    """A free username voornaam.achternaam; on a clash a number is appended (manual, §3)."""
    parts = [part for part in (username_part(first_name), username_part(last_name)) if part]
    # Names in a script without a Latin reading leave nothing: the administrator edits it.
    base = ".".join(parts) or FALLBACK_USERNAME
    # Ask for a batch of candidates at a time: an IN on the unique index stays fast with a
    # million accounts, where LIKE 'prefix%' could not use the index under every collation.
    for start in range(1, 10**6, _BATCH):
        candidates = [_numbered(base, number) for number in range(start, start + _BATCH)]
        query = select(Account.username).where(Account.username.in_(candidates))
        taken = set(session.scalars(query))
        free = next((candidate for candidate in candidates if candidate not in taken), None)
        if free is not None:
            return free
    raise AccountError(f"no free username left for {base!r}")


def _numbered(base: str, number: int) -> str:
    """The base, shortened so that the number still fits: jan.peeters, jan.peeters2, ..."""
    suffix = str(number) if number > 1 else ""
    return base[: USERNAME_MAX_LENGTH - len(suffix)].rstrip(".") + suffix


def check_username(session: Session, username: str) -> str:
    """Validate a username an administrator typed; return it in its stored (lower) form."""
    username = username.strip().lower()
    if not 1 <= len(username) <= USERNAME_MAX_LENGTH:
        raise AccountError(f"a username has 1 to {USERNAME_MAX_LENGTH} characters")
    if "@" in username:
        raise AccountError("a username cannot contain @")
    if not _EDITED_USERNAME.fullmatch(username):
        raise AccountError("a username uses only a-z, 0-9 and . _ - (not at the start or end)")
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise AccountError(f"the username {username!r} is already taken")
    return username


def temporary_password() -> str:
    """Eight random characters without look-alikes, changed by the pupil at first login."""
    return random_secret(TEMPORARY_PASSWORD_LENGTH)


def active_enrollment(session: Session, person: Person) -> Enrollment | None:
    """The person's current enrollment; with several, the most recently started one."""
    query = (
        select(Enrollment)
        .where(Enrollment.person_id == person.id, Enrollment.end_date.is_(None))
        .order_by(Enrollment.start_date.desc(), Enrollment.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def create_account(
    session: Session,
    person: Person,
    *,
    kind: AccountKind | None = None,
    credential: CredentialType = CredentialType.TEMPORARY,
    username: str | None = None,
    password: str | None = None,
    actor: Actor,
) -> CreatedAccount:
    """Create the LeerID of an enrolled person; only the Argon2id hash of the password is kept.

    `password` is for an own password (at least 12 characters) or for the demo, which needs
    reproducible temporary passwords; otherwise a temporary password is generated.
    """
    enrollment = active_enrollment(session, person)
    if enrollment is None:
        raise AccountError(f"{person.full_name} has no active enrollment in any school")
    if session.scalar(select(Account.id).where(Account.person_id == person.id)) is not None:
        raise AccountError(f"{person.full_name} already has a LeerID")
    secret, must_change = _credential(credential, password)
    account = Account(
        person_id=person.id,
        username=(
            check_username(session, username)
            if username is not None
            else propose_username(session, person.first_name, person.last_name)
        ),
        kind=kind or account_kind_for(enrollment.education_type),
        credential_type=credential,
        password_hash=hash_secret(secret),
        must_change_password=must_change,
    )
    session.add(account)
    session.flush()
    record_event(
        session,
        actor,
        "account.create",
        school_id=enrollment.school_id,
        details={
            "account_id": account.id,
            "person": person.uuid,
            "username": account.username,
            "kind": str(account.kind),
            "credential": str(credential),
        },
    )
    log.info("account %s (%s, %s) created", account.username, account.kind, credential)
    return CreatedAccount(account=account, password=secret)


def _credential(credential: CredentialType, password: str | None) -> tuple[str, bool]:
    """The secret to hash and whether the pupil must change it at the next login."""
    if credential is CredentialType.TEMPORARY:
        secret = password or temporary_password()
        if len(secret) < TEMPORARY_PASSWORD_LENGTH:
            raise AccountError(f"a temporary password has {TEMPORARY_PASSWORD_LENGTH} characters")
        return secret, True
    if credential is CredentialType.OWN:
        if password is None or len(password) < OWN_PASSWORD_MIN_LENGTH:
            raise AccountError(f"an own password has at least {OWN_PASSWORD_MIN_LENGTH} characters")
        return password, False
    raise AccountError(f"{credential} passwords are not available yet")
