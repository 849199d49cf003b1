"""`leerid admin add`: administrators with a generated password, printed once."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from idp.models import AdminRole, AdminUser, AuditEvent
from idp.passwords import READABLE_ALPHABET, verify_secret


def stored(session, username):
    session.expire_all()
    return session.scalars(select(AdminUser).where(AdminUser.username == username)).one()


def test_add_school_admin_json(leerid, make_school, session):
    make_school("123456")
    make_school("654321")
    result = leerid(
        "admin", "add", "An.Beheer", "--school", "123456", "--school", "654321",
        "--display-name", "An Beheer", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"username", "password", "role", "schools"}
    assert data["username"] == "an.beheer"
    assert data["role"] == "school_admin"
    assert data["schools"] == ["123456", "654321"]
    alphabet = re.escape(READABLE_ALPHABET)
    assert re.fullmatch(rf"[{alphabet}]{{5}}(-[{alphabet}]{{5}}){{3}}", data["password"])
    admin = stored(session, "an.beheer")
    assert admin.display_name == "An Beheer"
    assert admin.role is AdminRole.SCHOOL_ADMIN
    assert sorted(s.instellingsnummer for s in admin.schools) == ["123456", "654321"]
    assert admin.password_hash.startswith("$argon2id$")
    assert verify_secret(admin.password_hash, data["password"])


def test_add_writes_an_audit_event_without_the_password(leerid, session):
    result = leerid("admin", "add", "chef", "--role", "super_admin", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schools"] == []
    event = session.scalars(select(AuditEvent)).one()
    assert (event.actor, event.actor_admin_id, event.action) == ("cli", None, "admin.create")
    assert event.details["username"] == "chef"
    assert event.details["role"] == "super_admin"
    assert data["password"] not in json.dumps(event.details)


def test_add_prints_the_password_once_in_text(leerid, make_school, session):
    make_school("123456")
    result = leerid("admin", "add", "beheerder", "--school", "123456")
    assert result.exit_code == 0, result.output
    assert "Created school_admin beheerder (123456)." in result.output
    password = result.output.split("stored only as a hash): ")[1].strip()
    assert verify_secret(stored(session, "beheerder").password_hash, password)


def test_every_admin_gets_another_password(leerid):
    first = json.loads(leerid("admin", "add", "een", "--role", "super_admin", "--json").output)
    second = json.loads(leerid("admin", "add", "twee", "--role", "super_admin", "--json").output)
    assert first["password"] != second["password"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["beheerder"], "a school admin needs at least one school (--school INSTNR)"),
        (["beheerder", "--school", "999999"], "no school with instellingsnummer 999999"),
        (
            ["beheerder", "--school", "123456", "--school", "888888", "--school", "999999"],
            "no school with instellingsnummer 888888, 999999",
        ),
        (
            ["beheerder", "--role", "super_admin", "--school", "123456"],
            "a super admin manages every school: do not name schools",
        ),
        (["-nope", "--role", "super_admin"], "No such option"),
        (["jan peeters", "--role", "super_admin"], "invalid username 'jan peeters'"),
        (["bestaat", "--role", "super_admin"], "an administrator named 'bestaat' already exists"),
    ],
)
def test_add_errors_are_clear_and_change_nothing(leerid, make_school, session, args, message):
    make_school("123456")
    assert leerid("admin", "add", "bestaat", "--role", "super_admin").exit_code == 0
    result = leerid("admin", "add", *args, "--json")
    assert result.exit_code != 0
    assert message in result.output
    session.expire_all()
    assert session.scalars(select(AdminUser.username)).all() == ["bestaat"]
    assert len(session.scalars(select(AuditEvent)).all()) == 1


def test_unknown_role_is_refused(leerid):
    result = leerid("admin", "add", "x", "--role", "koning")
    assert result.exit_code == 2
    assert "'koning' is not one of 'school_admin', 'super_admin'" in result.output
