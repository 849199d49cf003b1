"""What the database knows about one batch of rows, loaded with a few set-based queries.

The matcher works on this snapshot and keeps it up to date as it decides, so rows later
in the same batch see the effect of earlier ones before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, func, select

from ...models import EducationType, Enrollment, Person, School
from .bulk import probe
from .rows import ParsedRow

_person = cast(Table, Person.__table__)
_enrollment = cast(Table, Enrollment.__table__)


@dataclass(slots=True)
class PersonState:
    """A person as known to this batch; new persons have negative (temporary) ids."""

    id: int
    nn_hash: str | None
    first_name: str
    last_name: str
    birth_date: dt.date | None


@dataclass(slots=True)
class EnrollmentState:
    """An active enrollment as known to this batch; new ones have no id yet."""

    id: int | None
    person_id: int
    school_id: int
    stamnummer: str
    group: str
    grade: str
    education_type: EducationType
    start_date: dt.date


@dataclass
class Snapshot:
    """Persons and active enrollments relevant to a batch, indexed the ways matching needs."""

    persons: dict[int, PersonState] = field(default_factory=dict)
    by_hash: dict[str, PersonState] = field(default_factory=dict)
    active: dict[tuple[int, str], EnrollmentState] = field(default_factory=dict)
    by_person_school: dict[tuple[int, int], EnrollmentState] = field(default_factory=dict)

    def add_person(self, person: PersonState) -> None:
        """Index a person by id and by national number hash."""
        self.persons[person.id] = person
        if person.nn_hash:
            self.by_hash[person.nn_hash] = person

    def add_enrollment(self, enrollment: EnrollmentState) -> None:
        """Index an active enrollment by (school, stamnummer) and by (person, school)."""
        self.active[enrollment.school_id, enrollment.stamnummer] = enrollment
        self.by_person_school[enrollment.person_id, enrollment.school_id] = enrollment

    def remove_enrollment(self, enrollment: EnrollmentState) -> None:
        """Forget an enrollment that is being ended."""
        self.active.pop((enrollment.school_id, enrollment.stamnummer), None)
        self.by_person_school.pop((enrollment.person_id, enrollment.school_id), None)


_PERSONS = select(
    _person.c.id,
    _person.c.national_number_hash,
    _person.c.first_name,
    _person.c.last_name,
    _person.c.birth_date,
)
_ENROLLMENT_COLUMNS = (
    _enrollment.c.id,
    _enrollment.c.person_id,
    _enrollment.c.school_id,
    _enrollment.c.stamnummer,
    _enrollment.c.administrative_group,
    _enrollment.c.grade,
    _enrollment.c.education_type,
    _enrollment.c.start_date,
)
_ACTIVE = select(*_ENROLLMENT_COLUMNS).where(_enrollment.c.end_date.is_(None))


def schools_with_pupils(connection: Connection) -> set[int]:
    """The schools that have active enrollments (before the import starts)."""
    school = cast(Table, School.__table__)
    active_here = (
        select(_enrollment.c.id)
        .where(_enrollment.c.school_id == school.c.id, _enrollment.c.end_date.is_(None))
        .exists()
    )
    return set(connection.execute(select(school.c.id).where(active_here)).scalars())


def active_counts(connection: Connection, school_ids: Collection[int]) -> dict[int, int]:
    """The number of active enrollments at each of these schools (0 for none)."""
    query = (
        select(_enrollment.c.school_id, func.count())
        .where(_enrollment.c.end_date.is_(None), _enrollment.c.school_id.in_(sorted(school_ids)))
        .group_by(_enrollment.c.school_id)
    )
    return {
        **dict.fromkeys(school_ids, 0),
        **{school: count for school, count in connection.execute(query)},
    }


def load_snapshot(
    connection: Connection, rows: Iterable[ParsedRow], populated: Collection[int]
) -> Snapshot:
    """Load what matching needs: the active enrollments at the rows' keys, the persons with
    the rows' national numbers and those behind the enrollments, and, for a person whose
    row does not land on their own enrollment, their active enrollments in these schools.

    `populated` are the schools that had pupils when the import began: elsewhere the only
    enrollments are this file's own, which a valid row cannot meet (it would be a duplicate).
    """
    rows = list(rows)
    keys = {(row.school_id, row.stamnummer) for row in rows}
    snapshot = Snapshot()
    key_columns = (_enrollment.c.school_id, _enrollment.c.stamnummer)
    existing = {key for key in keys if key[0] in populated}
    if existing:
        query = probe(connection, _ACTIVE, key_columns, existing)
        for record in connection.execute(query).all():
            snapshot.add_enrollment(_enrollment_state(record))
    hashes = {(row.nn_hash,) for row in rows if row.nn_hash}
    _load_persons(connection, snapshot, _person.c.national_number_hash, hashes)
    unknown = {(e.person_id,) for e in snapshot.active.values()} - {
        (person_id,) for person_id in snapshot.persons
    }
    _load_persons(connection, snapshot, _person.c.id, unknown)
    # Only there can the stamnummer have changed or the pupil be listed twice.
    moving = set()
    for row in rows:
        owner = snapshot.by_hash.get(row.nn_hash) if row.nn_hash else None
        current = snapshot.active.get((row.school_id or 0, row.stamnummer))
        if owner is not None and (current is None or current.person_id != owner.id):
            moving.add((owner.id,))
    if moving:
        loaded = {e.id for e in snapshot.active.values()}
        schools = {school_id for school_id, _ in keys}
        query = probe(connection, _ACTIVE, (_enrollment.c.person_id,), moving)
        for record in connection.execute(query).all():
            if record.id not in loaded and record.school_id in schools:
                snapshot.add_enrollment(_enrollment_state(record))
    return snapshot


def _load_persons(
    connection: Connection, snapshot: Snapshot, column: Any, wanted: set[tuple[Any]]
) -> None:
    if wanted:
        for person in connection.execute(probe(connection, _PERSONS, (column,), wanted)).all():
            snapshot.add_person(PersonState(*person))


def _enrollment_state(record: Any) -> EnrollmentState:
    return EnrollmentState(*record)
