"""Pairwise subjects: per sector, stable for the pupil, also across a change of school."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from idp.models import EducationType, Enrollment
from tests.conftest import PASSWORD


def _sub(rp, pupil, **extra):
    tokens = rp.exchange(rp.login_flow(pupil.username, PASSWORD, **extra)["code"][0]).get_json()
    return rp.verify_id_token(tokens["id_token"])["sub"]


def test_apps_of_different_sectors_see_different_subjects(make_rp, pupil):
    math = make_rp(redirect_uri="https://reken.example/cb")
    lang = make_rp(redirect_uri="https://taal.example/cb")
    assert _sub(math, pupil) != _sub(lang, pupil)


def test_apps_of_one_sector_share_the_subject(make_rp, pupil):
    web = make_rp(redirect_uri="https://a.vendor.example/cb", sector="vendor.example")
    mobile = make_rp(redirect_uri="https://b.vendor.example/cb", sector="vendor.example")
    assert _sub(web, pupil) == _sub(mobile, pupil)


def test_same_app_same_subject_across_sessions_and_school_change(
    make_rp, pupil, session, make_school, app
):
    rp = make_rp()
    before = _sub(rp, pupil)
    rp.browser = app.test_client()  # another day, another browser: a new session
    assert _sub(rp, pupil) == before
    # The pupil changes school: the old enrollment ends, a new one starts.
    session.execute(update(Enrollment).values(end_date=dt.date(2025, 6, 30)))
    new_school = make_school(name="Atheneum Brussel")
    session.add(
        Enrollment(
            person_id=pupil.person_id,
            school_id=new_school.id,
            stamnummer="900",
            education_type=EducationType.GEWOON_SECUNDAIR,
            start_date=dt.date(2025, 9, 1),
        )
    )
    session.commit()
    rp.browser = app.test_client()
    tokens = rp.exchange(
        rp.login_flow(pupil.username, PASSWORD, scope="openid profile")["code"][0]
    ).get_json()
    assert rp.verify_id_token(tokens["id_token"])["sub"] == before


def test_ov_leerling_compatibility_claims(make_rp, pupil):
    rp = make_rp(scopes=["openid", "ov_leerling"])
    tokens = rp.exchange(
        rp.login_flow(pupil.username, PASSWORD, scope="openid ov_leerling")["code"][0]
    ).get_json()
    info = rp.browser.get(
        "/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ).get_json()
    assert info["ov_orgnaam"] == "Sint-Jozefscollege"
    assert info["ov_orgcode"] == info["school_number"]
    assert isinstance(info["ov_leerid_uuid"], list) and len(info["ov_leerid_uuid"]) == 1
    other = make_rp(redirect_uri="https://elders.example/cb", scopes=["openid", "ov_leerling"])
    tokens2 = other.exchange(
        other.login_flow(pupil.username, PASSWORD, scope="openid ov_leerling")["code"][0]
    ).get_json()
    info2 = other.browser.get(
        "/userinfo", headers={"Authorization": f"Bearer {tokens2['access_token']}"}
    ).get_json()
    assert info2["ov_leerid_uuid"] != info["ov_leerid_uuid"]  # not a correlation handle


@pytest.mark.parametrize("verified", [True, False])
def test_email_is_released_only_when_verified(make_rp, pupil, session, verified):
    pupil.email = "noella@example.org"
    pupil.email_verified_at = dt.datetime.now(dt.UTC) if verified else None
    session.commit()
    rp = make_rp(scopes=["openid", "email"])
    tokens = rp.exchange(
        rp.login_flow(pupil.username, PASSWORD, scope="openid email")["code"][0]
    ).get_json()
    info = rp.browser.get(
        "/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ).get_json()
    if verified:
        assert info["email"] == "noella@example.org" and info["email_verified"] is True
    else:
        assert "email" not in info and "email_verified" not in info


def test_national_number_is_never_released(make_rp, pupil, session, secrets):
    pupil.person.national_number_hash = secrets.national_number_hash("93051822361")
    pupil.person.national_number_encrypted = secrets.encrypt("93051822361")
    session.commit()
    rp = make_rp(scopes=["openid", "profile", "school", "ov_leerling"])
    scope = "openid profile school ov_leerling"
    tokens = rp.exchange(rp.login_flow(pupil.username, PASSWORD, scope=scope)["code"][0])
    body = tokens.get_data(as_text=True)
    info = rp.browser.get(
        "/userinfo", headers={"Authorization": f"Bearer {tokens.get_json()['access_token']}"}
    ).get_data(as_text=True)
    claims = rp.verify_id_token(tokens.get_json()["id_token"])
    for text in (body, info, str(claims)):
        assert "93051822361" not in text
        assert pupil.person.national_number_hash not in text
