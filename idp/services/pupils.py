"""The Schoolloket's pupil list and pupil page (manual, §2 and §3): find pupils by
stamnummer, naam or voornaam, filter by administratieve groep, account status and type.

Pupils are their active enrollments: a pupil enrolled in two schools is listed at each,
with the one account that belongs to the person. Every query is scoped (services.scope).
"""

from __future__ import annotations

import enum
import functools
import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, text
from sqlalchemy.orm import Session

from ..folding import fold
from ..models import (
    Account,
    AccountKind,
    AccountStatus,
    AuditEvent,
    EducationType,
    Enrollment,
    Person,
    School,
    account_kind_for,
)
from ..models.account import ADVANCED_EDUCATION_TYPES
from .cards import normalise_serial
from .scope import Scope

PAGE_SIZE = 50
COUNT_LIMIT = 1000
QUERY_MAX_LENGTH = 100
_BASIC_TYPES = sorted(set(EducationType) - ADVANCED_EDUCATION_TYPES)
# The list's order, also of "select all" and of the creation screen.
ORDER = (Enrollment.administrative_group, Person.last_name, Person.first_name, Enrollment.id)


class AccountState(enum.StrEnum):
    """The account status filter: no account yet, or the account's status."""

    NONE = "none"
    ACTIVE = "active"
    BLOCKED = "blocked"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class PupilFilter:
    """The filter at the top of the pupil list; empty values filter nothing.

    `query`: part of a name or voornaam (any case, with or without accents; several words
    must all match) or the start of a stamnummer. `school_id`: one of the administrator's
    schools. `group`: an administratieve groep exactly.
    """

    query: str = ""
    school_id: int | None = None
    group: str = ""
    account: AccountState | None = None
    kind: AccountKind | None = None


@dataclass(frozen=True)
class PupilRow:
    """One line of the pupil list."""

    enrollment_id: int
    school_name: str
    instellingsnummer: str
    stamnummer: str
    first_name: str
    last_name: str
    group: str
    kind: AccountKind
    username: str | None
    status: AccountStatus | None
    has_official_data: bool


@dataclass(frozen=True)
class PupilPage:
    """A page of the list: `rows` of `total` matches, page `number` of `pages` (1-based).
    With more than COUNT_LIMIT matches, `more` is True, `total` is COUNT_LIMIT and there is
    one page, of some of them."""

    rows: list[PupilRow]
    total: int
    number: int
    pages: int
    more: bool = False


def _filtered(scope: Scope, wanted: PupilFilter) -> Select[Enrollment, Person]:
    """The active enrollments (with person) that the scope and the filter keep."""
    query: Select[Enrollment, Person] = (
        select(Enrollment, Person)
        .join(Person, Person.id == Enrollment.person_id)
        .outerjoin(Account, Account.person_id == Enrollment.person_id)
        .where(Enrollment.end_date.is_(None), scope.where(Enrollment.school_id))
    )
    if wanted.school_id is not None:
        query = query.where(Enrollment.school_id == wanted.school_id)
    if wanted.group:
        query = query.where(Enrollment.administrative_group == wanted.group)
    if wanted.account is AccountState.NONE:
        query = query.where(Account.id.is_(None))
    elif wanted.account is not None:
        query = query.where(Account.status == AccountStatus(wanted.account.value))
    if wanted.kind is not None:
        types = (
            sorted(ADVANCED_EDUCATION_TYPES)
            if wanted.kind is AccountKind.ADVANCED
            else _BASIC_TYPES
        )
        query = query.where(
            or_(
                Account.kind == wanted.kind,
                and_(Account.id.is_(None), Enrollment.education_type.in_(types)),
            )
        )
    typed = wanted.query.strip()[:QUERY_MAX_LENGTH]
    words = fold(typed).split()
    if typed.isdigit() or not words:
        # Stamnummers are digits, names are not: one indexed condition, never an OR of
        # two, which no index answers over a million pupils.
        if typed:
            query = query.where(Enrollment.stamnummer.startswith(typed, autoescape=True))
    else:
        names: ColumnElement[str] = Person.search_name.expression
        if not scope.is_everything or wanted.school_id is not None:
            # Within a few schools, their few thousand pupils are read faster than the
            # nationwide trigram index, which the planner might still prefer: lower() of
            # the (already lower-case) names keeps it from using that index.
            names = func.lower(Person.search_name)
        query = query.where(and_(*(names.contains(word) for word in words)))
    return query


def search_pupils(session: Session, scope: Scope, wanted: PupilFilter, page: int = 1) -> PupilPage:
    """One page of the pupils the filter finds, by group, last name and first name."""
    # Two queries. The first reads only the sort keys of at most COUNT_LIMIT + 1 matches,
    # in no order, sorted here: finding and sorting every "ters" among a million pupils
    # would cost far more than the page. Up to COUNT_LIMIT the list is exact; past it, it
    # shows one sorted page of some matches and asks to narrow the search. The second reads
    # what the list shows, for the page's pupils only.
    keys = _filtered(scope, wanted).with_only_columns(
        Enrollment.id, Enrollment.administrative_group, Person.last_name, Person.first_name
    )
    if session.get_bind().dialect.name == "postgresql":
        # At most a thousand rows, from an index: starting parallel workers costs more
        # (about 10 ms) than they save, and takes cores from the other requests.
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    # The list's order: administratieve groep, then last and first name (folded, so that
    # "Çağan" sorts with the C's), then the enrollment.
    found = [
        (group, _sort_fold(last_name), _sort_fold(first_name), enrollment_id)
        for enrollment_id, group, last_name, first_name in session.execute(
            keys.limit(COUNT_LIMIT + 1)
        )
    ]
    more = len(found) > COUNT_LIMIT
    found = sorted(found[:COUNT_LIMIT])
    pages = 1 if more else max(1, math.ceil(len(found) / PAGE_SIZE))
    number = min(max(1, page), pages)
    shown = [key[-1] for key in found[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]]
    return PupilPage(_rows(session, shown), len(found), number, pages, more)


