"""The demo: seeding is realistic and idempotent, and `leerid demo` serves a working site."""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from idp import totp
from idp.cli.demo import leerid_command, welcome
from idp.credentials.pictures import CATEGORIES, pictures_of
from idp.demo import ensure_demo_app, seed_demo
from idp.demo.data import SCHOOLS, demo_people
from idp.hashing import matches_hash, secret_hash
from idp.models import (
    Account,
    AccountKind,
    AccountStatus,
    AdminRole,
    AdminUser,
    AuditEvent,
    Client,
    CredentialType,
    EducationType,
    Enrollment,
    Person,
    School,
)
from idp.national_number import parse_national_number
from idp.passwords import verify_secret
from idp.services.cards import find_account_by_card

TABLES = (School, Person, Enrollment, Account, AdminUser, AuditEvent)


def counts(session):
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) for model in TABLES
    }


@pytest.fixture
def seeded(session, secrets):
    info = seed_demo(session, secrets)
    session.commit()
    return info


def test_seeding_is_idempotent(session, secrets, seeded):
    assert seeded.seeded is True
    before = counts(session)
    again = seed_demo(session, secrets)
    session.commit()
    assert again.seeded is False
    assert counts(session) == before


def test_seeded_data_matches_the_demo_description(session, seeded):
    people = demo_people()
    assert counts(session)["Person"] == len(people)
    assert counts(session)["School"] == len(SCHOOLS)
    provinces = {school.province for school in session.scalars(select(School))}
    assert len(provinces) == len(SCHOOLS)
    with_account = sum(1 for p in people if p.account is not None)
    assert counts(session)["Account"] == with_account
    assert 0 < with_account < len(people)
    names = {(p.first_name, p.last_name) for p in session.scalars(select(Person))}
    for name in [("Noëlla", "Van den Broeck"), ("Çağan", "Yılmaz"), ("Zoë", "D'Hondt")]:
        assert name in names
    usernames = session.scalars(select(Account.username)).all()
    assert "noella.vandenbroeck" in usernames and "cagan.yilmaz" in usernames
    assert all(u.isascii() and u == u.lower() and "@" not in u for u in usernames)


def test_national_numbers_are_valid_hashed_and_encrypted(session, secrets, seeded):
    persons = session.scalars(select(Person)).all()
    official = [p for p in persons if p.has_official_data]
    assert 0 < len(official) < len(persons)
    for person in official:
        number = parse_national_number(secrets.decrypt(person.national_number_encrypted))
        assert secrets.national_number_hash(number.digits) == person.national_number_hash
        assert number.birth_date == person.birth_date
    expected = sum(1 for p in demo_people() if p.national_number is None)
    assert len(persons) - len(official) == expected


def test_demo_logins_work(session, seeded):
    roles = {login.username: login.description for login in seeded.admins}
    assert roles == {"admin": "super_admin", "schoolbeheerder": "school_admin"}
    for login in seeded.admins:
        admin = session.scalars(select(AdminUser).where(AdminUser.username == login.username)).one()
        assert verify_secret(admin.password_hash, login.password)
    school_admin = session.scalars(
        select(AdminUser).where(AdminUser.role == AdminRole.SCHOOL_ADMIN)
    )
    assert len(school_admin.one().schools) >= 1
    assert len(seeded.pupils) >= 3
    for login in seeded.pupils:
        account = session.scalars(select(Account).where(Account.username == login.username)).one()
        assert verify_secret(account.password_hash, login.password)
        assert account.status is AccountStatus.ACTIVE


def test_the_demo_offers_a_picture_password_and_a_card(session, seeded):
    (login,) = [login for login in seeded.pupils if login.pictures]
    account = session.scalars(select(Account).where(Account.username == login.username)).one()
    assert account.credential_type is CredentialType.PICTURE
    assert [p.dutch for p in pictures_of(login.password)] == list(login.pictures)
    assert len(login.pictures) == len(CATEGORIES)
    assert login.card_url.startswith("http://127.0.0.1:5000/k/")
    token = login.card_url.rsplit("/", 1)[1]
    assert find_account_by_card(session, token) == account
    lines = "\n".join(welcome(seeded, "http://127.0.0.1:5000"))
    assert login.username in lines and ", ".join(login.pictures) in lines
    assert f"kaart / card (QR):  {login.card_url}" in lines
    # Every demo account has a card; some basic pupils have pictures, some a word password.
    accounts = session.scalars(select(Account)).all()
    assert all(a.card_token_hash for a in accounts)
    basic = {a.credential_type for a in accounts if a.kind is AccountKind.BASIC}
    assert basic == {CredentialType.WORD, CredentialType.PICTURE}


