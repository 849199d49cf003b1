"""Decide, row by row, which person and enrollment each valid row is about.

Per row (school S, stamnummer K, optional national number hash H), with E the active
enrollment (S, K) and P the person with hash H:
- P exists: E is P's → update; E is someone else's → end E; then move P's active
  enrollment at S to K (the stamnummer changed) or create one.
- H given, no P: E exists → give E's person this national number (the school is
  authoritative for its pupils); otherwise a new person and enrollment.
- no H: E exists → update its person; otherwise a new person without official data.
The decisions only collect changes; writes.apply_changes writes them in a safe order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ...keystore import Secrets
from .report import Problem
from .rows import RIJKSREGISTERNUMMER, ParsedRow, Pupil
from .state import EnrollmentState, PersonState, Snapshot
from .writes import Changes

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class Matcher:
    """Matches the valid rows of one batch against a snapshot of the database."""

    def __init__(
        self,
        snapshot: Snapshot,
        claimed: Mapping[tuple[int, str], int],
        secrets: Secrets,
        today: dt.date,
    ) -> None:
        self.snapshot = snapshot
        self.claimed = claimed
        self.secrets = secrets
        self.today = today
        self.changes = Changes()
        self.ended = 0
        self._next_temporary_id = -1

    def match(self, row: ParsedRow, pupil: Pupil, school_id: int) -> str | Problem:
        """Record the changes for one valid row; return its outcome or a conflict."""
        snapshot = self.snapshot
        current = snapshot.active.get((school_id, row.stamnummer))
        owner = snapshot.by_hash.get(row.nn_hash) if row.nn_hash else None
        if owner is None:
            if current is None:
                return self._create(self._new_person(row, pupil), row, pupil, school_id)
            changed = self._set_national_number(snapshot.persons[current.person_id], row, pupil)
            return self._update(current, pupil, person_changed=changed)
        if current is not None and current.person_id == owner.id:
            return self._update(current, pupil)
        previous = snapshot.by_person_school.get((owner.id, school_id))
        if previous is not None:
            earlier = self.claimed.get((school_id, previous.stamnummer))
            if earlier is not None and earlier < row.line:
                # The file already listed this pupil under their old stamnummer.
                params = {"stamnummer": previous.stamnummer, "earlier": earlier}
                return Problem(row.line, RIJKSREGISTERNUMMER.name, "stamnummer_conflict", params)
        if current is not None:
            self._end(current)
        if previous is None:
            return self._create(owner, row, pupil, school_id)
        snapshot.remove_enrollment(previous)
        previous.stamnummer = row.stamnummer
        snapshot.add_enrollment(previous)
        return self._update(previous, pupil, moved=True)

    def _new_person(self, row: ParsedRow, pupil: Pupil) -> PersonState:
        person = PersonState(
            self._next_temporary_id, None, pupil.first_name, pupil.last_name, pupil.birth_date
        )
        self._next_temporary_id -= 1
        self.changes.new_person(person)
        if row.nn_hash:
            self._set_national_number(person, row, pupil)
        self.snapshot.add_person(person)
        return person

    def _set_national_number(self, person: PersonState, row: ParsedRow, pupil: Pupil) -> bool:
        if person.nn_hash == row.nn_hash or pupil.national_number is None:
            return False
        if person.nn_hash:
            self.snapshot.by_hash.pop(person.nn_hash, None)
        person.nn_hash = row.nn_hash
        self.snapshot.add_person(person)
        # Encrypt only here: an unchanged number keeps its stored ciphertext.
        encrypted = self.secrets.encrypt(pupil.national_number.digits)
        self.changes.national_number(person, encrypted)
        return True

    def _create(self, person: PersonState, row: ParsedRow, pupil: Pupil, school_id: int) -> str:
        self._update_person(person, pupil)
        enrollment = EnrollmentState(
            None,
            person.id,
            school_id,
            row.stamnummer,
            pupil.group,
            pupil.grade,
            pupil.education_type,
            self.today,
        )
        self.snapshot.add_enrollment(enrollment)
        self.changes.new_enrollment(enrollment)
        return CREATED

    def _update(
        self,
        enrollment: EnrollmentState,
        pupil: Pupil,
        *,
        moved: bool = False,
        person_changed: bool = False,
    ) -> str:
        person = self.snapshot.persons[enrollment.person_id]
        person_changed = self._update_person(person, pupil) or person_changed
        fields = (pupil.group, pupil.grade, pupil.education_type)
        if moved or fields != (enrollment.group, enrollment.grade, enrollment.education_type):
            enrollment.group, enrollment.grade, enrollment.education_type = fields
            self.changes.enrollment(enrollment)
            return UPDATED
        return UPDATED if person_changed else UNCHANGED

    def _update_person(self, person: PersonState, pupil: Pupil) -> bool:
        wanted = (pupil.first_name, pupil.last_name, pupil.birth_date)
        if wanted == (person.first_name, person.last_name, person.birth_date):
            return False
        person.first_name, person.last_name, person.birth_date = wanted
        self.changes.person(person)
        return True

    def _end(self, enrollment: EnrollmentState) -> None:
        self.snapshot.remove_enrollment(enrollment)
        self.changes.end(enrollment, max(self.today, enrollment.start_date))
        self.ended += 1
