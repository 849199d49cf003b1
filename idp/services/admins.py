"""Administrators of the Schoolloket, and the audit trail their actions leave.

Services flush but never commit: the caller (a view or a command) owns the transaction,
so an action and its audit event are stored together or not at all.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import AdminRole, AdminSession, AdminUser, AuditEvent, School, utcnow
from ..models.admin import DISPLAY_NAME_LENGTH
from ..passwords import hash_secret, random_secret
from .authentication import normalise_username

log = logging.getLogger(__name__)

# Who did something: a logged-in administrator, or a name such as "cli" or "demo".
Actor = AdminUser | str

ADMIN_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,99}")
ADMIN_PASSWORD_GROUPS = 4
ADMIN_PASSWORD_GROUP_LENGTH = 5


class AdminError(ValueError):
    """An administrator cannot be created as asked: the message says why (in English, for
    `leerid admin add`); `code` and `params` let the Schoolloket say it in its language."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CreatedAdmin:
    """A new administrator and the password, which is shown once and stored only hashed."""

    admin: AdminUser
    password: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON form `leerid admin add --json` prints."""
        return {
            "username": self.admin.username,
            "password": self.password,
            "role": str(self.admin.role),
            "schools": [school.instellingsnummer for school in self.admin.schools],
        }


def record_event(
    session: Session,
    actor: Actor,
    action: str,
    *,
    school_id: int | None = None,
    person_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail: `actor` did `action` (a dotted name such as
    "account.block") at school `school_id`, to pupil `person_id`; `details` is JSON."""
    event = AuditEvent(
        actor=actor.username if isinstance(actor, AdminUser) else actor,
        actor_admin_id=actor.id if isinstance(actor, AdminUser) else None,
        action=action,
        school_id=school_id,
        person_id=person_id,
        details=details or {},
    )
    session.add(event)
    return event


def admin_password() -> str:
    """A strong generated password: 4 groups of 5 readable characters (about 98 bits)."""
    groups = (random_secret(ADMIN_PASSWORD_GROUP_LENGTH) for _ in range(ADMIN_PASSWORD_GROUPS))
    return "-".join(groups)


def create_admin(
    session: Session,
    username: str,
    *,
    role: AdminRole = AdminRole.SCHOOL_ADMIN,
    schools: Iterable[str] = (),
    display_name: str = "",
    actor: Actor,
    password: str | None = None,
) -> CreatedAdmin:
    """Create an administrator with a generated password (or the given one, for the demo)."""
    username = normalise_username(username)
    if not ADMIN_USERNAME.fullmatch(username):
        raise AdminError(
            "admin_username_invalid",
            f"invalid username {username!r}: use 1 to 100 lower-case letters, digits "
            "and . _ @ -, starting with a letter or digit",
        )
    if len(display_name.strip()) > DISPLAY_NAME_LENGTH:
        raise AdminError(
            "too_long",
            f"display name is too long: at most {DISPLAY_NAME_LENGTH} characters",
            field="display_name",
            limit=DISPLAY_NAME_LENGTH,
        )
    taken = select(func.count()).select_from(AdminUser).where(AdminUser.username == username)
    if session.scalar(taken):
        raise AdminError(
            "admin_username_taken", f"an administrator named {username!r} already exists"
        )
    chosen = _schools(session, role, list(dict.fromkeys(schools)))
    secret = password or admin_password()
    admin = AdminUser(
        username=username,
        display_name=display_name.strip(),
        password_hash=hash_secret(secret),
        role=role,
        schools=chosen,
    )
    session.add(admin)
    try:
        session.flush()
    except IntegrityError:
        # Taken between the check above and this insert (two departments at once): the
        # caller rolls back.
        raise AdminError(
            "admin_username_taken", f"an administrator named {username!r} already exists"
        ) from None
    numbers = [school.instellingsnummer for school in chosen]
    record_event(
        session,
        actor,
        "admin.create",
        school_id=chosen[0].id if len(chosen) == 1 else None,
        details={"admin_id": admin.id, "username": username, "role": str(role), "schools": numbers},
    )
    log.info("administrator %s (%s) created for schools %s", username, role, numbers)
    return CreatedAdmin(admin=admin, password=secret)


def _schools(session: Session, role: AdminRole, numbers: list[str]) -> list[School]:
    """The schools a new administrator manages: required for, and only for, school admins."""
    if role is AdminRole.SUPER_ADMIN:
        if numbers:
            raise AdminError(
                "super_admin_schools", "a super admin manages every school: do not name schools"
            )
        return []
    if not numbers:
        raise AdminError("no_school", "a school admin needs at least one school (--school INSTNR)")
    found = session.scalars(select(School).where(School.instellingsnummer.in_(numbers))).all()
    by_number = {school.instellingsnummer: school for school in found}
    missing = [number for number in numbers if number not in by_number]
    if missing:
        raise AdminError(
            "unknown_school",
            f"no school with instellingsnummer {', '.join(missing)}",
            numbers=", ".join(missing),
        )
    return [by_number[number] for number in numbers]


def deactivate_admin(session: Session, admin: AdminUser, *, actor: Actor) -> None:
    """An administrator who leaves: no sign-in any more, and every session ends now."""
    admin.is_active = False
    session.execute(
        update(AdminSession)
        .where(AdminSession.admin_id == admin.id, AdminSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    record_event(
        session,
        actor,
        "admin.deactivate",
        details={"admin_id": admin.id, "username": admin.username},
    )
