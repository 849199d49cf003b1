"""The Schoolloket as a whole: its own error pages, the department's school field, forms
that keep what was typed, oversized posts, and the "session ended" notice."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import update
from werkzeug.test import EnvironBuilder, run_wsgi_app

from idp.models import AdminSession, utcnow

from .conftest import csrf_of, sign_in


@pytest.fixture
def two_schools(make_school, make_admin, enrol):
    """Schools A and B, two pupils of the same group in A and one in B; A's administrator."""
    a = make_school(instellingsnummer="111111", name="Basisschool A")
    b = make_school(instellingsnummer="222222", name="Basisschool B")
    enrol(a, "Yalçın", "Demir", group="1A")
    enrol(a, "Zoë", "D'Hondt", group="1A")
    enrol(b, "Yalcin", "Aydin", group="1A")
    return {"a": a, "b": b, "admin_a": make_admin("beheerder.a", a)}


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_department_picks_a_school_by_its_instellingsnummer(client, two_schools, make_admin):
    sign_in(client, make_admin("departement", super_admin=True))
    everyone = _text(client.get("/schoolloket/leerlingen?group=1A"))
    assert "Aydin" in everyone and "Demir" in everyone
    assert 'name="instellingsnummer"' in everyone
    school_a = _text(client.get("/schoolloket/leerlingen?instellingsnummer=111111"))
    assert "Demir" in school_a and "Aydin" not in school_a
    assert '<select id="group"' in school_a  # one school: its groups to choose from
    unknown = _text(client.get("/schoolloket/leerlingen?instellingsnummer=999999"))
    assert "Geen school heeft dit instellingsnummer." in unknown
    assert "Demir" not in unknown and "Aydin" not in unknown

    # The box beside "Stamnummer" now takes one school's class, as the refusal asked.
    token = csrf_of(school_a)
    mixed = client.post(
        "/schoolloket/leerids/nieuw", data={"csrf_token": token, "all": "1", "group": "1A"}
    )
    assert mixed.status_code == 400 and "verschillende scholen" in _text(mixed)
    one = client.post(
        "/schoolloket/leerids/nieuw",
        data={"csrf_token": token, "all": "1", "group": "1A", "instellingsnummer": "111111"},
    )
    assert one.status_code == 200 and "Maak 2 LeerID's aan" in _text(one)


def test_a_school_administrator_cannot_name_another_school(client, two_schools):
    sign_in(client, two_schools["admin_a"])
    page = _text(client.get("/schoolloket/leerlingen?instellingsnummer=222222"))
    assert "Aydin" not in page and "Demir" not in page


def test_error_pages_keep_the_schoolloket(client, two_schools):
    sign_in(client, two_schools["admin_a"])
    missing = client.get("/schoolloket/leerlingen/99999")
    assert missing.status_code == 404
    assert "LeerID Schoolloket" in _text(missing) and "Naar LeerID Beheer" in _text(missing)
    typo = client.get("/schoolloket/leerlingenn")
    assert typo.status_code == 404 and "Naar LeerID Beheer" in _text(typo)
    wrong_way = client.get("/schoolloket/leerlingen/1/blokkeren")
    assert wrong_way.status_code == 405
    assert "Deze pagina opent niet zo" in _text(wrong_way)
    refused = client.post("/schoolloket/leerlingen/1/blokkeren", data={"csrf_token": "oud"})
    assert refused.status_code == 400
    assert "Het formulier is niet verstuurd" in _text(refused)
    assert "Naar LeerID Beheer" in _text(refused)
    # The pupils' pages keep theirs.
    assert "Naar LeerID Beheer" not in _text(client.get("/bestaat-niet"))


def test_an_oversized_post_is_refused_unread(client, two_schools):
    page = _text(client.get("/schoolloket/aanmelden"))
    data = {"csrf_token": csrf_of(page), "username": "x" * 3_000_000, "password": "p"}
    refused = client.post("/schoolloket/aanmelden", data=data)
    assert refused.status_code == 413 and refused.mimetype == "text/html"
    assert "Dit formulier is te groot." in _text(refused)
    assert len(refused.data) < 100_000

    # Sent in chunks, without a declared length: refused as soon as it passes the limit.
    body = urlencode(data).encode()

    def chunks():
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    builder = EnvironBuilder(
        path="/schoolloket/aanmelden",
        method="POST",
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked", "Cookie": _cookies(client)},
    )

    def send_chunked(parts) -> tuple[str, str]:
        environ = builder.get_environ()
        environ.pop("CONTENT_LENGTH", None)
        environ["wsgi.input"] = io.BufferedReader(_Chunked(parts))
        environ["wsgi.input_terminated"] = True  # as gunicorn says of a chunked body
        app_iter, status, _headers = run_wsgi_app(client.application, environ)
        return status, b"".join(app_iter).decode()

    status, answer = send_chunked(chunks())
    assert status.startswith("413") and "Dit formulier is te groot." in answer
    assert len(answer) < 100_000
    # A chunked form of a normal size is read as usual.
    small = urlencode({**data, "username": "chunky"}).encode()
    status, answer = send_chunked([small[:10], small[10:]])
    assert status.startswith("200") and 'value="chunky"' in answer
    assert "De gebruikersnaam, het wachtwoord of de verificatiecode is niet juist." in answer
    # The pupils' pages keep the app's own, larger limit.
    assert client.post("/login", data={"username": "x" * 3_000_000}).status_code != 413