def test_logins_are_the_same_on_the_next_run(session, secrets, seeded):
    again = seed_demo(session, secrets)
    assert again.admins == seeded.admins
    assert again.pupils == seeded.pupils
    assert all(login.password for login in again.admins + again.pupils)


def test_a_demo_seeded_before_typeable_cards_still_shows_its_cards(session, secrets, seeded):
    from idp.demo.seed import OLD_CARD_TOKEN_LENGTH, _card_token, demo_secret

    (login,) = [login for login in seeded.pupils if login.pictures]
    account = session.scalars(select(Account).where(Account.username == login.username)).one()
    stored = account.card_token_hash or ""
    (spec,) = [p for p in demo_people() if matches_hash(_card_token(secrets, p), stored)]
    old_token = demo_secret(secrets, f"card:{spec.key}", OLD_CARD_TOKEN_LENGTH)
    account.card_token_hash = secret_hash(old_token)
    session.commit()
    (again,) = [p for p in seed_demo(session, secrets).pupils if p.username == login.username]
    assert again.card_url == f"http://127.0.0.1:5000/k/{old_token}"
    assert find_account_by_card(session, old_token) == account


def test_a_database_with_other_data_is_left_alone(session, secrets, make_school):
    make_school("123456")
    info = seed_demo(session, secrets)
    assert (info.seeded, info.admins, info.pupils) == (False, (), ())
    assert counts(session)["School"] == 1


def test_demo_app_is_registered_once_with_a_stable_secret(session, secrets, seeded):
    first = ensure_demo_app(session, secrets, "http://127.0.0.1:5001")
    session.commit()
    seed_demo(session, secrets)
    again = ensure_demo_app(session, secrets, "http://127.0.0.1:5001")
    session.commit()
    assert again == first
    client = session.scalars(select(Client)).one()
    assert client.client_id == first.client_id
    assert matches_hash(first.client_secret, client.client_secret_hash)
    assert client.token_endpoint_auth_method == "client_secret_basic"
    assert client.description.startswith("Oefen je rekenen")
    assert client.description_en.startswith("Practise your sums")
    assert client.allowed_scopes == ["openid", "profile", "school", "ov_leerling"]
    assert client.redirect_uris == ["http://127.0.0.1:5001/callback"]
    assert client.post_logout_redirect_uris == ["http://127.0.0.1:5001/afgemeld"]
    assert client.backchannel_logout_uri == "http://127.0.0.1:5001/backchannel-logout"
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor == "demo")).all()
    assert actions.count("client.add") == 1 and "client.update" not in actions


def test_a_demo_on_another_port_adds_its_addresses_and_keeps_the_first(session, secrets, seeded):
    first = ensure_demo_app(session, secrets, "http://127.0.0.1:5001")
    moved = ensure_demo_app(session, secrets, "http://127.0.0.1:8081")
    session.commit()
    assert (moved.client_id, moved.client_secret) == (first.client_id, first.client_secret)
    client = session.scalars(select(Client)).one()
    assert client.redirect_uris == [
        "http://127.0.0.1:5001/callback",
        "http://127.0.0.1:8081/callback",
    ]
    assert client.post_logout_redirect_uris == [
        "http://127.0.0.1:5001/afgemeld",
        "http://127.0.0.1:8081/afgemeld",
    ]
    # One start page and one back channel: the latest demo's.
    assert client.client_uri == "http://127.0.0.1:8081/"
    assert client.backchannel_logout_uri == "http://127.0.0.1:8081/backchannel-logout"
    update = session.scalars(select(AuditEvent).where(AuditEvent.action == "client.update")).one()
    assert "redirect_uris" in update.details["changed"]
    # Starting either again changes nothing more than the single-valued addresses.
    ensure_demo_app(session, secrets, "http://127.0.0.1:8081")
    session.commit()
    assert (
        len(session.scalars(select(AuditEvent).where(AuditEvent.action == "client.update")).all())
        == 1
    )


def test_the_demo_keeps_the_latest_five_addresses(session, secrets, seeded):
    for port in range(8001, 8008):
        ensure_demo_app(session, secrets, f"http://127.0.0.1:{port}")
    client = session.scalars(select(Client)).one()
    assert client.redirect_uris == [f"http://127.0.0.1:{p}/callback" for p in range(8003, 8008)]


