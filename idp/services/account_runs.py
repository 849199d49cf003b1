"""Creating LeerIDs from the Schoolloket (manual, §2 and §3): "Maak een LeerID aan" for
one pupil and "Maak LeerID's aan" for a selection open the same screen, with a proposed
username and password per pupil, both editable; "Bewaren én afdrukken" creates them all
in one transaction and builds the zip of the print service.

Problems are codes with parameters (admin/messages.py words them in Dutch or English).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import print_service

from ..credentials import (
    CredentialError,
    allows,
    default_credential,
    new_credential,
)
from ..models import (
    Account,
    AccountKind,
    AdminUser,
    CredentialType,
    Enrollment,
    Person,
    School,
    account_kind_for,
)
from .accounts import (
    AccountError,
    NewAccount,
    create_account,
    propose_username,
    username_problem,
)
from .cards import issue_card
from .printing import credential_bundle, printed_card, school_day
from .pupils import ORDER
from .scope import Scope

# How many pupils one screen creates directly; larger selections run as a job.
SCREEN_LIMIT = 2000


class RunError(ValueError):
    """The run as a whole cannot go ahead; `code` and `params` say why."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Proposal:
    """One pupil's line on the screen: who, and the proposed (or typed) credentials.
    `password` is None for a picture password (its pictures are drawn at saving)."""

    enrollment_id: int
    stamnummer: str
    first_name: str
    last_name: str
    group: str
    kind: AccountKind
    username: str
    credential: CredentialType
    password: str | None
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Skipped:
    """A selected pupil who gets no account here, and why ("no_official_data", "has_account")."""

    enrollment_id: int
    stamnummer: str
    name: str
    reason: str
    username: str | None = None


@dataclass
class Selection:
    """The screen: one school's pupils to create, and those skipped."""

    school: School
    proposals: list[Proposal]
    skipped: list[Skipped]


def _enrollments(
    session: Session, scope: Scope, ids: Sequence[int]
) -> list[tuple[Enrollment, Person, str | None]]:
    query = (
        select(Enrollment, Person, Account.username)
        .join(Person, Person.id == Enrollment.person_id)
        .outerjoin(Account, Account.person_id == Enrollment.person_id)
        .where(
            Enrollment.id.in_(list(ids)),
            Enrollment.end_date.is_(None),
            scope.where(Enrollment.school_id),
        )
        .order_by(*ORDER)
    )
    return [(e, p, u) for e, p, u in session.execute(query)]


def select_pupils(session: Session, scope: Scope, ids: Sequence[int]) -> Selection:
    """The screen for the selected enrollments the administrator may see (others are
    ignored as if not sent). Raises RunError "nothing_selected", "several_schools" or
    "too_many"."""
    unique = list(dict.fromkeys(ids))
    if len(unique) > SCREEN_LIMIT:
        raise RunError("too_many", limit=SCREEN_LIMIT)
    rows = _enrollments(session, scope, unique)
    if not rows:
        raise RunError("nothing_selected")
    if len({e.school_id for e, _, _ in rows}) > 1:
        raise RunError("several_schools")
    proposals: list[Proposal] = []
    skipped: list[Skipped] = []
    reserved: set[str] = set()
    for enrollment, person, username in rows:
        if username is not None:
            skipped.append(
                Skipped(
                    enrollment.id, enrollment.stamnummer, person.full_name, "has_account", username
                )
            )
            continue
        if not person.has_official_data:
            skipped.append(
                Skipped(enrollment.id, enrollment.stamnummer, person.full_name, "no_official_data")
            )
            continue
        kind = account_kind_for(enrollment.education_type)
        credential = default_credential(kind)
        proposed = propose_username(session, person.first_name, person.last_name, reserved)
        reserved.add(proposed)
        proposals.append(
            Proposal(
                enrollment_id=enrollment.id,
                stamnummer=enrollment.stamnummer,
                first_name=person.first_name,
                last_name=person.last_name,
                group=enrollment.administrative_group,
                kind=kind,
                username=proposed,
                credential=credential,
                password=_proposed_password(credential),
            )
        )
    return Selection(rows[0][0].school, proposals, skipped)


def _proposed_password(credential: CredentialType) -> str | None:
    """A fresh password to show for a typed credential; None for pictures (drawn at saving)."""
    if credential is CredentialType.PICTURE:
        return None
    return new_credential(credential).secret