def _cookies(client) -> str:
    return "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())


class _Chunked(io.RawIOBase):
    """A request body with no length, read as it comes (a chunked upload)."""

    def __init__(self, parts):
        self._parts = iter(parts)
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._rest:
            self._rest = next(self._parts, b"")
            if not self._rest:
                return 0
        size = min(len(buffer), len(self._rest))
        buffer[:size], self._rest = self._rest[:size], self._rest[size:]
        return size


def test_session_ended_is_said_only_to_a_browser_that_had_one(client, two_schools, session):
    client.get("/schoolloket/aanmelden")  # the pre-sign-in cookie
    page = client.get("/schoolloket/leerlingen", follow_redirects=True)
    assert "Je sessie is afgelopen" not in _text(page)
    sign_in(client, two_schools["admin_a"])
    assert client.get("/schoolloket/leerlingen").status_code == 200
    # Idle for a day: that browser's session has ended, and it is told so.
    session.execute(update(AdminSession).values(last_seen_at=utcnow() - dt.timedelta(days=1)))
    session.commit()
    after = client.get("/schoolloket/leerlingen", follow_redirects=True)
    assert "Je sessie is afgelopen" in _text(after)


def test_refused_department_forms_keep_every_choice(client, make_school, make_admin):
    make_school(instellingsnummer="555555", name="Atheneum E")
    sign_in(client, make_admin("departement", super_admin=True))
    token = csrf_of(_text(client.get("/schoolloket/beheer/toepassingen")))
    app_form = {
        "csrf_token": token,
        "name": "Rekenrally",
        "redirect_uris": "https://rekenrally.example/cb",
        "kind": "public",
        "listed": "1",
        "scope": ["profile", "email"],
    }
    refused = client.post("/schoolloket/beheer/toepassingen", data=app_form)
    assert refused.status_code == 400  # listed without a start page
    html = _text(refused)
    assert re.search(r'value="public" checked', html)
    assert not re.search(r'value="confidential" checked', html)
    assert re.search(r'name="listed" value="1" checked', html)
    assert re.search(r'value="email"[^>]* checked', html)

    admin_form = {
        "csrf_token": token,
        "username": "nieuwe.beheerder",
        "display_name": "Nieuwe Beheerder",
        "role": "school_admin",
        "schools": "555555 999999",
    }
    refused = client.post("/schoolloket/beheer/beheerders", data=admin_form)
    assert refused.status_code == 400
    html = _text(refused)
    assert 'value="nieuwe.beheerder"' in html and 'value="Nieuwe Beheerder"' in html
    assert 'value="555555 999999"' in html
    assert re.search(r'value="school_admin" checked', html)


def test_english_pages_use_european_dates(client, two_schools):
    sign_in(client, two_schools["admin_a"])
    page = _text(client.get("/schoolloket/audit?lang=en"))
    assert "Audit trail" in page
    # The sign-in's own row: day/month/year and a 24-hour clock, as in Belgium.
    assert re.search(r"<td>\d{2}/\d{2}/\d{4}, \d{2}:\d{2}</td>", page), page
    assert not re.search(r"\d{1,2}:\d{2}\s?[AP]M", page)


def _language_links(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="[^"]*" class="languages">(.*?)</nav>', html, re.S)
    return re.findall(r'href="([^"]+)"', nav.group(1)) if nav else []


def test_language_links_lead_only_to_pages_that_open(client, two_schools):
    sign_in(client, two_schools["admin_a"])
    listing = _text(client.get("/schoolloket/leerlingen?group=1A"))
    links = _language_links(listing)
    assert len(links) == 2
    # English first, then back to Dutch (the choice is remembered).
    assert all(client.get(link.replace("&amp;", "&")).status_code == 200 for link in links[::-1])
    # A screen that answers a form only POST reaches offers no link to itself: following
    # it would meet 405, and sending the form again could repeat what it did.
    screen = client.post(
        "/schoolloket/leerids/nieuw", data={"csrf_token": csrf_of(listing), "all": "1"}
    )
    assert screen.status_code == 200 and "Maak 2 LeerID's aan" in _text(screen)
    assert _language_links(_text(screen)) == []


def test_unreadable_input_keeps_the_schoolloket(client, two_schools):
    sign_in(client, two_schools["admin_a"])
    refused = client.get("/schoolloket/leerlingen?q=%00")
    html = _text(refused)
    assert refused.status_code == 400
    assert "LeerID kan niet lezen wat er verstuurd werd" in html
    assert "LeerID Schoolloket" in html and "Naar LeerID Beheer" in html
    assert "ga dan terug naar die app" not in html  # the pupils' advice
    # The pupils keep theirs.
    pupils = _text(client.get("/login?lang=nl&x=%00"))
    assert "ga dan terug naar die app" in pupils and "Schoolloket" not in pupils
