"""The create screen ("Maak LeerID's aan"): the choice for the whole selection reaches
every line, there is no e-mail field, and each wrong username or missing password is
refused beside its line, in Dutch, with nothing created."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from idp.credentials import CredentialError, new_credential
from idp.models import Account, AuditEvent, CredentialBundle, CredentialType, EducationType
from idp.services.accounts import create_account

from .conftest import csrf_of, sign_in

NAMES = [("Lotte", "Peeters"), ("Noah", "Janssens"), ("Emma", "Maes")]


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


@pytest.fixture
def screen(client, session, make_school, make_admin, enrol):
    """The create screen for three basic pupils and an advanced one, opened by the school's
    administrator; a pupil elsewhere in the school already has the LeerID "bestaat.al"."""
    school = make_school(instellingsnummer="818181", name="Scholengroep Create")
    basic = [enrol(school, first, last, group="5A") for first, last in NAMES]
    advanced = enrol(
        school, "Arthur", "Wouters", group="1A", education_type=EducationType.GEWOON_SECUNDAIR
    )
    taken = enrol(school, "Bestaande", "Leerling", group="6B")
    create_account(session, taken.person, username="bestaat.al", actor="test")
    session.commit()
    sign_in(client, make_admin("beheerder.create", school))
    token = csrf_of(_text(client.get("/schoolloket/leerlingen")))
    ids = [str(e.id) for e in (*basic, advanced)]
    opened = client.post("/schoolloket/leerids/nieuw", data={"csrf_token": token, "pupil": ids})
    assert opened.status_code == 200
    return {"html": _text(opened), "token": token, "advanced": str(advanced.id)}


def _lines(html: str) -> list[dict[str, Any]]:
    """Each line of the screen: its pupil, username, checked kind of password and password."""
    rows = re.findall(r"<tr>\s*<td><input type=\"hidden\" name=\"pupil\".*?</tr>", html, re.S)
    lines = []
    for number, row in enumerate(rows):
        username = re.search(rf'name="username-{number}" value="([^"]*)"', row)
        checked = re.search(rf'name="credential-{number}" value="(\w+)" checked', row)
        hidden = re.search(rf'type="hidden" name="credential-{number}" value="(\w+)"', row)
        password = re.search(rf'name="password-{number}" value="([^"]*)"', row)
        pupil = re.search(r'name="pupil" value="(\d+)"', row)
        assert username and pupil and password, row
        lines.append(
            {
                "pupil": pupil.group(1),
                "username": username.group(1),
                "credential": (checked or hidden).group(1) if (checked or hidden) else None,
                "choice": bool(re.search(rf'name="credential-{number}" value="word"', row)),
                "password": password.group(1),
            }
        )
    return lines


def _form(screen: dict[str, Any], lines: list[dict[str, Any]], action: str) -> dict[str, Any]:
    form: dict[str, Any] = {"csrf_token": screen["token"], "action": action}
    form["pupil"] = [line["pupil"] for line in lines]
    for number, line in enumerate(lines):
        form[f"username-{number}"] = line["username"]
        form[f"credential-{number}"] = line["credential"]
        form[f"password-{number}"] = line["password"]
    return form


def _nothing_created(session) -> None:
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Account)) == 1  # bestaat.al
    assert session.scalar(select(func.count()).select_from(CredentialBundle)) == 0
    created = select(func.count()).where(AuditEvent.action == "account.create")
    assert session.scalar(created.select_from(AuditEvent)) == 1


def _is_word_password(password: str) -> bool:
    try:
        new_credential(CredentialType.WORD, password)
    except CredentialError:
        return False
    return True


def test_the_screen_proposes_a_line_per_pupil(screen):
    lines = _lines(screen["html"])
    assert len(lines) == 4
    advanced = [line for line in lines if line["pupil"] == screen["advanced"]]
    assert [line["choice"] for line in lines].count(True) == 3
    assert advanced and advanced[0]["choice"] is False
    assert all(line["username"] and line["password"] for line in lines)


@pytest.mark.parametrize("whole", ["picture", "word"])
def test_apply_to_all_reaches_every_basic_line(client, session, screen, whole):
    lines = _lines(screen["html"])
    basic = [n for n, line in enumerate(lines) if line["choice"]]
    # Mixed before: word, picture, word (each word line with its proposed password); a
    # username changed by hand.
    assert len(basic) == 3
    kept = {n: lines[n]["password"] for n in basic[::2]}
    assert all(_is_word_password(password) for password in kept.values())
    lines[basic[1]]["credential"], lines[basic[1]]["password"] = "picture", ""
    lines[basic[1]]["username"] = "eigen.keuze"
    form = _form(screen, lines, "apply")
    form["whole"] = whole
    applied = client.post("/schoolloket/leerids/bewaren", data=form)
    assert applied.status_code == 200
    after = _lines(_text(applied))
    assert [line["pupil"] for line in after] == [line["pupil"] for line in lines]
    assert [after[n]["credential"] for n in basic] == [whole] * 3
    if whole == "word":
        # The word passwords that were there stay; the picture line gets one.
        assert {n: after[n]["password"] for n in basic[::2]} == kept
        assert _is_word_password(after[basic[1]]["password"])
    else:
        assert [after[n]["password"] for n in basic] == [""] * 3
    # What was typed stays; the advanced line keeps its temporary password.
    assert after[basic[1]]["username"] == "eigen.keuze"
    advanced = next(n for n, line in enumerate(lines) if not line["choice"])
    assert after[advanced] == lines[advanced]
    _nothing_created(session)


def _inputs(html: str) -> list[str]:
    return re.findall(r"<(?:input|textarea|select)\b[^>]*>", html)


def test_the_screen_has_no_email_field(client, screen):
    html = screen["html"]
    assert _inputs(html)
    assert [tag for tag in _inputs(html) if "mail" in tag.lower()] == []
    # Said instead: since 8 February 2023 pupils add one themselves.
    assert "8 februari 2023" in html
    form = _form(screen, _lines(html), "apply")
    form["whole"] = "word"
    again = _text(client.post("/schoolloket/leerids/bewaren", data=form))
    assert [tag for tag in _inputs(again) if "mail" in tag.lower()] == []


REFUSALS = {
    "username-missing": ({0: {"username": "  "}}, {0: "Gebruikersnaam is een verplicht veld."}),
    "username-too-long": (
        {0: {"username": "a" * 51}},
        {0: "Een gebruikersnaam heeft hoogstens 50 karakters."},
    ),
    "username-at": (
        {0: {"username": "lotte@school.be"}},
        {0: "Een gebruikersnaam mag geen ‘@-teken’ bevatten."},
    ),
    "username-taken": (
        {1: {"username": " Bestaat.AL "}},
        {1: "Deze gebruikersnaam bestaat al. Voeg er bijvoorbeeld een cijfer aan toe."},
    ),
    "username-twice": (
        {0: {"username": "tweeling"}, 2: {"username": "Tweeling"}},
        {
            0: "Deze gebruikersnaam komt twee keer voor in deze selectie.",
            2: "Deze gebruikersnaam komt twee keer voor in deze selectie.",
        },
    ),
    "password-missing": (
        {0: {"credential": "word", "password": ""}},
        {0: "Wachtwoord is een verplicht veld."},
    ),
    "temporary-password-missing": (
        {3: {"password": ""}},
        {3: "Wachtwoord is een verplicht veld."},
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_each_wrong_line_is_refused_in_dutch_and_nothing_is_created(client, session, screen, case):
    changes, messages = REFUSALS[case]
    lines = _lines(screen["html"])
    # The advanced line is the last (group 1A sorts first: find it by pupil).
    order = sorted(range(4), key=lambda n: lines[n]["pupil"] == screen["advanced"])
    for row, change in changes.items():
        lines[order[row]].update(change)
    refused = client.post("/schoolloket/leerids/bewaren", data=_form(screen, lines, "save"))
    assert refused.status_code == 400
    html = _text(refused)
    assert "Sommige regels moeten aangepast worden: zie de meldingen hieronder." in html
    for row, text in messages.items():
        number = order[row]
        username_problem = case.startswith("username")
        block_id = f"username-problems-{number}" if username_problem else f"problems-{number}"
        beside = re.search(rf'<ul class="error" id="{block_id}">(.*?)</ul>', html, re.S)
        assert beside, (case, number)
        assert text in beside.group(1)
    # Only the lines named have a problem.
    flagged = set(
        map(int, re.findall(r'<ul class="error" id="(?:username-)?problems-(\d+)"', html))
    )
    assert flagged == {order[row] for row in messages}
    _nothing_created(session)


def test_fifty_characters_and_the_proposals_are_accepted(client, session, screen):
    """The limits above are the rules' own: 50 characters, typed in capitals, is saved."""
    lines = _lines(screen["html"])
    lines[0]["username"] = "B" * 50
    saved = client.post("/schoolloket/leerids/bewaren", data=_form(screen, lines, "save"))
    assert saved.status_code == 200, _text(saved)
    session.rollback()
    usernames = set(session.scalars(select(Account.username)))
    assert "b" * 50 in usernames and len(usernames) == 5
