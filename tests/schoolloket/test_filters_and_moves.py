"""The pupil list's type and account status filters, and a pupil who changed school: the
old school no longer finds them, the new school sees the existing LeerID and gives it a
new password and card."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from idp.models import (
    Account,
    AccountKind,
    AccountStatus,
    AdminUser,
    AuditEvent,
    EducationType,
    Enrollment,
)
from idp.passwords import verify_secret
from idp.services.accounts import create_account
from idp.services.imports import import_enrollments
from tests.imports.import_helpers import TODAY, pupil, write_csv
from tests.national_numbers import make_national_number

from .conftest import csrf_of, sign_in


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _listed(html: str) -> set[int]:
    """The enrollment ids of the list's lines."""
    return {int(found) for found in re.findall(r'name="pupil" value="(\d+)"', html)}


# Each pupil of the school: (education type, account kind or None, account status).
PUPILS = {
    "none-basic": (EducationType.GEWOON_LAGER, None, None),
    "none-basic-special-secondary": (EducationType.BUITENGEWOON_SECUNDAIR, None, None),
    "none-advanced": (EducationType.GEWOON_SECUNDAIR, None, None),
    "none-advanced-part-time": (EducationType.DEELTIJDS_BEROEPSSECUNDAIR, None, None),
    "active-basic": (EducationType.GEWOON_LAGER, AccountKind.BASIC, AccountStatus.ACTIVE),
    "active-advanced": (
        EducationType.GEWOON_SECUNDAIR,
        AccountKind.ADVANCED,
        AccountStatus.ACTIVE,
    ),
    # Moved up to secondary: the account stays basic until its next new password.
    "active-basic-now-secondary": (
        EducationType.GEWOON_SECUNDAIR,
        AccountKind.BASIC,
        AccountStatus.ACTIVE,
    ),
    "blocked-basic": (EducationType.BUITENGEWOON_LAGER, AccountKind.BASIC, AccountStatus.BLOCKED),
    "blocked-advanced": (
        EducationType.GEWOON_SECUNDAIR,
        AccountKind.ADVANCED,
        AccountStatus.BLOCKED,
    ),
    "deactivated-advanced": (
        EducationType.GEWOON_SECUNDAIR,
        AccountKind.ADVANCED,
        AccountStatus.DEACTIVATED,
    ),
    "deactivated-basic": (EducationType.GEWOON_LAGER, AccountKind.BASIC, AccountStatus.DEACTIVATED),
}


def _expected(kind: str | None, account: str | None) -> set[str]:
    """The pupils a filter keeps, worked out from PUPILS: the type is the account's kind,
    or for a pupil without one the kind their education would get."""
    advanced = {EducationType.GEWOON_SECUNDAIR, EducationType.DEELTIJDS_BEROEPSSECUNDAIR}
    kept = set()
    for name, (education, account_kind, status) in PUPILS.items():
        pupil_kind = account_kind or (
            AccountKind.ADVANCED if education in advanced else AccountKind.BASIC
        )
        if kind is not None and pupil_kind != kind:
            continue
        if account == "none" and status is not None:
            continue
        if account not in (None, "none") and (status is None or status != account):
            continue
        kept.add(name)
    return kept


@pytest.fixture
def filtered_school(client, session, make_school, make_admin, enrol):
    """A school with a pupil in every state, pupils in the same states elsewhere and one
    who left; its administrator signed in."""
    school = make_school(instellingsnummer="313131", name="Campus Filter")
    elsewhere = make_school(instellingsnummer="414141", name="Campus Elders")
    ids: dict[str, int] = {}
    for place, prefix in ((school, ""), (elsewhere, "elders-")):
        for number, (name, (education, kind, status)) in enumerate(PUPILS.items()):
            enrollment = enrol(
                place, f"Leerling{number}", f"{prefix}{name}", education_type=education
            )
            if kind is not None:
                made = create_account(session, enrollment.person, kind=kind, actor="test")
                made.account.status = status
            ids[prefix + name] = enrollment.id
    left = enrol(school, "Vertrokken", "Leerling", education_type=EducationType.GEWOON_LAGER)
    create_account(session, left.person, actor="test")
    left.end_date = dt.date(2025, 12, 31)
    session.commit()
    sign_in(client, make_admin("beheerder.filter", school))
    return {name: ids[name] for name in PUPILS}