def test_welcome_names_the_demo_app_or_why_it_did_not_start(seeded):
    lines = list(welcome(seeded, "http://127.0.0.1:5000", "http://127.0.0.1:5001"))
    assert "Probeer de demo-app / try the demo app:  http://127.0.0.1:5001  (Rekenrally)" in lines
    lines = list(welcome(seeded, "http://127.0.0.1:5000", problem="port 5001: in use"))
    assert "Demo-app niet gestart / demo app not started: port 5001: in use" in lines


def banner_admins(text: str) -> dict[str, tuple[str, str]]:
    """The administrators' sign-ins the banner prints: username -> (password, TOTP secret)."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("Schoolloket (beheerders"))
    passwords: dict[str, str] = {}
    secrets: dict[str, str] = {}
    target = passwords
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        if line.strip().startswith(("Verificatiecode", "/ add the key")):
            target = secrets
            continue
        username, value = line.split()[:2]
        target[username] = value
    assert set(secrets) == set(passwords), text
    return {username: (passwords[username], secrets[username]) for username in passwords}


def schoolloket_form(page: str, username: str, password: str, secret: str | None) -> dict[str, str]:
    """The sign-in form as a browser posts it, with the code an authenticator app shows now."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, page
    code = totp.code_at(secret, time.time()) if secret else ""
    return {"csrf_token": token.group(1), "username": username, "password": password, "code": code}


def test_the_banners_administrator_sign_ins_open_the_schoolloket(app, seeded):
    admins = banner_admins("\n".join(welcome(seeded, "http://127.0.0.1:5000")))
    assert set(admins) == {"admin", "schoolbeheerder"}
    pages = {}
    for username, (password, secret) in admins.items():
        browser = app.test_client()
        form = schoolloket_form(
            browser.get("/schoolloket/aanmelden").get_data(as_text=True), username, password, None
        )
        refused = browser.post("/schoolloket/aanmelden", data=form)  # the code is needed
        assert "niet juist" in refused.get_data(as_text=True)
        form = schoolloket_form(
            browser.get("/schoolloket/aanmelden").get_data(as_text=True), username, password, secret
        )
        signed_in = browser.post("/schoolloket/aanmelden", data=form)
        # Straight in: no new password or TOTP enrolment first.
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
        assert signed_in.headers["Location"].endswith("/schoolloket/")
        listed = browser.get("/schoolloket/leerlingen")
        assert listed.status_code == 200
        pages[username] = listed.get_data(as_text=True)
        assert "LeerID Beheer" in pages[username]
        assert re.search(r"[1-9]\d* leerlingen gevonden", pages[username])
        department = browser.get("/schoolloket/beheer/scholen").status_code
        assert department == (200 if username == "admin" else 404)


@pytest.mark.parametrize(
    ("argv0", "on_path", "expected"),
    [
        # The README's quick start: .venv/bin/leerid demo, with nothing on the PATH.
        (".venv/bin/leerid", None, ".venv/bin/leerid"),
        ("/home/juf An/leerid/.venv/bin/leerid", None, "'/home/juf An/leerid/.venv/bin/leerid'"),
        # Another leerid on the PATH would use another installation.
        (".venv/bin/leerid", "/usr/bin/leerid", ".venv/bin/leerid"),
        ("/usr/local/bin/leerid", "/usr/local/bin/leerid", "leerid"),
    ],
)
def test_the_banner_names_leerid_as_it_can_be_typed(seeded, argv0, on_path, expected):
    command = leerid_command(argv0, which=lambda name: on_path)
    assert command == expected
    lines = list(welcome(seeded, "http://127.0.0.1:5000", command=command))
    assert f"Dekking / coverage:  {expected} stats" in lines


def test_as_a_module_the_banner_names_python_m(seeded):
    command = leerid_command("/src/leerid/idp/cli/__main__.py", which=lambda name: None)
    assert command == f"{shlex.quote(sys.executable)} -m idp.cli"


def test_start_page_links_to_the_demo_app_only_in_the_demo(app, client):
    assert "5001" not in client.get("/").get_data(as_text=True)
    app.config["DEMO_APP_URL"] = "http://127.0.0.1:5001"
    assert 'href="http://127.0.0.1:5001"' in client.get("/").get_data(as_text=True)


def expected_coverage():
    """Pupils and accounts per education type, computed from the seeding data."""
    pupils, accounts = Counter(), Counter()
    for person in demo_people():
        types = {e.education_type for e in person.enrollments if e.end_date is None}
        for kind in types:
            pupils[kind] += 1
            accounts[kind] += person.account is AccountStatus.ACTIVE
    return pupils, accounts


