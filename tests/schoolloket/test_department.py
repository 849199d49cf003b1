"""The department's pages (super administrators): schools, applications, administrators;
to a school administrator they do not exist."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from idp.hashing import secret_hash
from idp.models import AdminSession, AdminUser, AuditEvent, Client

from .conftest import Admin, csrf_of, sign_in

PAGES = ["/beheer/scholen", "/beheer/toepassingen", "/beheer/beheerders"]


@pytest.fixture
def department(client, make_school, make_admin):
    make_school(instellingsnummer="555555", name="Atheneum E")
    sign_in(client, make_admin("departement", super_admin=True))
    return client


def _token(client) -> str:
    return csrf_of(client.get("/schoolloket/beheer/toepassingen").get_data(as_text=True))


def test_school_administrators_do_not_see_the_department_pages(client, make_school, make_admin):
    sign_in(client, make_admin("beheerder", make_school()))
    token = csrf_of(client.get("/schoolloket/leerlingen").get_data(as_text=True))
    for path in PAGES:
        assert client.get("/schoolloket" + path).status_code == 404, path
    for path in PAGES[1:]:  # the pages with a form
        assert client.post("/schoolloket" + path, data={"csrf_token": token}).status_code == 404
    assert "Toepassingen" not in client.get("/schoolloket/leerlingen").get_data(as_text=True)


def test_an_application_is_added_changed_given_a_new_secret_and_disabled(department, session):
    token = _token(department)
    form = {
        "csrf_token": token,
        "name": "Rekenkoning",
        "vendor": "Uitgeverij Plus",
        "redirect_uris": "https://rekenkoning.example/callback\n",
        "scope": ["profile", "school"],
        "kind": "confidential",
    }
    page = department.post("/schoolloket/beheer/toepassingen", data=form).get_data(as_text=True)
    secret = re.search(r"client_secret: <span class=\"secret\">([^<]+)<", page).group(1)
    app = session.scalar(select(Client).where(Client.name == "Rekenkoning"))
    assert app.client_secret_hash == secret_hash(secret)
    assert set(app.allowed_scopes) == {"openid", "profile", "school"}

    bad = {"csrf_token": token, "redirect_uris": "http://rekenkoning.example/cb", "scope": []}
    refused = department.post(f"/schoolloket/beheer/toepassingen/{app.id}", data=bad)
    assert refused.status_code == 400
    assert "moet beginnen met https://" in refused.get_data(as_text=True)
    session.refresh(app)
    assert app.redirect_uris == ["https://rekenkoning.example/callback"]

    good = {"csrf_token": token, "redirect_uris": "https://rekenkoning.example/v2/callback"}
    assert (
        department.post(f"/schoolloket/beheer/toepassingen/{app.id}", data=good).status_code == 200
    )
    session.refresh(app)
    assert app.redirect_uris == ["https://rekenkoning.example/v2/callback"]
    assert app.allowed_scopes == ["openid"]

    # "Nieuw geheim" asks first: the app stops signing pupils in until its vendor acts.
    asked = department.post(
        f"/schoolloket/beheer/toepassingen/{app.id}/geheim", data={"csrf_token": token}
    ).get_data(as_text=True)
    assert "Een nieuw clientgeheim voor Rekenkoning?" in asked
    session.refresh(app)
    assert app.client_secret_hash == secret_hash(secret)
    rotated = department.post(
        f"/schoolloket/beheer/toepassingen/{app.id}/geheim",
        data={"csrf_token": token, "confirmed": "1"},
    ).get_data(as_text=True)
    new_secret = re.search(r"client_secret: <span class=\"secret\">([^<]+)<", rotated).group(1)
    session.refresh(app)
    assert app.client_secret_hash == secret_hash(new_secret) != secret_hash(secret)

    department.post(
        f"/schoolloket/beheer/toepassingen/{app.id}/uitschakelen",
        data={"csrf_token": token, "confirmed": "1"},
    )
    session.refresh(app)
    assert app.disabled_at is not None
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"client.add", "client.update", "client.rotate_secret", "client.disable"} <= actions


def test_an_administrator_is_added_and_deactivated(department, session, client):
    token = _token(department)
    refused = department.post(
        "/schoolloket/beheer/beheerders",
        data={"csrf_token": token, "username": "nieuw", "role": "school_admin", "schools": "999"},
    )
    assert refused.status_code == 400
    assert "Geen school heeft instellingsnummer 999" in refused.get_data(as_text=True)
    too_long = department.post(
        "/schoolloket/beheer/beheerders",
        data={
            "csrf_token": token,
            "username": "nieuw",
            "display_name": "N" * 201,
            "role": "school_admin",
            "schools": "555555",
        },
    )
    assert too_long.status_code == 400
    assert "Naam is te lang: hoogstens 200 karakters." in too_long.get_data(as_text=True)
    page = department.post(
        "/schoolloket/beheer/beheerders",
        data={
            "csrf_token": token,
            "username": "nieuw",
            "role": "school_admin",
            "schools": "555555",
        },
    ).get_data(as_text=True)
    password = re.search(r'<span class="secret">([^<]+)<', page).group(1)

    newcomer = client.application.test_client()
    first = sign_in(newcomer, Admin("nieuw", password, None), code="")
    assert first.headers["Location"].endswith("/schoolloket/nieuw-wachtwoord")

    created = session.scalar(select(AdminUser).where(AdminUser.username == "nieuw"))
    department.post(
        f"/schoolloket/beheer/beheerders/{created.id}/deactiveren",
        data={"csrf_token": token, "confirmed": "1"},
    )
    session.expire_all()
    assert not session.get(AdminUser, created.id).is_active
    live = session.scalars(select(AdminSession).where(AdminSession.admin_id == created.id))
    assert all(s.ended_at is not None for s in live)
    assert newcomer.get("/schoolloket/nieuw-wachtwoord").status_code == 302


@pytest.mark.parametrize(
    "uri",
    [
        "https://a.example:99999/cb",
        "https://*.evil.example/cb",
        "https://[::1/cb",
        "https://exämple.be/cb",
        "https://a.example/" + "x" * 3000,
        "https://a.example:0/",
    ],
)
def test_an_invalid_redirect_uri_is_refused_and_the_form_kept(department, session, uri):
    form = {"csrf_token": _token(department), "name": "Spellingspel", "redirect_uris": uri}
    refused = department.post("/schoolloket/beheer/toepassingen", data=form)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "geen geldig webadres" in page
    assert 'value="Spellingspel"' in page
    assert session.scalar(select(Client).where(Client.name == "Spellingspel")) is None


def test_too_many_redirect_uris_are_refused(department):
    uris = "\n".join(f"https://app.example/cb{n}" for n in range(21))
    form = {"csrf_token": _token(department), "name": "Veel", "redirect_uris": uris}
    refused = department.post("/schoolloket/beheer/toepassingen", data=form)
    assert refused.status_code == 400
    assert "Geef hoogstens 20 adressen." in refused.get_data(as_text=True)


def test_numbers_too_large_for_a_row_id_are_not_found(department):
    token = _token(department)
    huge = 2**63
    assert department.get(f"/schoolloket/leerlingen/{huge}").status_code == 404
    assert department.get(f"/schoolloket/beheer/toepassingen/{huge}").status_code == 404
    deactivate = f"/schoolloket/beheer/beheerders/{huge}/deactiveren"
    assert department.post(deactivate, data={"csrf_token": token}).status_code == 404
    assert department.get("/schoolloket/audit?to=9999-12-31&from=0001-01-01").status_code == 200
    pager = "/schoolloket/leerlingen?_method=POST&endpoint=x&page=2&q=a"
    assert department.get(pager).status_code == 200


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"name": "R" * 10_000}, "Naam is te lang: hoogstens 200 karakters."),
        ({"kind": "admin"}, "Kies het soort toepassing"),
        ({"redirect_uris": "https://user:pw@rekenkoning.example/cb"}, "geen geldig webadres"),
    ],
)
def test_an_application_form_that_cannot_be_taken_whole_is_refused(
    department, session, change, says
):
    form = {
        "csrf_token": _token(department),
        "name": "Rekenkoning",
        "redirect_uris": "https://rekenkoning.example/callback",
        "kind": "confidential",
        **change,
    }
    refused = department.post("/schoolloket/beheer/toepassingen", data=form)
    assert refused.status_code == 400
    assert says in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Client)) == 0


def test_an_unknown_role_is_refused_and_no_administrator_made(department, session):
    form = {"csrf_token": _token(department), "username": "nieuw", "role": "god"}
    refused = department.post("/schoolloket/beheer/beheerders", data=form)
    assert refused.status_code == 400
    assert "Kies de rol" in refused.get_data(as_text=True)
    assert session.scalar(select(AdminUser).where(AdminUser.username == "nieuw")) is None


def test_an_apps_edit_keeps_each_uri_once_and_ignores_an_empty_scope(department, session):
    token = _token(department)
    form = {
        "csrf_token": token,
        "name": "Rekenkoning",
        "redirect_uris": "https://rekenkoning.example/callback",
        "kind": "confidential",
    }
    department.post("/schoolloket/beheer/toepassingen", data=form)
    app = session.scalar(select(Client).where(Client.name == "Rekenkoning"))
    twice = "https://rekenkoning.example/cb\nhttps://rekenkoning.example/cb"
    edit = {"csrf_token": token, "redirect_uris": twice, "scope": ["", "profile"]}
    saved = department.post(f"/schoolloket/beheer/toepassingen/{app.id}", data=edit)
    assert saved.status_code == 200
    session.refresh(app)
    assert app.redirect_uris == ["https://rekenkoning.example/cb"]
    assert app.allowed_scopes == ["openid", "profile"]