FILTERS = [
    (kind, account)
    for kind in (None, "basic", "advanced")
    for account in (None, "none", "active", "blocked", "deactivated")
]


@pytest.mark.parametrize(
    ("kind", "account"), FILTERS, ids=[f"{k or 'any'}-{a or 'any'}" for k, a in FILTERS]
)
def test_type_and_account_filters_list_exactly_the_right_pupils(
    client, filtered_school, kind, account
):
    query = "&".join(f"{name}={value}" for name, value in (("kind", kind), ("account", account)))
    page = _text(client.get(f"/schoolloket/leerlingen?{query}"))
    expected = _expected(kind, account)
    assert _listed(page) == {filtered_school[name] for name in expected}
    count = len(expected)
    assert f"{count} {'leerling' if count == 1 else 'leerlingen'} gevonden" in page
    # The chosen values stay selected in the filter.
    for value in (kind, account):
        if value:
            assert f'value="{value}" selected' in page


def test_the_expected_sets_are_not_trivial():
    """Each filter value on its own keeps some pupils and leaves out others."""
    everyone = set(PUPILS)
    for kind in ("basic", "advanced"):
        assert set() < _expected(kind, None) < everyone
    for account in ("none", "active", "blocked", "deactivated"):
        assert set() < _expected(None, account) < everyone
    assert _expected("basic", None) & _expected(None, "deactivated")


# A pupil who changed school, through the enrollment imports as schools send them.
MILA = make_national_number(dt.date(2014, 5, 6), 12)
LARS = make_national_number(dt.date(2014, 8, 9), 14)


def _import(session, secrets, tmp_path, name: str, rows: list[dict[str, Any]]) -> None:
    report = import_enrollments(
        session, secrets, write_csv(tmp_path / name, rows), actor="test", today=TODAY
    )
    assert report.problems == []
    session.commit()


def _zip_row(browser: Any, html: str) -> dict[str, Any]:
    """Download a page's zip; its Excel's one pupil row, by column title."""
    download = re.search(r'action="(/schoolloket/downloads/[^"]+)"', html)
    assert download
    data = browser.post(download.group(1), data={"csrf_token": csrf_of(html)}).data
    archive = zipfile.ZipFile(io.BytesIO(data))
    (name,) = [n for n in archive.namelist() if n.endswith(".xlsx")]
    sheet = load_workbook(io.BytesIO(archive.read(name))).active
    assert sheet is not None and sheet.max_row == 2
    return dict(zip([c.value for c in sheet[1]], [c.value for c in sheet[2]], strict=True))


def _account(session) -> Account:
    session.rollback()
    session.expire_all()
    (account,) = session.scalars(select(Account)).all()
    return account


