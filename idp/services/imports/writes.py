"""Write one batch's decisions with bulk statements, in an order the unique indexes accept.

Order: ends (free stamnummers and person-school slots), national number changes (in
decision order, so a number can pass from one person to another), new persons, other
person changes, enrollment changes (in decision order, so stamnummers can move), new
enrollments.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, update

from ...models import Enrollment, Person
from .bulk import insert_rows
from .state import EnrollmentState, PersonState

_person = cast(Table, Person.__table__)
_enrollment = cast(Table, Enrollment.__table__)

_end = (
    update(_enrollment)
    .where(_enrollment.c.id == bindparam("b_id"))
    .values(end_date=bindparam("b_end_date"))
)
_set_national_number = (
    update(_person)
    .where(_person.c.id == bindparam("b_id"))
    .values(
        national_number_hash=bindparam("b_hash"),
        national_number_encrypted=bindparam("b_encrypted"),
        updated_at=bindparam("b_now"),
    )
)
_update_person = (
    update(_person)
    .where(_person.c.id == bindparam("b_id"))
    .values(
        first_name=bindparam("b_first_name"),
        last_name=bindparam("b_last_name"),
        birth_date=bindparam("b_birth_date"),
        updated_at=bindparam("b_now"),
    )
)
_update_enrollment = (
    update(_enrollment)
    .where(_enrollment.c.id == bindparam("b_id"))
    .values(
        stamnummer=bindparam("b_stamnummer"),
        administrative_group=bindparam("b_group"),
        grade=bindparam("b_grade"),
        education_type=bindparam("b_education_type"),
    )
)


@dataclass
class Changes:
    """The changes one batch decided; new and changed rows are kept by reference so the
    final values are written once, however often a batch touched them."""

    ends: list[dict[str, Any]] = field(default_factory=list)
    national_numbers: list[dict[str, Any]] = field(default_factory=list)
    new_persons: dict[int, PersonState] = field(default_factory=dict)
    new_person_encrypted: dict[int, str] = field(default_factory=dict)
    persons: dict[int, PersonState] = field(default_factory=dict)
    enrollments: dict[int, EnrollmentState] = field(default_factory=dict)
    new_enrollments: list[EnrollmentState] = field(default_factory=list)

    def end(self, enrollment: EnrollmentState, end_date: dt.date) -> None:
        """End an existing enrollment."""
        self.ends.append({"b_id": enrollment.id, "b_end_date": end_date})

    def new_person(self, person: PersonState) -> None:
        """Insert a person (temporary negative id)."""
        self.new_persons[person.id] = person

    def national_number(self, person: PersonState, encrypted: str) -> None:
        """Give a person a (new) national number."""
        if person.id < 0:
            self.new_person_encrypted[person.id] = encrypted
        else:
            self.national_numbers.append(
                {"b_id": person.id, "b_hash": person.nn_hash, "b_encrypted": encrypted}
            )

    def person(self, person: PersonState) -> None:
        """Write an existing person's names and birth date."""
        if person.id > 0:
            self.persons[person.id] = person

    def enrollment(self, enrollment: EnrollmentState) -> None:
        """Write an existing enrollment's fields, ordered by the latest decision."""
        if enrollment.id is not None:
            self.enrollments.pop(enrollment.id, None)
            self.enrollments[enrollment.id] = enrollment

    def new_enrollment(self, enrollment: EnrollmentState) -> None:
        """Insert an enrollment (its person may be new too)."""
        self.new_enrollments.append(enrollment)


def apply_changes(connection: Connection, changes: Changes, now: dt.datetime) -> None:
    """Write the batch: a handful of executemany statements, never one query per row."""
    if changes.ends:
        connection.execute(_end, changes.ends)
    if changes.national_numbers:
        connection.execute(
            _set_national_number, [{**c, "b_now": now} for c in changes.national_numbers]
        )
    real_ids = _insert_persons(connection, changes, now)
    if changes.persons:
        connection.execute(
            _update_person,
            [
                {
                    "b_id": p.id,
                    "b_first_name": p.first_name,
                    "b_last_name": p.last_name,
                    "b_birth_date": p.birth_date,
                    "b_now": now,
                }
                for p in changes.persons.values()
            ],
        )
    if changes.enrollments:
        connection.execute(
            _update_enrollment,
            [
                {
                    "b_id": e.id,
                    "b_stamnummer": e.stamnummer,
                    "b_group": e.group,
                    "b_grade": e.grade,
                    "b_education_type": e.education_type,
                }
                for e in changes.enrollments.values()
            ],
        )
    insert_rows(
        connection,
        _enrollment,
        [
            {
                "person_id": real_ids.get(e.person_id, e.person_id),
                "school_id": e.school_id,
                "stamnummer": e.stamnummer,
                "administrative_group": e.group,
                "grade": e.grade,
                "education_type": e.education_type.value,
                "start_date": e.start_date,
            }
            for e in changes.new_enrollments
        ],
    )


def _insert_persons(connection: Connection, changes: Changes, now: dt.datetime) -> dict[int, int]:
    """Insert the new persons; return their real ids by temporary id."""
    if not changes.new_persons:
        return {}
    records = [
        {
            "uuid": str(uuid.uuid4()),
            "national_number_hash": p.nn_hash,
            "national_number_encrypted": changes.new_person_encrypted.get(p.id),
            "first_name": p.first_name,
            "last_name": p.last_name,
            "birth_date": p.birth_date,
            "created_at": now,
            "updated_at": now,
        }
        for p in changes.new_persons.values()
    ]
    ids = insert_rows(connection, _person, records, with_ids=True)
    return dict(zip(changes.new_persons, ids, strict=True))
