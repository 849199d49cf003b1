"""Fixtures for the Schoolloket: administrators, pupils of two schools, a signed-in client."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from idp import totp
from idp.keystore import Secrets
from idp.models import AdminRole, EducationType, Enrollment, Person, School
from idp.services.admin_sessions import enrol_known_totp
from idp.services.admins import create_admin

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The Schoolloket form token in a page."""
    found = CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


@dataclass
class Admin:
    """An administrator the tests can sign in as."""

    username: str
    password: str
    secret: str | None


def current_code(secret: str) -> str:
    """The code an authenticator app shows now."""
    return totp.code_at(secret, time.time())


def sign_in(client: Any, admin: Admin, code: str | None = None) -> Any:
    """Post the sign-in form as a browser does (token from the page); returns the response."""
    page = client.get("/schoolloket/aanmelden")
    data = {
        "csrf_token": csrf_of(page.get_data(as_text=True)),
        "username": admin.username,
        "password": admin.password,
        "code": code if code is not None else (current_code(admin.secret) if admin.secret else ""),
    }
    return client.post("/schoolloket/aanmelden", data=data)


@pytest.fixture
def make_admin(session: Session, secrets: Secrets) -> Callable[..., Admin]:
    """An administrator; `enrolled` ones have chosen a password and a TOTP secret."""

    def make(
        username: str, *schools: School, enrolled: bool = True, super_admin: bool = False
    ) -> Admin:
        created = create_admin(
            session,
            username,
            role=AdminRole.SUPER_ADMIN if super_admin else AdminRole.SCHOOL_ADMIN,
            schools=[s.instellingsnummer for s in schools],
            actor="test",
        )
        secret = None
        if enrolled:
            secret = totp.new_secret()
            created.admin.must_change_password = False
            enrol_known_totp(created.admin, secret, secrets)
        session.commit()
        return Admin(username, created.password, secret)

    return make


@pytest.fixture
def enrol(session: Session, secrets: Secrets) -> Callable[..., Enrollment]:
    """Enroll a new pupil in a school; with `official` a (fake) national number."""
    counter = iter(range(1, 100_000))

    def make(
        school: School,
        first: str,
        last: str,
        *,
        group: str = "3A",
        official: bool = True,
        education_type: EducationType = EducationType.GEWOON_LAGER,
    ) -> Enrollment:
        number = next(counter)
        person = Person(first_name=first, last_name=last)
        if official:
            person.national_number_hash = f"{school.id:08d}{number:056d}"
            person.national_number_encrypted = secrets.encrypt(f"nn-{school.id}-{number}")
        enrollment = Enrollment(
            person=person,
            school=school,
            stamnummer=f"{school.instellingsnummer[-3:]}{number:04d}",
            administrative_group=group,
            grade="3",
            education_type=education_type,
            start_date=dt.date(2025, 9, 1),
        )
        session.add(enrollment)
        session.commit()
        return enrollment

    return make
