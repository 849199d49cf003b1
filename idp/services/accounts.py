"""LeerID accounts: username proposals, passwords and account creation, one or per school.

Basic accounts get a word or picture password, advanced ones a temporary password
(idp.credentials). Each account created for a school also gets a QR card (services.cards).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from print_service import Card

# Password rules live in idp.credentials; these names stay importable from here.
from ..credentials import TEMPORARY_PASSWORD_LENGTH as TEMPORARY_PASSWORD_LENGTH
from ..credentials import (
    CredentialError,
    allows,
    default_credential,
    describe_allowed,
    new_credential,
)
from ..credentials import temporary_password as temporary_password
from ..credentials.pictures import Picture
from ..folding import fold
from ..models import (
    Account,
    AccountKind,
    CredentialType,
    Enrollment,
    Person,
    School,
    account_kind_for,
)
from ..models.account import USERNAME_MAX_LENGTH
from ..passwords import hash_secret
from .admins import Actor, record_event
from .cards import IssuedCard, issue_card
from .enrollments import active_enrollment
from .printing import printed_card

log = logging.getLogger(__name__)

FALLBACK_USERNAME = "leerling"
_BATCH = 20
# What an administrator may type when editing a proposal (the manual: no `@`).
_EDITED_USERNAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?")


# Manual, §2: without a rijksregister- or bisnummer there is no account until the school's
# administration adds it (it arrives with the next day's import).
NO_OFFICIAL_DATA = (
    "no official data (no rijksregister- or bisnummer yet): the school's administration "
    "adds it in its pupil administration package; a day later the account can be created"
)


class AccountError(ValueError):
    """An account cannot be created as asked; the message says why."""


@dataclass(frozen=True)
class CreatedAccount:
    """A new account and its password in plain text, which is never stored and shown once.

    For a picture password, `password` is the hashed text (`picture_secret`) and
    `pictures` the 8 pictures in category order.
    """

    account: Account
    password: str
    pictures: tuple[Picture, ...] = ()

    @property
    def shown_password(self) -> str | list[str]:
        """What the card shows: the password, or the Dutch names of the pictures in order."""
        return [p.dutch for p in self.pictures] if self.pictures else self.password


@dataclass(frozen=True)
class NewAccount:
    """An account created for a pupil of a school, with its first card and what the
    credential documents print for it (the only moment its password can be printed)."""

    stamnummer: str
    created: CreatedAccount
    card: IssuedCard
    printed: Card

    def as_dict(self) -> dict[str, Any]:
        """The JSON form `leerid accounts create --json` prints for each account."""
        return {
            "stamnummer": self.stamnummer,
            "username": self.created.account.username,
            "credential": str(self.created.account.credential_type),
            "password": self.created.shown_password,
            "card_url": self.card.url,
            "card_serial": self.card.serial,
        }


def username_part(name: str) -> str:
    """A name as lower-case ASCII letters and digits: "D'Hondt" -> "dhondt", "Zoë" -> "zoe",
    "Łucja" -> "lucja"; names in other scripts by their Latin reading (anyascii):
    "Αλέξανδρος" -> "alexandros", "Мария" -> "mariya". Symbols (emoji, ©, €) are
    dropped first: anyascii would spell them out ("Zoë🦄" -> "zoeunicorn")."""
    letters = "".join(ch for ch in name if not unicodedata.category(ch).startswith("S"))
    return fold(letters).replace(" ", "")


def propose_username(
    session: Session, first_name: str, last_name: str, reserved: Collection[str] = ()
) -> str:
    """A free username voornaam.achternaam; on a clash a number is appended (manual, §3).
    `reserved` are names proposed to other pupils of the same run, free in the database
    but not to be proposed twice."""
    parts = [part for part in (username_part(first_name), username_part(last_name)) if part]
    # A name with no Latin reading at all (only symbols) leaves nothing: the fallback.
    base = ".".join(parts) or FALLBACK_USERNAME
    # Ask for a batch of candidates at a time: an IN on the unique index stays fast with a
    # million accounts, where LIKE 'prefix%' could not use the index under every collation.
    for start in range(1, 10**6, _BATCH):
        candidates = [_numbered(base, number) for number in range(start, start + _BATCH)]
        query = select(Account.username).where(Account.username.in_(candidates))
        taken = set(session.scalars(query)) | {c for c in candidates if c in reserved}
        free = next((candidate for candidate in candidates if candidate not in taken), None)
        if free is not None:
            return free
    raise AccountError(f"no free username left for {base!r}")


def _numbered(base: str, number: int) -> str:
    """The base, shortened so that the number still fits: jan.peeters, jan.peeters2, ..."""
    suffix = str(number) if number > 1 else ""
    return base[: USERNAME_MAX_LENGTH - len(suffix)].rstrip(".") + suffix


_USERNAME_RULES = {
    "username_missing": f"a username has 1 to {USERNAME_MAX_LENGTH} characters",
    "username_too_long": f"a username has 1 to {USERNAME_MAX_LENGTH} characters",
    "username_at": "a username cannot contain @",
    "username_characters": "a username uses only a-z, 0-9 and . _ - (not at the start or end)",
}


def username_problem(username: str) -> str | None:
    """The first rule (manual, §3) a typed username, stripped and in lower case, breaks:
    "username_missing", "username_too_long", "username_at", "username_characters"; None
    when it keeps them all. Whether it is free is for the database to say."""
    if not username:
        return "username_missing"
    if len(username) > USERNAME_MAX_LENGTH:
        return "username_too_long"
    if "@" in username:
        return "username_at"
    if not _EDITED_USERNAME.fullmatch(username):
        return "username_characters"
    return None


def check_username(session: Session, username: str) -> str:
    """Validate a username an administrator typed; return it in its stored (lower) form."""
    username = username.strip().lower()
    problem = username_problem(username)
    if problem is not None:
        raise AccountError(_USERNAME_RULES[problem])
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise AccountError(f"the username {username!r} is already taken")
    return username


def create_account(
    session: Session,
    person: Person,
    *,
    kind: AccountKind | None = None,
    credential: CredentialType | None = None,
    username: str | None = None,
    password: str | None = None,
    actor: Actor,
) -> CreatedAccount:
    """Create the LeerID of an enrolled person; only the Argon2id hash of the password is kept.

    Without `credential` a basic account gets a word password and an advanced one a
    temporary password. `password` is for an own password (at least 12 characters) or for
    the demo, which needs reproducible passwords; it must then have the credential's form.
    """
    enrollment = active_enrollment(session, person.id)
    if enrollment is None:
        raise AccountError(f"{person.full_name} has no active enrollment in any school")
    if not person.has_official_data:
        raise AccountError(f"{person.full_name}: {NO_OFFICIAL_DATA}")
    if session.scalar(select(Account.id).where(Account.person_id == person.id)) is not None:
        raise AccountError(f"{person.full_name} already has a LeerID")
    kind = kind or account_kind_for(enrollment.education_type)
    credential = credential or default_credential(kind)
    if not allows(kind, credential):
        raise AccountError(
            f"{credential} passwords are not for {kind} accounts ({person.full_name}); "
            f"{kind} accounts get a {describe_allowed(kind)} password"
        )
    try:
        secret = new_credential(credential, password)
    except CredentialError as error:
        raise AccountError(str(error)) from None
    account = Account(
        person_id=person.id,
        username=(
            check_username(session, username)
            if username is not None
            else propose_username(session, person.first_name, person.last_name)
        ),
        kind=kind,
        credential_type=credential,
        password_hash=hash_secret(secret.secret),
        must_change_password=secret.must_change,
    )
    session.add(account)
    session.flush()
    record_event(
        session,
        actor,
        "account.create",
        school_id=enrollment.school_id,
        person_id=person.id,
        details={
            "account_id": account.id,
            "person": person.uuid,
            "username": account.username,
            "kind": str(account.kind),
            "credential": str(credential),
        },
    )
    log.info("account %s (%s, %s) created", account.username, account.kind, credential)
    return CreatedAccount(account=account, password=secret.secret, pictures=secret.pictures)


def create_school_accounts(
    session: Session,
    instellingsnummer: str,
    *,
    stamnummers: Iterable[str] = (),
    credential: CredentialType | None = None,
    actor: Actor,
) -> list[NewAccount]:
    """Create a LeerID and a card for each actively enrolled pupil of a school without one.

    With `stamnummers`, only for those pupils: one that is unknown, no longer enrolled,
    without official data or already with a LeerID is an error, and so is a `credential`
    that a selected pupil's kind of account cannot have. Without, pupils without official
    data are left out (`pupils_without_official_data` lists them). The caller's
    transaction makes the run all or nothing.
    """
    school = session.scalar(select(School).where(School.instellingsnummer == instellingsnummer))
    if school is None:
        raise AccountError(f"no school with instellingsnummer {instellingsnummer}")
    chosen = list(dict.fromkeys(stamnummers))
    if chosen:
        _check_stamnummers(session, school, chosen)
    query = (
        select(Enrollment)
        .join(Person, Person.id == Enrollment.person_id)
        .outerjoin(Account, Account.person_id == Enrollment.person_id)
        .where(Enrollment.school_id == school.id, Enrollment.end_date.is_(None))
        .where(Account.id.is_(None), Person.national_number_hash.is_not(None))
        .order_by(Enrollment.administrative_group, Person.last_name, Person.first_name)
        .options(contains_eager(Enrollment.person))
    )
    if chosen:
        query = query.where(Enrollment.stamnummer.in_(chosen))
    pupils = [(e, account_kind_for(e.education_type)) for e in session.scalars(query)]
    refused = [
        f"stamnummer {e.stamnummer} ({e.person.full_name}, {kind} account)"
        for e, kind in pupils
        if credential is not None and not allows(kind, credential)
    ]
    if refused:
        raise AccountError(
            f"nothing created: a {credential} password is not for these pupils (basic accounts "
            f"get a word or picture password, advanced ones a temporary password): "
            f"{', '.join(refused)}"
        )
    created = []
    for enrollment, kind in pupils:
        account = create_account(
            session, enrollment.person, kind=kind, credential=credential, actor=actor
        )
        card = issue_card(session, account.account, actor=actor)
        printed = printed_card(school, enrollment, account, card)
        created.append(NewAccount(enrollment.stamnummer, account, card, printed))
    log.info("%d accounts created at school %s", len(created), instellingsnummer)
    return created


def _check_stamnummers(session: Session, school: School, stamnummers: list[str]) -> None:
    """Refuse the whole run when a listed pupil cannot get a new account at this school."""
    query = (
        select(
            Enrollment.stamnummer,
            Enrollment.end_date,
            Account.username,
            Person.national_number_hash.is_not(None),
        )
        .join(Person, Person.id == Enrollment.person_id)
        .outerjoin(Account, Account.person_id == Enrollment.person_id)
        .where(Enrollment.school_id == school.id, Enrollment.stamnummer.in_(stamnummers))
    )
    active: dict[str, str | None] = {}
    ended: set[str] = set()
    unofficial: set[str] = set()
    for stamnummer, end_date, username, official in session.execute(query):
        if end_date is None:
            active[stamnummer] = username
            if not official:
                unofficial.add(stamnummer)
        else:
            ended.add(stamnummer)
    problems = []
    for stamnummer in stamnummers:
        if stamnummer in active:
            if active[stamnummer] is not None:
                problems.append(
                    f"stamnummer {stamnummer} already has a LeerID ({active[stamnummer]})"
                )
            elif stamnummer in unofficial:
                problems.append(f"stamnummer {stamnummer}: {NO_OFFICIAL_DATA}")
        elif stamnummer in ended:
            problems.append(f"stamnummer {stamnummer} is no longer enrolled")
        else:
            problems.append(f"stamnummer {stamnummer} is not enrolled")
    if problems:
        where = f"{school.instellingsnummer} ({school.name})"
        raise AccountError(f"nothing created at school {where}: {'; '.join(problems)}")


def pupils_without_official_data(session: Session, instellingsnummer: str) -> list[str]:
    """The stamnummers of a school's actively enrolled pupils without a LeerID who cannot
    get one yet for want of a rijksregister- or bisnummer (manual, §2)."""
    query = (
        select(Enrollment.stamnummer)
        .join(School, School.id == Enrollment.school_id)
        .join(Person, Person.id == Enrollment.person_id)
        .outerjoin(Account, Account.person_id == Enrollment.person_id)
        .where(School.instellingsnummer == instellingsnummer, Enrollment.end_date.is_(None))
        .where(Account.id.is_(None), Person.national_number_hash.is_(None))
        .order_by(Enrollment.stamnummer)
    )
    return list(session.scalars(query))
