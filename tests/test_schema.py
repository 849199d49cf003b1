"""The migrations build exactly the models, and the database enforces the invariants."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, delete, insert, inspect, text, update
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from idp import schema
from idp.models import (
    Account,
    AccountKind,
    AuditEvent,
    Base,
    CredentialType,
    EducationType,
    Enrollment,
    Person,
    School,
)


def test_migrations_match_the_models(session):
    connection = session.connection()
    differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_downgrade_to_nothing_and_back(database_url):
    engine = create_engine(database_url)
    try:
        schema.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        schema.upgrade(engine)
        assert {t.name for t in Base.metadata.sorted_tables} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(database_url):
    engine = create_engine(database_url)
    schema.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()


@pytest.fixture
def person(session, make_school):
    school = make_school()
    person = Person(first_name="Noëlla", last_name="Van den Broeck")
    session.add(person)
    session.flush()
    session.add(
        Enrollment(
            person_id=person.id,
            school_id=school.id,
            stamnummer="1001",
            education_type=EducationType.GEWOON_LAGER,
            start_date=dt.date(2024, 9, 1),
        )
    )
    session.commit()
    return person


def _insert_account(session, person_id, username, **extra):
    values = {
        "person_id": person_id,
        "username": username,
        "kind": "basic",
        "credential_type": "word",
        "password_hash": "x",
        "must_change_password": False,
        "status": "active",
        "card_generation": 0,
        "created_at": dt.datetime.now(dt.UTC),
        "updated_at": dt.datetime.now(dt.UTC),
        **extra,
    }
    # Core insert with literal values: the database, not the ORM, must refuse bad rows.
    session.execute(insert(Account.__table__).values(**values))
    session.commit()


@pytest.mark.parametrize(
    "username",
    ["a" * 51, "noella@school.be", "Noella.vandenbroeck", ""],
)
def test_database_refuses_bad_usernames(session, person, username):
    # PostgreSQL refuses an over-long value as a data error, SQLite through the CHECK.
    with pytest.raises((IntegrityError, DataError)):
        _insert_account(session, person.id, username)
    session.rollback()


def test_database_accepts_a_50_character_username_and_refuses_duplicates(session, person):
    _insert_account(session, person.id, "a" * 50)
    other = Person(first_name="Zoë", last_name="D'Hondt")
    session.add(other)
    session.commit()
    with pytest.raises(IntegrityError):
        _insert_account(session, other.id, "a" * 50)
    session.rollback()


def test_database_refuses_email_on_basic_accounts(session, person):
    with pytest.raises(IntegrityError):
        _insert_account(session, person.id, "noella", email="n@example.org")
    session.rollback()


def test_one_active_enrollment_per_person_and_school(session, person):
    school_id = person.enrollments[0].school_id
    second = Enrollment(
        person_id=person.id,
        school_id=school_id,
        stamnummer="1002",
        education_type=EducationType.GEWOON_LAGER,
        start_date=dt.date(2024, 9, 1),
    )
    session.add(second)
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    # Once the first has ended, a new one may start.
    session.execute(update(Enrollment).values(end_date=dt.date(2025, 6, 30)))
    session.add(second)
    session.commit()


def test_stamnummer_unique_among_active_enrollments_of_a_school(session, person):
    other = Person(first_name="Çağan", last_name="Yılmaz")
    session.add(other)
    session.flush()
    session.add(
        Enrollment(
            person_id=other.id,
            school_id=person.enrollments[0].school_id,
            stamnummer="1001",
            education_type=EducationType.GEWOON_LAGER,
            start_date=dt.date(2024, 9, 1),
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_national_number_hash_and_copy_go_together(session):
    session.add(Person(first_name="A", last_name="B", national_number_hash="ab" * 32))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_national_number_hash_is_unique(session):
    for name in ("A", "B"):
        session.add(
            Person(
                first_name=name,
                last_name="X",
                national_number_hash="cd" * 32,
                national_number_encrypted="secret",
            )
        )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_unknown_province_is_refused_by_the_database(session):
    with pytest.raises(IntegrityError):
        session.execute(
            text(
                "INSERT INTO school (instellingsnummer, name, province, created_at, updated_at) "
                "VALUES ('1', 'X', 'Henegouwen', :now, :now)"
            ),
            {"now": dt.datetime.now(dt.UTC)},
        )
    session.rollback()


def test_audit_trail_is_append_only(session):
    session.execute(insert(AuditEvent).values(actor="cli", action="test", details={}))
    session.commit()
    for statement in (update(AuditEvent).values(action="changed"), delete(AuditEvent)):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(statement)
            session.commit()
        session.rollback()
    assert session.query(AuditEvent).one().action == "test"


def test_account_kinds_and_credentials_are_closed_sets():
    assert {k.value for k in AccountKind} == {"basic", "advanced"}
    assert {c.value for c in CredentialType} == {"word", "picture", "temporary", "own"}
    assert School.__table__.c.instellingsnummer.unique