def test_stats_match_the_seeded_data(leerid, seeded):
    result = leerid("stats", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    pupils, accounts = expected_coverage()
    for kind in EducationType:
        row = data["education_types"][kind.value]
        assert (row["pupils"], row["accounts"]) == (pupils[kind], accounts[kind]), kind
    assert len({row["coverage"] for row in data["education_types"].values()}) >= 4
    current = [p for p in demo_people() if any(e.end_date is None for e in p.enrollments)]
    assert data["total"]["pupils"] == len(current)
    assert data["total"]["accounts"] == sum(p.account is AccountStatus.ACTIVE for p in current)


def test_demo_refuses_a_production_configuration(leerid, monkeypatch):
    monkeypatch.setenv("LEERID_SERVER_ENVIRONMENT", "production")
    monkeypatch.setenv("LEERID_SERVER_ISSUER", "https://leerid.example.be")
    # Production requires these too; without them that error would hide the refusal.
    monkeypatch.setenv("LEERID_THROTTLE_REDIS_URL", "redis://127.0.0.1:6379/0")
    result = leerid("demo", "--port", "5999")
    assert result.exit_code == 1
    assert "refuses to run when server.environment is production" in result.output


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_page(port, path="/"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def _request(
    port: int, method: str, path: str, cookie: str = "", body: str | None = None
) -> tuple[int, dict[str, str], str]:
    """One request to a running LeerID: status, cookies set, body."""
    headers = {"Cookie": f"leerid_admin={cookie}"} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        jar: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        cookies = {name: morsel.value for name, morsel in jar.items()}
        return response.status, cookies, response.read().decode("utf-8")
    finally:
        connection.close()


def schoolloket_over_http(port: int, username: str, password: str, secret: str) -> tuple[int, str]:
    """Sign in to a running LeerID's Schoolloket as a browser does; the pupil list's
    status and page."""
    _status, cookies, page = _request(port, "GET", "/schoolloket/aanmelden")
    cookie = cookies["leerid_admin"]
    form = urlencode(schoolloket_form(page, username, password, secret))
    status, cookies, _page = _request(port, "POST", "/schoolloket/aanmelden", cookie, form)
    assert status == 302, (username, _page)
    status, _cookies, listed = _request(
        port, "GET", "/schoolloket/leerlingen", cookies["leerid_admin"]
    )
    return status, listed


@pytest.mark.slow
def test_leerid_demo_serves_the_site(tmp_path):
    port, app_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERID_")}
    env.update(LEERID_PASSWORDS_ARGON2_MEMORY_COST="64", LEERID_PASSWORDS_ARGON2_TIME_COST="1")
    # This checkout's code, also when an installed copy elsewhere would be found first.
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    command = [sys.executable, "-m", "idp.cli", "demo", "--port", str(port)]
    command += ["--app-port", str(app_port)]
    log = tmp_path / "demo.log"
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=output, stderr=output)
        try:
            deadline = time.monotonic() + 60
            page = None
            while page is None and time.monotonic() < deadline:
                assert process.poll() is None, log.read_text()
                try:
                    page = get_page(port)
                except OSError:
                    time.sleep(0.3)
            assert page is not None, log.read_text()
            app_page = get_page(app_port)
            # The administrators' sign-ins the banner printed open the Schoolloket.
            admins = banner_admins(log.read_text())
            consoles = {
                username: schoolloket_over_http(port, username, password, secret)
                for username, (password, secret) in admins.items()
            }
        finally:
            process.terminate()
            returncode = process.wait(timeout=30)
    status, body = page
    assert status == 200
    assert "Eén login voor al je schoolapps" in body
    assert f'href="http://127.0.0.1:{app_port}"' in body
    assert app_page[0] == 200 and "Aanmelden met LeerID" in app_page[1]
    assert set(consoles) == {"admin", "schoolbeheerder"}
    for status, console in consoles.values():
        assert status == 200 and "LeerID Beheer" in console
    assert returncode == 0, log.read_text()
    text = log.read_text()
    assert f"http://127.0.0.1:{port}" in text
    assert f"Probeer de demo-app / try the demo app:  http://127.0.0.1:{app_port}" in text
    assert "admin " in text
    # The banner's commands work as typed, in the directory the demo runs in.
    (stats,) = [line for line in text.splitlines() if line.startswith("Dekking / coverage:")]
    typed = stats.split(":", 1)[1].strip()
    done = subprocess.run(
        shlex.split(typed), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, (typed, done.stderr)
    assert "Education type" in done.stdout
    assert (tmp_path / "instance" / "leerid.db").exists()
    assert (tmp_path / "keys" / "secrets.json").exists()
