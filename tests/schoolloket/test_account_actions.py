"""Actions on an account from the pupil page: new password with a new card, new card,
block / unblock / deactivate, find by card serial; each scoped and audited."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from idp.models import Account, AccountKind, AccountStatus, AuditEvent, EducationType, LoginSession
from idp.passwords import verify_secret
from idp.services.cards import find_account_by_card
from idp.services.sso import start_login_session

from .conftest import csrf_of, sign_in


@pytest.fixture
def school_with_account(make_school, make_admin, enrol, client, session):
    """A signed-in administrator of a school with one pupil who has a LeerID (created
    through the Schoolloket), and another school's pupil with one."""
    school = make_school(instellingsnummer="333333", name="Basisschool C")
    other = make_school(instellingsnummer="444444", name="Basisschool D")
    pupil = enrol(school, "Lotte", "Claes")
    stranger = enrol(other, "Jan", "Peeters")
    admin = make_admin("beheerder.c", school, other)
    sign_in(client, admin)
    for enrollment in (pupil, stranger):
        _create(client, enrollment.id)
    admin_c_only = make_admin("beheerder.c2", school)
    session.expire_all()
    return {"pupil": pupil, "stranger": stranger, "narrow": admin_c_only}


def _create(client, enrollment_id):
    screen = client.get(f"/schoolloket/leerlingen/{enrollment_id}/leerid").get_data(as_text=True)
    form = {"csrf_token": csrf_of(screen), "pupil": str(enrollment_id), "action": "save"}
    form["username-0"] = re.search(r'name="username-0" value="([^"]*)"', screen).group(1)
    form["credential-0"] = "word"
    form["password-0"] = re.search(r'name="password-0" value="([^"]*)"', screen).group(1)
    assert client.post("/schoolloket/leerids/bewaren", data=form).status_code == 200


def _zip_row(client, page_html):
    """Download the page's zip; the Excel row of its one pupil (username, password, URL)."""
    download = re.search(r'action="(/schoolloket/downloads/[^"]+)"', page_html).group(1)
    data = client.post(download, data={"csrf_token": csrf_of(page_html)}).data
    archive = zipfile.ZipFile(io.BytesIO(data))
    (name,) = [n for n in archive.namelist() if n.endswith(".xlsx")]
    sheet = load_workbook(io.BytesIO(archive.read(name))).active
    header = [c.value for c in sheet[1]]
    return dict(zip(header, [c.value for c in sheet[2]], strict=False))


def _account(session, enrollment):
    session.expire_all()
    return session.scalar(select(Account).where(Account.person_id == enrollment.person_id))


def test_new_password_stops_the_old_password_card_and_sessions(
    client, session, school_with_account
):
    pupil = school_with_account["pupil"]
    before = _account(session, pupil)
    old_hash, old_serial = before.password_hash, before.card_serial
    login, _ = start_login_session(
        session, before, amr=["pwd"], acr="1", lifetime=600, locale="nl-BE"
    )
    session.commit()
    page = client.get(f"/schoolloket/leerlingen/{pupil.id}").get_data(as_text=True)
    done = client.post(
        f"/schoolloket/leerlingen/{pupil.id}/nieuw-wachtwoord",
        data={"csrf_token": csrf_of(page), "credential": "word", "confirmed": "1"},
    )
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert "Nieuw wachtwoord en kaartje" in html
    row = _zip_row(client, html)
    after = _account(session, pupil)
    assert after.password_hash != old_hash and after.card_serial != old_serial
    new_password = next(v for k, v in row.items() if k and "achtwoord" in str(k))
    assert verify_secret(after.password_hash, str(new_password))
    url = next(v for v in row.values() if isinstance(v, str) and "/k/" in v)
    token = url.rsplit("/k/", 1)[1]
    assert find_account_by_card(session, token).id == after.id
    session.refresh(login)
    assert login.ended_at is not None
    actions = set(
        session.scalars(select(AuditEvent.action).where(AuditEvent.person_id == pupil.person_id))
    )
    assert {"account.create", "account.new_password", "card.issue"} <= actions


def test_a_new_password_whose_zip_fails_changes_nothing(
    client, session, school_with_account, monkeypatch
):
    # The request commits once, after everything that can fail: a pupil must never be
    # left with a new password nobody can print, and signed out for nothing.
    pupil = school_with_account["pupil"]
    before = _account(session, pupil)
    old_hash, old_serial = before.password_hash, before.card_serial
    login, _ = start_login_session(
        session, before, amr=["pwd"], acr="1", lifetime=600, locale="nl-BE"
    )
    session.commit()

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("admin.actions.credential_bundle", broken)
    page = client.get(f"/schoolloket/leerlingen/{pupil.id}").get_data(as_text=True)
    with pytest.raises(OSError):
        client.post(
            f"/schoolloket/leerlingen/{pupil.id}/nieuw-wachtwoord",
            data={"csrf_token": csrf_of(page), "credential": "word", "confirmed": "1"},
        )
    after = _account(session, pupil)
    assert (after.password_hash, after.card_serial) == (old_hash, old_serial)
    session.refresh(login)
    assert login.ended_at is None


