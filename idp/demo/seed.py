"""Seed the demo data into an empty database and tell a newcomer how to log in.

The demo's passwords are derived from this installation's key material (HMAC of the
session secret), not generated at random: only hashes are stored, and a newcomer who
starts `leerid demo` again tomorrow should still see working credentials. They are not
hard-coded either: each installation has its own, known only to whoever can read keys/.
A password that no longer matches (the pupil chose their own) is reported as changed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from .. import totp
from ..credentials.pictures import picture_password, picture_secret, pictures_of
from ..credentials.words import word_password
from ..hashing import matches_hash
from ..keystore import Secrets
from ..models import (
    Account,
    AccountKind,
    AccountStatus,
    AdminRole,
    AdminUser,
    CredentialType,
    EducationType,
    Enrollment,
    Person,
    School,
    account_kind_for,
)
from ..passwords import READABLE_ALPHABET, verify_secret
from ..services.accounts import TEMPORARY_PASSWORD_LENGTH, create_account
from ..services.admin_sessions import enrol_known_totp
from ..services.admins import create_admin
from ..services.cards import card_url, issue_card, new_card_token
from .data import SCHOOLS, DemoPerson, demo_people

ACTOR = "demo"
SUPER_ADMIN = "admin"
SCHOOL_ADMIN = "schoolbeheerder"
SCHOOL_ADMIN_SCHOOLS = ("990101", "990606")
# Demo cards printed before the typeable card form (27 characters); they keep working.
OLD_CARD_TOKEN_LENGTH = 27


@dataclass(frozen=True)
class DemoLogin:
    """A username, its password (None when changed since seeding) and who it is.

    For a picture password, `password` is the hashed text and `pictures` the Dutch names
    to tap; `card_url` is the address on the pupil's card (None when replaced since).
    """

    username: str
    password: str | None
    description: str
    pictures: tuple[str, ...] = ()
    card_url: str | None = None
    # An administrator's TOTP secret (base32), for an authenticator app.
    totp_secret: str | None = None


@dataclass(frozen=True)
class DemoInfo:
    """What `leerid demo` prints: whether it seeded now, and logins to try."""

    seeded: bool
    admins: tuple[DemoLogin, ...]
    pupils: tuple[DemoLogin, ...]


def demo_secret(secrets: Secrets, label: str, length: int) -> str:
    """A password for `label`, the same on every run of this installation."""
    key = secrets.session_secret.encode("utf-8")
    chosen: list[str] = []
    block = 0
    # Rejection sampling keeps every character equally likely.
    limit = 256 - 256 % len(READABLE_ALPHABET)
    while len(chosen) < length:
        message = f"leerid-demo\x00{label}\x00{block}".encode()
        digest = hmac.new(key, message, hashlib.sha256).digest()
        chosen.extend(READABLE_ALPHABET[b % len(READABLE_ALPHABET)] for b in digest if b < limit)
        block += 1
    return "".join(chosen[:length])


def _admin_password(secrets: Secrets, username: str) -> str:
    text = demo_secret(secrets, f"admin:{username}", 20)
    return "-".join(text[i : i + 5] for i in range(0, 20, 5))


def _admin_totp_secret(secrets: Secrets, username: str) -> str:
    """The demo administrator's TOTP secret (base32), the same on every run."""
    key = secrets.session_secret.encode("utf-8")
    digest = hmac.new(key, f"leerid-demo\x00totp:{username}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[: totp.SECRET_BYTES]).decode("ascii")


def _demo_admin(session: Session, secrets: Secrets, username: str) -> None:
    """Skip the first sign-in's steps: the demo prints the password and TOTP secret."""
    admin = session.scalar(select(AdminUser).where(AdminUser.username == username))
    if admin is None:
        raise LookupError(f"demo administrator {username} was not created")
    admin.must_change_password = False
    enrol_known_totp(admin, _admin_totp_secret(secrets, username), secrets)


def _pupil_kind(spec: DemoPerson) -> AccountKind:
    return account_kind_for(spec.enrollments[0].education_type)


def _pupil_password(secrets: Secrets, spec: DemoPerson) -> str:
    """A word or picture password for a basic account, a temporary one for an advanced one."""
    label = f"pupil:{spec.key}"
    if _pupil_kind(spec) is not AccountKind.BASIC:
        return demo_secret(secrets, label, TEMPORARY_PASSWORD_LENGTH)
    randbelow = _draws(secrets, label)
    if spec.pictures:
        return picture_secret(p.id for p in picture_password(randbelow=randbelow))
    return word_password(randbelow=randbelow)


def _draws(secrets: Secrets, label: str) -> Callable[[int], int]:
    """A reproducible `randbelow` for `label`: each call draws from a fresh HMAC."""
    key = secrets.session_secret.encode("utf-8")
    counter = itertools.count()

    def randbelow(bound: int) -> int:
        # 256 bits modulo at most a few hundred million: the bias is far too small to matter.
        message = f"leerid-demo\x00{label}\x00{next(counter)}".encode()
        return int.from_bytes(hmac.new(key, message, hashlib.sha256).digest(), "big") % bound

    return randbelow


def _card_token(secrets: Secrets, spec: DemoPerson) -> str:
    """The demo pupil's card token, the same on every run (compact form, see cards)."""
    return new_card_token(_draws(secrets, f"card:{spec.key}"))


def _card_tokens(secrets: Secrets, spec: DemoPerson) -> tuple[str, str]:
    """The demo pupil's card token, and the one a demo seeded before it would hold."""
    return _card_token(secrets, spec), demo_secret(
        secrets, f"card:{spec.key}", OLD_CARD_TOKEN_LENGTH
    )


def seed_demo(session: Session, secrets: Secrets) -> DemoInfo:
    """Seed the demo into a database without schools, admins or pupils; else add nothing."""
    occupied = session.scalar(
        select(exists(select(School.id)) | exists(select(AdminUser.id)) | exists(select(Person.id)))
    )
    if not occupied:
        _seed(session, secrets)
    return _info(session, secrets, seeded=not occupied)


def _seed(session: Session, secrets: Secrets) -> None:
    schools = {
        spec.instellingsnummer: School(
            instellingsnummer=spec.instellingsnummer, name=spec.name, province=spec.province
        )
        for spec in SCHOOLS
    }
    session.add_all(schools.values())
    for spec in demo_people():
        _seed_person(session, secrets, spec, schools)
    create_admin(
        session,
        SUPER_ADMIN,
        role=AdminRole.SUPER_ADMIN,
        display_name="Demo: departement Onderwijs",
        actor=ACTOR,
        password=_admin_password(secrets, SUPER_ADMIN),
    )
    create_admin(
        session,
        SCHOOL_ADMIN,
        role=AdminRole.SCHOOL_ADMIN,
        schools=SCHOOL_ADMIN_SCHOOLS,
        display_name="Demo: LeerID-beheerder",
        actor=ACTOR,
        password=_admin_password(secrets, SCHOOL_ADMIN),
    )
    for username in (SUPER_ADMIN, SCHOOL_ADMIN):
        _demo_admin(session, secrets, username)


def _seed_person(
    session: Session, secrets: Secrets, spec: DemoPerson, schools: dict[str, School]
) -> None:
    number = spec.national_number
    person = Person(
        first_name=spec.first_name,
        last_name=spec.last_name,
        birth_date=spec.birth_date,
        national_number_hash=secrets.national_number_hash(number) if number else None,
        national_number_encrypted=secrets.encrypt(number) if number else None,
    )
    # Enrolled first and ended afterwards, so that a pupil who has left since can still
    # have been given an account while they were at school.
    enrollments = [
        Enrollment(
            person=person,
            school=schools[e.school],
            stamnummer=e.stamnummer,
            administrative_group=e.administrative_group,
            grade=e.grade,
            education_type=e.education_type,
            start_date=e.start_date,
        )
        for e in spec.enrollments
    ]
    session.add(person)
    session.flush()
    if spec.account is not None:
        password = _pupil_password(secrets, spec)
        credential = CredentialType.PICTURE if spec.pictures else None
        created = create_account(
            session,
            person,
            kind=_pupil_kind(spec),
            credential=credential,
            password=password,
            actor=ACTOR,
        )
        issue_card(session, created.account, actor=ACTOR, token=_card_token(secrets, spec))
        created.account.status = spec.account
    for enrollment, e in zip(enrollments, spec.enrollments, strict=True):
        enrollment.end_date = e.end_date
    session.flush()


def _info(session: Session, secrets: Secrets, seeded: bool) -> DemoInfo:
    admins = []
    for username in (SUPER_ADMIN, SCHOOL_ADMIN):
        admin = session.scalar(select(AdminUser).where(AdminUser.username == username))
        if admin is not None:
            password = _admin_password(secrets, username)
            valid = verify_secret(admin.password_hash, password)
            secret = _admin_totp_secret(secrets, username)
            admins.append(
                DemoLogin(
                    username, password if valid else None, str(admin.role), totp_secret=secret
                )
            )
    return DemoInfo(seeded=seeded, admins=tuple(admins), pupils=_pupil_logins(session, secrets))


def _pupil_logins(session: Session, secrets: Secrets) -> tuple[DemoLogin, ...]:
    """The first pupil with an account of each school and education type, and the first
    with a picture password, if still there."""
    chosen: list[DemoPerson] = []
    seen: set[tuple[str, EducationType] | None] = set()
    for spec in demo_people():
        first = spec.enrollments[0]
        # One picture-password pupil (None), and one other per school and education type.
        key = None if spec.pictures else (first.school, first.education_type)
        if spec.account is AccountStatus.ACTIVE and first.end_date is None and key not in seen:
            seen.add(key)
            chosen.append(spec)
    names = {school.instellingsnummer: school.name for school in SCHOOLS}
    shown = []
    for spec in chosen:
        number, kind = spec.enrollments[0].school, spec.enrollments[0].education_type
        account = session.scalar(
            select(Account)
            .join(Enrollment, Enrollment.person_id == Account.person_id)
            .join(School, School.id == Enrollment.school_id)
            .where(School.instellingsnummer == number)
            .where(Enrollment.stamnummer == spec.enrollments[0].stamnummer)
        )
        if account is None:
            continue
        password = _pupil_password(secrets, spec)
        valid = verify_secret(account.password_hash, password)
        description = f"{names[number]}, {kind.value.replace('_', ' ')} ({account.kind})"
        stored = account.card_token_hash or ""
        token = next((t for t in _card_tokens(secrets, spec) if matches_hash(t, stored)), None)
        card = card_url(token) if token else None
        pictures = tuple(p.dutch for p in pictures_of(password)) if spec.pictures else ()
        shown.append(
            DemoLogin(account.username, password if valid else None, description, pictures, card)
        )
    return tuple(shown)
