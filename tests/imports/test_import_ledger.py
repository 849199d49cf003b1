"""The import's bookkeeping: the in-memory filter and the look-ups it spares."""

from __future__ import annotations

import pytest

from idp.services.imports import ledger
from idp.services.imports.ledger import SeenFilter

from .import_helpers import active_enrollments, codes, national_number, pupil


def test_the_filter_says_certainly_not_for_new_keys_and_maybe_for_known_ones():
    seen = SeenFilter()
    keys = [(school, str(number)) for school in range(1, 101) for number in range(1000)]
    assert sum(seen.check_and_add(key) for key in keys) < 5
    assert all(seen.check_and_add(key) for key in keys)
    assert all(key in seen for key in keys)
    assert sum((101, str(number)) in seen for number in range(10_000)) < 5


@pytest.fixture
def maybe_filters(monkeypatch):
    """Filters that say "maybe" to every key: every check goes to the table."""
    monkeypatch.setattr(SeenFilter, "check_and_add", lambda self, key: True)
    monkeypatch.setattr(SeenFilter, "__contains__", lambda self, key: True)
    monkeypatch.setattr(ledger, "FLUSH_ROWS", 3)


@pytest.mark.parametrize("index_after", [1000, 3])
@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_duplicates_are_found_in_the_table_when_the_filter_is_full(
    maybe_filters, monkeypatch, session, make_school, school, run, batch_size, index_after
):
    monkeypatch.setattr(ledger, "INDEX_AFTER_MAYBES", index_after)
    other = make_school("654321")
    number = national_number()
    rows = [
        pupil(school, "1", rijksregisternummer=number),
        pupil(school, "2"),
        pupil(other, "1"),
        pupil(school, "1"),
        pupil(school, "3", rijksregisternummer=number),
        pupil(other, "2", rijksregisternummer=number),
        pupil(school, "4"),
    ]
    report = run(rows, batch_size=batch_size, skip_invalid=True)
    assert codes(report) == [
        (2, "stamnummer", "repeated_stamnummer"),
        (2, "rijksregisternummer", "repeated_national_number"),
        (5, "stamnummer", "duplicate_stamnummer"),
        (6, "rijksregisternummer", "duplicate_national_number"),
    ]
    assert [p.params.get("earlier", p.params.get("later")) for p in report.problems] == [
        5,
        6,
        2,
        2,
    ]
    # With --skip-invalid the first line of a pair is imported, the repeat is skipped.
    assert (report.counts["created"], report.invalid) == (5, 2)
    assert [e.stamnummer for e in active_enrollments(session, school)] == ["1", "2", "4"]


@pytest.mark.parametrize("index_after", [1000, 0])
@pytest.mark.parametrize("batch_size", [1, 1000])
def test_a_full_filter_changes_no_outcome_of_a_second_import(
    maybe_filters, monkeypatch, session, school, run, batch_size, index_after
):
    monkeypatch.setattr(ledger, "INDEX_AFTER_MAYBES", index_after)
    number = national_number()
    run([pupil(school, "1", rijksregisternummer=number), pupil(school, "2")])
    rows = [pupil(school, "1"), pupil(school, "5", rijksregisternummer=number)]
    report = run(rows, batch_size=batch_size, skip_invalid=True)
    assert codes(report) == [(3, "rijksregisternummer", "stamnummer_conflict")]
    assert report.problems[0].params == {"stamnummer": "1", "earlier": 2}
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 1, "ended": 1}
    assert [e.stamnummer for e in active_enrollments(session)] == ["1"]
