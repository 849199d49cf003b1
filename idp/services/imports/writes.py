"""Write one batch's decisions with bulk statements, in an order the unique indexes accept.

Order: ends (free stamnummers and person-school slots), national number changes (in
decision order, so a number can pass from one person to another), new persons, other
person changes, enrollment changes (in decision order, so stamnummers can move), new
enrollments.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, update

from ...folding import search_name
from ...models import Enrollment, Person
from .bulk import allocate_ids, array_insert, insert_tuples
from .pipeline import Pipeline
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
        search_name=bindparam("b_search_name"),
        birth_date=bindparam("b_birth_date"),
        updated_at=bindparam("b_now"),
    )
)
_PERSON_COLUMNS = (
    "uuid",
    "national_number_hash",
    "national_number_encrypted",
    "first_name",
    "last_name",
    "search_name",
    "birth_date",
    "created_at",
    "updated_at",
)
_ENROLLMENT_COLUMNS = (
    "person_id",
    "school_id",
    "stamnummer",
    "administrative_group",
    "grade",
    "education_type",
    "start_date",
)
_UUID_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
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


def apply_changes(
    connection: Connection, changes: Changes, now: dt.datetime, pipeline: Pipeline | None = None
) -> None:
    """Write the batch: a handful of executemany statements, never one query per row. With
    a pipeline (PostgreSQL), new rows are inserted without waiting for the outcome."""
    if changes.ends:
        connection.execute(_end, changes.ends)
    if changes.national_numbers:
        connection.execute(
            _set_national_number, [{**c, "b_now": now} for c in changes.national_numbers]
        )
    real_ids = _insert_persons(connection, changes, now, pipeline)
    if changes.persons:
        connection.execute(
            _update_person,
            [
                {
                    "b_id": p.id,
                    "b_first_name": p.first_name,
                    "b_last_name": p.last_name,
                    "b_search_name": search_name(p.first_name, p.last_name),
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
    enrollments = changes.new_enrollments
    if enrollments:
        columns: list[Sequence[Any]] = [
            [real_ids.get(e.person_id, e.person_id) for e in enrollments],
            [e.school_id for e in enrollments],
            [e.stamnummer for e in enrollments],
            [e.group for e in enrollments],
            [e.grade for e in enrollments],
            [e.education_type.value for e in enrollments],
            [e.start_date for e in enrollments],
        ]
        _insert(connection, pipeline, _enrollment, _ENROLLMENT_COLUMNS, columns)


def random_uuids(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as text, from one call for random bytes: a quarter
    of the cost of str(uuid.uuid4()) each."""
    digits = os.urandom(16 * count).hex()
    texts = []
    for start in range(0, 32 * count, 32):
        h = digits[start : start + 32]
        texts.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_UUID_VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
    return texts


def _insert_persons(
    connection: Connection, changes: Changes, now: dt.datetime, pipeline: Pipeline | None
) -> dict[int, int]:
    """Insert the new persons; return their real ids by temporary id."""
    new = list(changes.new_persons.values())
    if not new:
        return {}
    encrypted = changes.new_person_encrypted
    columns: list[Sequence[Any]] = [
        random_uuids(len(new)),
        [p.nn_hash for p in new],
        [encrypted.get(p.id) for p in new],
        [p.first_name for p in new],
        [p.last_name for p in new],
        [search_name(p.first_name, p.last_name) for p in new],
        [p.birth_date for p in new],
        [now] * len(new),
        [now] * len(new),
    ]
    if pipeline is None:
        rows = list(zip(*columns, strict=True))
        ids = insert_tuples(connection, _person, _PERSON_COLUMNS, rows, with_ids=True)
    else:
        ids = allocate_ids(connection, _person, len(new))
        _insert(connection, pipeline, _person, ("id", *_PERSON_COLUMNS), [ids, *columns])
    return dict(zip(changes.new_persons, ids, strict=True))


def _insert(
    connection: Connection,
    pipeline: Pipeline | None,
    table: Table,
    names: Sequence[str],
    columns: Sequence[Sequence[Any]],
) -> None:
    """Insert rows given column by column: sent through the pipeline as text, or else
    as tuples."""
    if pipeline is None:
        insert_tuples(connection, table, names, list(zip(*columns, strict=True)))
        return
    texts = [_texts(values) for values in columns]
    pipeline.send(*array_insert(table, names, texts))


def _texts(values: Sequence[Any]) -> Sequence[str | None]:
    """One column's values as the text PostgreSQL reads back (dates in ISO form)."""
    sample = next((v for v in values if v is not None), None)
    if sample is None or isinstance(sample, str):
        return values
    if isinstance(sample, dt.date):  # few distinct dates (and one timestamp): format each once
        formatted = {v: v.isoformat() for v in set(values) if v is not None}
        return [formatted.get(v) for v in values]
    return [None if v is None else str(v) for v in values]