def test_a_pupil_who_changed_school_keeps_the_account_for_the_new_school(
    app, client, session, secrets, make_school, make_admin, tmp_path
):
    a = make_school(instellingsnummer="515151", name="Basisschool Oud")
    b = make_school(instellingsnummer="616161", name="Basisschool Nieuw")
    lars = pupil(a, "2", voornaam="Lars", naam="Claes", rijksregisternummer=LARS)
    _import(
        session,
        secrets,
        tmp_path,
        "a1.csv",
        [pupil(a, "1", voornaam="Mila", naam="Wouters", rijksregisternummer=MILA), lars],
    )
    old = session.scalar(select(Enrollment).where(Enrollment.stamnummer == "1"))
    assert old is not None

    # School A makes Mila's LeerID.
    sign_in(client, make_admin("beheerder.oud", a))
    screen = _text(client.get(f"/schoolloket/leerlingen/{old.id}/leerid"))
    form = {"csrf_token": csrf_of(screen), "pupil": str(old.id), "action": "save"}
    form |= {"username-0": "mila.wouters", "credential-0": "picture", "password-0": ""}
    assert client.post("/schoolloket/leerids/bewaren", data=form).status_code == 200
    before = _account(session)
    old_serial, old_hash = before.card_serial, before.password_hash
    assert old_serial

    # Mila is enrolled in B; A's next import no longer has her, which ends her enrollment.
    _import(
        session,
        secrets,
        tmp_path,
        "b.csv",
        [pupil(b, "77", voornaam="Mila", naam="Wouters", rijksregisternummer=MILA)],
    )
    _import(session, secrets, tmp_path, "a2.csv", [lars])
    session.expire_all()
    new = session.scalar(select(Enrollment).where(Enrollment.stamnummer == "77"))
    assert new is not None and new.person_id == old.person_id
    session.refresh(old)
    assert old.end_date == TODAY

    # A's administrator: Mila is not found, not by either enrollment, not by her card.
    token = csrf_of(_text(client.get("/schoolloket/leerlingen")))
    for enrollment_id in (old.id, new.id):
        base = f"/schoolloket/leerlingen/{enrollment_id}"
        assert client.get(base).status_code == 404
        assert client.get(f"{base}/leerid").status_code == 404
        for action in ("nieuw-wachtwoord", "nieuw-kaartje", "blokkeren", "deactiveren"):
            data = {"csrf_token": token, "confirmed": "1"}
            assert client.post(f"{base}/{action}", data=data).status_code == 404, action
    assert client.get(f"/schoolloket/kaartje?serial={old_serial}").status_code == 404
    listed = _text(client.get("/schoolloket/leerlingen"))
    assert "Wouters" not in listed and "Claes" in listed
    unchanged = _account(session)
    assert (unchanged.status, unchanged.card_serial) == (AccountStatus.ACTIVE, old_serial)

    # B's administrator sees the existing LeerID, offers no second one, and gives a new
    # password and card.
    other = app.test_client()
    sign_in(other, make_admin("beheerder.nieuw", b))
    listed = _text(other.get("/schoolloket/leerlingen?account=active"))
    assert _listed(listed) == {new.id} and "mila.wouters" in listed
    page = _text(other.get(f"/schoolloket/leerlingen/{new.id}"))
    assert "mila.wouters" in page and old_serial in page
    assert "Maak een LeerID aan" not in page
    # Its history holds what this school did, as the audit page: not school A's events
    # nor the name of A's administrator.
    assert "beheerder.oud" not in page
    found = other.get(f"/schoolloket/kaartje?serial={old_serial}")
    assert found.headers["Location"].endswith(f"/schoolloket/leerlingen/{new.id}")
    done = other.post(
        f"/schoolloket/leerlingen/{new.id}/nieuw-wachtwoord",
        data={"csrf_token": csrf_of(page), "credential": "word", "confirmed": "1"},
    )
    assert done.status_code == 200
    row = _zip_row(other, _text(done))
    renewed = _account(session)
    assert renewed.id == before.id and renewed.password_hash != old_hash
    assert renewed.card_serial not in (None, old_serial)
    password = next(str(v) for k, v in row.items() if k and "achtwoord" in str(k))
    assert verify_secret(renewed.password_hash, password)

    serial = renewed.card_serial
    card = other.post(
        f"/schoolloket/leerlingen/{new.id}/nieuw-kaartje", data={"csrf_token": csrf_of(page)}
    )
    assert card.status_code == 200
    carded = _account(session)
    assert carded.card_serial not in (None, serial)
    assert carded.password_hash == renewed.password_hash

    # Both are recorded in B, by B's administrator (the first card was A's, at creation);
    # A's audit page shows neither.
    admin_b = session.scalar(select(AdminUser).where(AdminUser.username == "beheerder.nieuw"))
    assert admin_b is not None
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.person_id == new.person_id,
            AuditEvent.action.in_(["account.new_password", "card.issue"]),
        )
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.school_id, e.actor, e.actor_admin_id) for e in events] == [
        ("card.issue", a.id, "beheerder.oud", events[0].actor_admin_id),
        ("account.new_password", b.id, "beheerder.nieuw", admin_b.id),
        ("card.issue", b.id, "beheerder.nieuw", admin_b.id),
        ("card.issue", b.id, "beheerder.nieuw", admin_b.id),
    ]
    audit_a = _text(client.get("/schoolloket/audit"))
    assert "beheerder.oud" in audit_a and "beheerder.nieuw" not in audit_a
