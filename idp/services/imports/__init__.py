"""Imports from files: the school register and the schools' pupil lists (enrollments)."""

from .enrollments import import_enrollments
from .report import ImportReport, Problem
from .schools import import_schools

__all__ = ["ImportReport", "Problem", "import_enrollments", "import_schools"]
