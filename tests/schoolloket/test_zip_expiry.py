"""The zip of a creation run after its time: it can no longer be taken, and its bytes
(the only copy of the plain passwords, sealed) are deleted, even though the download
that finds it expired is refused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from idp.models import AdminUser, CredentialBundle, utcnow
from idp.services import bundles

from .conftest import csrf_of, sign_in

SECRET_WORDS = b"PK zip holding the word password kiwi-tafel-zon"


def _keep(session, secrets, school, username: str) -> tuple[CredentialBundle, str]:
    admin = session.scalar(select(AdminUser).where(AdminUser.username == username))
    token = bundles.keep(
        session,
        secrets,
        school=school,
        admin=admin,
        data=SECRET_WORDS,
        file_name="leerid-111111-2026-09-01.zip",
        usernames=["yalcin.demir"],
        lifetime=3600,
    )
    session.commit()
    bundle = session.scalar(select(CredentialBundle).order_by(CredentialBundle.id.desc()))
    return bundle, token


def _expire(session, bundle: CredentialBundle) -> None:
    bundle.expires_at = utcnow() - dt.timedelta(seconds=1)
    session.commit()


def test_the_zip_is_sealed_at_rest(session, secrets, make_school, make_admin):
    school = make_school(instellingsnummer="111111", name="Basisschool A")
    make_admin("beheerder.a", school)
    bundle, _ = _keep(session, secrets, school, "beheerder.a")
    assert bundle.sealed is not None
    assert b"kiwi-tafel-zon" not in bundle.sealed and b"PK zip" not in bundle.sealed


def test_an_expired_zip_is_refused_and_its_bytes_are_deleted(
    client, session, secrets, make_school, make_admin
):
    school = make_school(instellingsnummer="111111", name="Basisschool A")
    admin = make_admin("beheerder.a", school)
    bundle, token = _keep(session, secrets, school, "beheerder.a")
    _expire(session, bundle)
    sign_in(client, admin)
    csrf = csrf_of(client.get("/schoolloket/leerlingen").get_data(as_text=True))
    refused = client.post(f"/schoolloket/downloads/{token}", data={"csrf_token": csrf})
    assert refused.status_code == 410
    session.refresh(bundle)
    assert bundle.sealed is None and bundle.downloaded_at is None


def test_a_new_zip_purges_the_expired_ones_of_every_school(
    session, secrets, make_school, make_admin
):
    a = make_school(instellingsnummer="111111", name="Basisschool A")
    b = make_school(instellingsnummer="222222", name="Basisschool B")
    make_admin("beheerder.a", a)
    make_admin("beheerder.b", b)
    old, _ = _keep(session, secrets, a, "beheerder.a")
    _expire(session, old)
    new, _ = _keep(session, secrets, b, "beheerder.b")
    session.refresh(old)
    assert old.sealed is None
    assert new.sealed is not None
