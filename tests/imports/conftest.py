"""Fixtures shared by the import tests."""

from __future__ import annotations

import pytest

from idp.services.imports import import_enrollments

from .import_helpers import TODAY, write_csv


@pytest.fixture
def school(make_school):
    """The school most tests import into."""
    return make_school("123456", name="Basisschool De Regenboog")


@pytest.fixture
def other_school(make_school):
    """A second school, for pupils who move."""
    return make_school("654321", name="Atheneum Zuid")


@pytest.fixture
def run(session, secrets, tmp_path):
    """Import a source (path or file), or a list of rows written as CSV first."""
    counter = iter(range(1000))

    def run(source, today=TODAY, **options):
        if isinstance(source, list):
            source = write_csv(tmp_path / f"import{next(counter)}.csv", source)
        return import_enrollments(session, secrets, source, actor="test", today=today, **options)

    return run