def choose_for_all(
    selection: Selection, choices: dict[int, tuple[str, str, str]], credential: str
) -> None:
    """The screen's choice for the whole selection: every basic account gets a `credential`
    ("word" or "picture") password; a typed word password stays, others get a proposal.
    Anything else for `credential` changes nothing."""
    if credential not in (CredentialType.WORD, CredentialType.PICTURE):
        return
    chosen = CredentialType(credential)
    for proposal in selection.proposals:
        if proposal.kind is not AccountKind.BASIC:
            continue
        username, before, password = choices[proposal.enrollment_id]
        kept = password if before == chosen else ""
        choices[proposal.enrollment_id] = (
            username,
            chosen,
            kept or _proposed_password(chosen) or "",
        )


def apply_choices(
    session: Session, selection: Selection, choices: dict[int, tuple[str, str, str]]
) -> bool:
    """Put the screen's typed values (username, credential, password by enrollment id)
    into the proposals and check them; True when every line may be saved.

    Problem codes per line: username_missing, username_too_long, username_at,
    username_characters, username_taken, username_twice, credential_not_allowed,
    password_missing, password_form.
    """
    for proposal in selection.proposals:
        username, credential_text, password = choices.get(
            proposal.enrollment_id,
            (proposal.username, str(proposal.credential), proposal.password or ""),
        )
        proposal.username = username.strip().lower()
        try:
            credential = CredentialType(credential_text)
        except ValueError:
            credential = proposal.credential
        proposal.credential = credential
        proposal.password = None if credential is CredentialType.PICTURE else password.strip()
        proposal.problems = []
    seen: dict[str, int] = {}
    for proposal in selection.proposals:
        seen[proposal.username] = seen.get(proposal.username, 0) + 1
    names = [p.username for p in selection.proposals]
    taken = set(session.scalars(select(Account.username).where(Account.username.in_(names))))
    for proposal in selection.proposals:
        proposal.problems.extend(_username_problems(proposal.username, taken, seen))
        if not allows(proposal.kind, proposal.credential):
            proposal.problems.append("credential_not_allowed")
        elif proposal.credential is not CredentialType.PICTURE:
            if not proposal.password:
                proposal.problems.append("password_missing")
            else:
                try:
                    new_credential(proposal.credential, proposal.password)
                except CredentialError:
                    proposal.problems.append("password_form")
    return not any(p.problems for p in selection.proposals)


# The problems that concern a line's username (shown beside it), not its password.
USERNAME_PROBLEMS = (
    "username_missing",
    "username_too_long",
    "username_at",
    "username_characters",
    "username_taken",
    "username_twice",
)


def _username_problems(username: str, taken: set[str], seen: dict[str, int]) -> list[str]:
    problem = username_problem(username)
    if problem is not None:
        return [problem]
    if username in taken:
        return ["username_taken"]
    if seen.get(username, 0) > 1:
        return ["username_twice"]
    return []


@dataclass(frozen=True)
class Created:
    """What "Bewaren én afdrukken" made: the accounts, and the zip's name and bytes."""

    accounts: list[NewAccount]
    file_name: str
    zip_data: bytes


def save(session: Session, selection: Selection, admin: AdminUser) -> Created:
    """Create every proposal's account and card and build the zip, in the caller's
    transaction (all or nothing). Call apply_choices first. Raises RunError
    "changed_meanwhile" when another administrator (or a second click) created an account
    for one of these pupils since the screen was shown."""
    enrollments = {
        e.id: e
        for e in session.scalars(
            select(Enrollment).where(
                Enrollment.id.in_([p.enrollment_id for p in selection.proposals])
            )
        )
    }
    created: list[NewAccount] = []
    try:
        for proposal in selection.proposals:
            enrollment = enrollments[proposal.enrollment_id]
            made = create_account(
                session,
                enrollment.person,
                kind=proposal.kind,
                credential=proposal.credential,
                username=proposal.username,
                password=proposal.password,
                actor=admin,
            )
            card = issue_card(session, made.account, actor=admin)
            printed = printed_card(selection.school, enrollment, made, card)
            created.append(NewAccount(enrollment.stamnummer, made, card, printed))
    except (IntegrityError, AccountError):
        # Checked on the screen, so only a change since then gets here: a second click,
        # another administrator creating for the same pupils, a username taken meanwhile.
        # The caller rolls the whole run back (no savepoint: Python's sqlite3 would
        # commit at its release).
        raise RunError("changed_meanwhile") from None
    day = school_day()
    data = credential_bundle([new.printed for new in created], day)
    return Created(created, bundle_file_name(selection.school, day), data)


def bundle_file_name(school: School, day: dt.date) -> str:
    """The zip's file name, as print_service names it."""
    return print_service.bundle_name(school.instellingsnummer, day)
