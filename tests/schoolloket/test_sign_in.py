"""Signing in to the Schoolloket: first sign-in (new password, TOTP enrolment), TOTP at
every later sign-in, its own cookie, CSRF, throttling, sign-out, idle time-out."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import select, update

from idp import totp
from idp.models import AdminSession, AuditEvent, utcnow

from .conftest import Admin, csrf_of, current_code, sign_in


def test_first_sign_in_forces_a_new_password_and_totp_enrolment(client, make_admin, make_school):
    admin = make_admin("beheerder", make_school(), enrolled=False)
    response = sign_in(client, admin, code="")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/schoolloket/nieuw-wachtwoord")
    cookie = client.get_cookie("leerid_admin", path="/schoolloket")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    # The console stays closed until both steps are done.
    assert client.get("/schoolloket/leerlingen").headers["Location"].endswith("/nieuw-wachtwoord")

    page = client.get("/schoolloket/nieuw-wachtwoord").get_data(as_text=True)
    weak = {"current": admin.password, "password": "beheerder123", "confirmation": "beheerder123"}
    refused = client.post(
        "/schoolloket/nieuw-wachtwoord", data={**weak, "csrf_token": csrf_of(page)}
    )
    assert "wachtwoord" in refused.get_data(as_text=True).lower()
    assert refused.status_code == 200
    chosen = "Fietsenstalling-Noord-17!"
    data = {"current": admin.password, "password": chosen, "confirmation": chosen}
    moved = client.post(
        "/schoolloket/nieuw-wachtwoord",
        data={**data, "csrf_token": csrf_of(page)},
    )
    assert moved.headers["Location"].endswith("/schoolloket/verificatie-instellen")

    enrol_page = client.get("/schoolloket/verificatie-instellen").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', enrol_page).group(1).replace(" ", "")
    assert "<svg" in enrol_page  # the QR code, inline
    assert (
        client.get("/schoolloket/verificatie-instellen").get_data(as_text=True).count(secret[:4])
        >= 1
    )
    wrong = client.post(
        "/schoolloket/verificatie-instellen",
        data={"code": "000000", "csrf_token": csrf_of(enrol_page)},
    )
    assert "niet juist" in wrong.get_data(as_text=True)
    done = client.post(
        "/schoolloket/verificatie-instellen",
        data={"code": current_code(secret), "csrf_token": csrf_of(enrol_page)},
    )
    assert done.headers["Location"].endswith("/schoolloket/")
    assert client.get("/schoolloket/leerlingen").status_code == 200

    # Later sign-ins ask the new password and a code from the enrolled secret.
    client.post("/schoolloket/afmelden", data={"csrf_token": csrf_of(enrol_page)})
    assert client.get("/schoolloket/leerlingen").status_code == 302
    later = Admin(admin.username, chosen, secret)
    assert "niet juist" in sign_in(client, later, code="").get_data(as_text=True)


def test_every_later_sign_in_needs_a_fresh_code(client, make_admin, make_school, session):
    admin = make_admin("beheerder", make_school())
    page = client.get("/schoolloket/aanmelden").get_data(as_text=True)
    for label in ("Gebruikersnaam", "Wachtwoord", "Verificatiecode", "Aanmelden"):
        assert label in page
    assert "niet juist" in sign_in(client, admin, code="123456").get_data(as_text=True)
    code = current_code(admin.secret)
    assert sign_in(client, admin, code=code).status_code == 302
    assert client.get("/schoolloket/leerlingen").status_code == 200
    # The same code a second time (someone who saw it) opens nothing.
    other = client.application.test_client()
    assert "niet juist" in sign_in(other, admin, code=code).get_data(as_text=True)
    actions = set(session.scalars(select(AuditEvent.action)))
    assert "admin.sign_in" in actions


def test_wrong_password_and_unknown_name_get_the_same_answer_then_a_delay(
    client, make_admin, make_school, caplog
):
    admin = make_admin("beheerder", make_school())
    with caplog.at_level("WARNING", logger="admin.signin"):
        unknown = sign_in(client, Admin("niemand", "x" * 20, admin.secret)).get_data(as_text=True)
    # The operator sees the failure (and whom it tried) in the log.
    assert any("sign-in failed for 'niemand'" in r.getMessage() for r in caplog.records)
    wrong = sign_in(client, Admin("beheerder", "x" * 20, admin.secret)).get_data(as_text=True)
    message = "De gebruikersnaam, het wachtwoord of de verificatiecode is niet juist."
    assert message in unknown and message in wrong
    statuses = [
        sign_in(client, Admin("beheerder", "y" * 20, None), code="1").status_code for _ in range(6)
    ]
    assert statuses[-1] == 429
    # Even the right password waits now: the guesser learns nothing from it.
    assert sign_in(client, admin).status_code == 429


def test_a_form_without_the_token_is_refused(client, make_admin, make_school):
    admin = make_admin("beheerder", make_school())
    data = {
        "username": admin.username,
        "password": admin.password,
        "code": current_code(admin.secret),
    }
    assert client.post("/schoolloket/aanmelden", data=data).status_code == 400
    assert (
        client.post("/schoolloket/aanmelden", data={**data, "csrf_token": "x" * 64}).status_code
        == 400
    )


def test_a_new_session_at_sign_in_and_an_idle_time_out(client, make_admin, make_school, session):
    admin = make_admin("beheerder", make_school())
    client.get("/schoolloket/aanmelden")
    before = client.get_cookie("leerid_admin", path="/schoolloket").value
    sign_in(client, admin)
    after = client.get_cookie("leerid_admin", path="/schoolloket").value
    assert after != before  # a token planted before the sign-in is worth nothing after it
    assert client.get("/schoolloket/leerlingen").status_code == 200
    an_hour_ago = utcnow() - dt.timedelta(hours=1)
    session.execute(update(AdminSession).values(last_seen_at=an_hour_ago))
    session.commit()
    assert client.get("/schoolloket/leerlingen").headers["Location"].endswith("/aanmelden")


def test_the_pupils_sign_out_leaves_the_administrator_signed_in(client, make_admin, make_school):
    admin = make_admin("beheerder", make_school())
    sign_in(client, admin)
    client.get("/logout")
    client.delete_cookie("leerid_session")
    assert client.get("/schoolloket/leerlingen").status_code == 200


def test_totp_codes_follow_rfc_6238():
    # RFC 6238 Appendix B, SHA-1, secret "12345678901234567890", 8 digits; we show 6.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp.code_at(secret, 59) == "287082"
    assert totp.code_at(secret, 1111111109) == "081804"
    assert totp.matching_step(secret, "287 082", None, now=59) == 1
    assert totp.matching_step(secret, "287082", 1, now=59) is None


def test_guesses_from_elsewhere_do_not_lock_the_administrator_out(client, make_admin, make_school):
    admin = make_admin("beheerder", make_school())
    stranger = client.application.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(8):
        sign_in(stranger, Admin("beheerder", "z" * 20, None), code="1")
    assert sign_in(stranger, admin).status_code == 429
    client.environ_base["REMOTE_ADDR"] = "198.51.100.20"  # the school's network
    assert sign_in(client, admin).status_code == 302


def test_one_code_opens_one_session_even_at_the_same_moment(client, make_admin, make_school):
    admin = make_admin("beheerder", make_school())
    code = current_code(admin.secret)
    browsers = [client.application.test_client() for _ in range(4)]
    forms = []
    for browser in browsers:
        page = browser.get("/schoolloket/aanmelden").get_data(as_text=True)
        data = {"username": admin.username, "password": admin.password, "code": code}
        forms.append({**data, "csrf_token": csrf_of(page)})
    start = threading.Barrier(len(browsers))
    statuses: list[int] = []

    def post(browser, form) -> None:
        start.wait()
        statuses.append(browser.post("/schoolloket/aanmelden", data=form).status_code)

    threads = [
        threading.Thread(target=post, args=pair) for pair in zip(browsers, forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses.count(302) == 1


@pytest.mark.parametrize(
    "change", [{"username": "u" * 101}, {"password": "p" * 10_000}, {"password": ""}]
)
def test_a_form_that_cannot_be_right_gets_the_same_answer(client, make_admin, make_school, change):
    admin = make_admin("beheerder", make_school())
    page = client.get("/schoolloket/aanmelden").get_data(as_text=True)
    data = {"csrf_token": csrf_of(page), "username": admin.username, "password": admin.password}
    answer = client.post("/schoolloket/aanmelden", data={**data, "code": "", **change})
    assert "De gebruikersnaam, het wachtwoord of de verificatiecode is niet juist" in (
        answer.get_data(as_text=True)
    )
    assert client.get("/schoolloket/leerlingen").status_code == 302  # not signed in