def _rows(session: Session, enrollment_ids: list[int]) -> list[PupilRow]:
    """The list's lines for these enrollments, in the given order."""
    query = (
        select(
            Enrollment.id,
            Enrollment.stamnummer,
            Enrollment.administrative_group,
            Enrollment.education_type,
            Person.first_name,
            Person.last_name,
            Person.national_number_hash.is_not(None),
            School.name,
            School.instellingsnummer,
            Account.username,
            Account.status,
            Account.kind,
        )
        .join(Person, Person.id == Enrollment.person_id)
        .join(School, School.id == Enrollment.school_id)
        .outerjoin(Account, Account.person_id == Enrollment.person_id)
        .where(Enrollment.id.in_(enrollment_ids))
    )
    rows = {
        enrollment_id: PupilRow(
            enrollment_id=enrollment_id,
            school_name=school_name,
            instellingsnummer=school_number,
            stamnummer=stamnummer,
            first_name=first_name,
            last_name=last_name,
            group=group,
            kind=kind or account_kind_for(education_type),
            username=username,
            status=status,
            has_official_data=official,
        )
        for (
            enrollment_id,
            stamnummer,
            group,
            education_type,
            first_name,
            last_name,
            official,
            school_name,
            school_number,
            username,
            status,
            kind,
        ) in (session.execute(query) if enrollment_ids else ())
    }
    return [rows[enrollment_id] for enrollment_id in enrollment_ids if enrollment_id in rows]


# Sorting a thousand matches folds two thousand names, most of them common ones (Peeters,
# Emma): remembered, they cost a lookup. The cache's size bounds its memory (a few MiB).
_sort_fold = functools.lru_cache(maxsize=2**15)(fold)


def matching_enrollment_ids(
    session: Session, scope: Scope, wanted: PupilFilter, limit: int
) -> list[int]:
    """Every enrollment id the filter finds, not just a page ("select all"), at most
    `limit` of them, in list order."""
    query = _filtered(scope, wanted).with_only_columns(Enrollment.id).order_by(*ORDER).limit(limit)
    return list(session.scalars(query))


def groups(session: Session, scope: Scope, school_id: int | None = None) -> list[str]:
    """The administratieve groepen of the visible schools' active pupils, sorted."""
    query = (
        select(Enrollment.administrative_group)
        .where(Enrollment.end_date.is_(None), scope.where(Enrollment.school_id))
        .where(Enrollment.administrative_group != "")
        .distinct()
        .order_by(Enrollment.administrative_group)
    )
    if school_id is not None:
        query = query.where(Enrollment.school_id == school_id)
    return list(session.scalars(query))


def schools(session: Session, scope: Scope) -> list[School]:
    """The schools the administrator acts on, by name."""
    query = select(School).where(scope.where(School.id)).order_by(School.name)
    return list(session.scalars(query))


def school_id_of(session: Session, scope: Scope, instellingsnummer: str) -> int | None:
    """The id of the visible school with this instellingsnummer, or None."""
    return session.scalar(
        select(School.id).where(
            School.instellingsnummer == instellingsnummer, scope.where(School.id)
        )
    )


def enrollment_by_card_serial(session: Session, scope: Scope, serial: str) -> int | None:
    """The visible active enrollment of the pupil whose current card has `serial` (typed
    loosely: "k7re 9xhm"), or None."""
    query = (
        select(Enrollment.id)
        .join(Account, Account.person_id == Enrollment.person_id)
        .where(
            Account.card_serial == normalise_serial(serial),
            Enrollment.end_date.is_(None),
            scope.where(Enrollment.school_id),
        )
        .order_by(Enrollment.start_date.desc(), Enrollment.id.desc())
        .limit(1)
    )
    return session.scalar(query)


@dataclass(frozen=True)
class PupilDetail:
    """The pupil page: the enrollment, its person and school, the account (if any) and
    the account's history in the administrator's schools, newest first."""

    enrollment: Enrollment
    person: Person
    school: School
    account: Account | None
    history: list[AuditEvent]


def pupil(
    session: Session, scope: Scope, enrollment_id: int, history: int = 50
) -> PupilDetail | None:
    """The pupil page of an active enrollment the administrator may see; None for any
    other id (unknown, ended, or another school's: the views answer 404 alike)."""
    enrollment = session.scalar(
        select(Enrollment).where(
            Enrollment.id == enrollment_id,
            Enrollment.end_date.is_(None),
            scope.where(Enrollment.school_id),
        )
    )
    if enrollment is None:
        return None
    account = session.scalar(select(Account).where(Account.person_id == enrollment.person_id))
    events = session.scalars(
        select(AuditEvent)
        # Scoped like the audit page it links to: what another school did with the
        # account before the pupil moved (and who did it there) is that school's.
        .where(AuditEvent.person_id == enrollment.person_id, scope.where(AuditEvent.school_id))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(history)
    )
    return PupilDetail(enrollment, enrollment.person, enrollment.school, account, list(events))