def test_a_pupil_now_in_secondary_gets_an_advanced_account(client, session, school_with_account):
    pupil = school_with_account["pupil"]
    pupil.education_type = EducationType.GEWOON_SECUNDAIR
    session.commit()
    page = client.get(f"/schoolloket/leerlingen/{pupil.id}").get_data(as_text=True)
    assert "secundair" in page
    client.post(
        f"/schoolloket/leerlingen/{pupil.id}/nieuw-wachtwoord",
        data={"csrf_token": csrf_of(page), "confirmed": "1"},
    )
    account = _account(session, pupil)
    assert account.kind is AccountKind.ADVANCED and account.must_change_password


def test_block_ends_sessions_unblock_and_deactivate(client, session, school_with_account):
    pupil = school_with_account["pupil"]
    account = _account(session, pupil)
    login, _ = start_login_session(
        session, account, amr=["pwd"], acr="1", lifetime=600, locale="nl-BE"
    )
    session.commit()
    page = client.get(f"/schoolloket/leerlingen/{pupil.id}").get_data(as_text=True)
    token = csrf_of(page)
    base = f"/schoolloket/leerlingen/{pupil.id}"
    # The first press asks, naming the pupil; nothing changes until it is confirmed.
    asked = client.post(f"{base}/blokkeren", data={"csrf_token": token})
    assert asked.status_code == 200
    assert "De LeerID van Lotte Claes blokkeren?" in asked.get_data(as_text=True)
    assert 'name="confirmed" value="1"' in asked.get_data(as_text=True)
    assert _account(session, pupil).status is AccountStatus.ACTIVE
    assert session.get(LoginSession, login.id).ended_at is None
    token = {"csrf_token": token, "confirmed": "1"}
    assert client.post(f"{base}/blokkeren", data=token).status_code == 302
    assert _account(session, pupil).status is AccountStatus.BLOCKED
    assert session.get(LoginSession, login.id).ended_at is not None
    assert client.post(f"{base}/blokkeren", data=token).status_code == 409
    # Unblocking opens the account again: no question asked.
    client.post(f"{base}/deblokkeren", data={"csrf_token": token["csrf_token"]})
    assert _account(session, pupil).status is AccountStatus.ACTIVE
    asked = client.post(f"{base}/deactiveren", data={"csrf_token": token["csrf_token"]})
    assert "deactiveren?" in asked.get_data(as_text=True)
    assert _account(session, pupil).status is AccountStatus.ACTIVE
    client.post(f"{base}/deactiveren", data=token)
    assert _account(session, pupil).status is AccountStatus.DEACTIVATED
    # A deactivated account is only reactivated: not blocked, no new password or card.
    page = client.get(base).get_data(as_text=True)
    assert "Nieuw wachtwoord en kaartje" not in page and "Blokkeren" not in page
    for action, status in (("blokkeren", 409), ("nieuw-wachtwoord", 400), ("nieuw-kaartje", 409)):
        refused = client.post(f"{base}/{action}", data=token)
        assert refused.status_code == status, action
        assert "Deze account is gedeactiveerd" in refused.get_data(as_text=True)
    assert _account(session, pupil).status is AccountStatus.DEACTIVATED


def test_new_card_revokes_the_old_one_and_keeps_the_password(client, session, school_with_account):
    pupil = school_with_account["pupil"]
    before = _account(session, pupil)
    password_hash, serial = before.password_hash, before.card_serial
    page = client.get(f"/schoolloket/leerlingen/{pupil.id}").get_data(as_text=True)
    done = client.post(
        f"/schoolloket/leerlingen/{pupil.id}/nieuw-kaartje", data={"csrf_token": csrf_of(page)}
    )
    row = _zip_row(client, done.get_data(as_text=True))
    after = _account(session, pupil)
    assert after.password_hash == password_hash and after.card_serial != serial
    # Where the password was, the card says it stays: nothing to mistake for a password.
    assert row["Wachtwoord"] == "Ongewijzigd: blijft hetzelfde"
    # The old serial no longer finds the pupil; the new one does.
    assert client.get(f"/schoolloket/kaartje?serial={serial}").status_code == 404
    found = client.get(f"/schoolloket/kaartje?serial={after.card_serial.lower().replace('-', ' ')}")
    assert found.headers["Location"].endswith(f"/schoolloket/leerlingen/{pupil.id}")


def test_actions_on_another_schools_pupil_are_not_found(client, school_with_account):
    stranger = school_with_account["stranger"]
    narrow = client.application.test_client()
    sign_in(narrow, school_with_account["narrow"])
    token = csrf_of(narrow.get("/schoolloket/leerlingen").get_data(as_text=True))
    for action in ("nieuw-wachtwoord", "nieuw-kaartje", "blokkeren", "deblokkeren", "deactiveren"):
        response = narrow.post(
            f"/schoolloket/leerlingen/{stranger.id}/{action}", data={"csrf_token": token}
        )
        assert response.status_code == 404, action
        confirmed = narrow.post(
            f"/schoolloket/leerlingen/{stranger.id}/{action}",
            data={"csrf_token": token, "confirmed": "1"},
        )
        assert confirmed.status_code == 404, action
    serial = _serial_of(client, stranger)
    assert narrow.get(f"/schoolloket/kaartje?serial={serial}").status_code == 404


def _serial_of(client, enrollment):
    page = client.get(f"/schoolloket/leerlingen/{enrollment.id}").get_data(as_text=True)
    return re.search(r"<dd>([A-Z0-9]{4}-[A-Z0-9]{4})</dd>", page).group(1)
