"""Passwords an administrator types on the create screen: whatever is posted (a form
sent by a tool, not the browser's maxlength), each line gets its message, nothing is
created, and never a server error (a 65-character password once reached the printer)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from idp.models import Account, EducationType

from .conftest import csrf_of, sign_in


@pytest.mark.parametrize(
    "password", ["Tijdelijk" + "x" * 55 + "1", "😀" * 8, "Tijd\u200belijk1", "x" * 10_000]
)
def test_a_password_no_card_can_print_or_no_keyboard_types_is_refused_on_its_line(
    client, session, make_school, make_admin, enrol, password
):
    school = make_school(instellingsnummer="111111", name="Atheneum A")
    pupil = enrol(school, "Yalçın", "Demir", education_type=EducationType.GEWOON_SECUNDAIR)
    sign_in(client, make_admin("beheerder.a", school))
    token = csrf_of(client.get("/schoolloket/leerlingen").get_data(as_text=True))
    screen = client.post(
        "/schoolloket/leerids/nieuw", data={"csrf_token": token, "pupil": str(pupil.id)}
    ).get_data(as_text=True)
    username = re.search(r'name="username-0" value="([^"]*)"', screen).group(1)
    refused = client.post(
        "/schoolloket/leerids/bewaren",
        data={
            "csrf_token": token,
            "pupil": str(pupil.id),
            "action": "save",
            "username-0": username,
            "credential-0": "temporary",
            "password-0": password,
        },
    )
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "een tijdelijk wachtwoord heeft 8 tot 60 karakters" in html
    assert 'maxlength="60"' in html
    assert session.scalar(select(func.count()).select_from(Account)) == 0
