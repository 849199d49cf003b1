"""What an administrator may see: one place, so that a view that forgets a check cannot
leak another school's pupils. Every service that reads or changes pupils, accounts,
statistics or audit entries for the Schoolloket takes a Scope and filters by it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, true

from ..models import AdminRole, AdminUser


@dataclass(frozen=True)
class Scope:
    """The school ids an administrator acts on; None means every school (super admin)."""

    school_ids: frozenset[int] | None

    @classmethod
    def of(cls, admin: AdminUser) -> Scope:
        """A school administrator's schools, or everything for a super administrator."""
        if admin.role is AdminRole.SUPER_ADMIN:
            return cls(None)
        return cls(frozenset(school.id for school in admin.schools))

    @property
    def is_everything(self) -> bool:
        """True for a super administrator."""
        return self.school_ids is None

    def allows(self, school_id: int | None) -> bool:
        """Whether a row of school `school_id` is visible."""
        return self.school_ids is None or school_id in self.school_ids

    def where(self, school_column: Any) -> ColumnElement[bool]:
        """A WHERE clause that keeps rows of the visible schools on `school_column`."""
        if self.school_ids is None:
            return true()
        return school_column.in_(sorted(self.school_ids))


EVERYTHING = Scope(None)
"""The scope of commands run by the operator (`leerid stats`) and of super administrators."""
