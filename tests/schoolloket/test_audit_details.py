"""The audit page says what happened in the administrator's words: labelled details,
account types and passwords by their names, dates as dates, no internal identifiers."""

from __future__ import annotations

import re

from idp.models import AuditEvent, utcnow

from .conftest import sign_in


def _details_cells(html: str) -> list[str]:
    row = r'<tr><td>.*?</td><td>.*?</td><td>.*?</td>\s*<td class="technical">(.*?)</td></tr>'
    rows = re.findall(row, html, re.S)
    return [re.sub(r"\s+", " ", row).strip() for row in rows]


def test_details_are_labelled_and_read_in_dutch(client, session, make_school, make_admin):
    school = make_school(instellingsnummer="111111", name="Basisschool A")
    admin = make_admin("beheerder.a", school)
    session.add_all(
        [
            AuditEvent(
                actor="beheerder.a",
                action="account.create",
                school_id=school.id,
                occurred_at=utcnow(),
                details={
                    "account_id": 7,
                    "person": "515f9d61-0000-4000-8000-000000000000",
                    "username": "yalcin.demir",
                    "kind": "basic",
                    "credential": "picture",
                },
            ),
            AuditEvent(
                actor="beheerder.a",
                action="card.issue",
                school_id=school.id,
                occurred_at=utcnow(),
                details={
                    "account_id": 7,
                    "username": "yalcin.demir",
                    "serial": "K7RE-9XHM",
                    "generation": 2,
                    "expires_at": "2027-10-01T00:00:00+00:00",
                },
            ),
            AuditEvent(
                actor="beheerder.a",
                action="account.block",
                school_id=school.id,
                occurred_at=utcnow(),
                details={"account_id": 7, "username": "yalcin.demir", "before": "active"},
            ),
            AuditEvent(
                actor="cli",
                action="enrollments.import",
                school_id=school.id,
                occurred_at=utcnow(),
                details={"file": "l.csv", "rows": 2, "schools": ["111111"], "later_key": "x"},
            ),
        ]
    )
    session.commit()
    sign_in(client, admin)
    page = client.get("/schoolloket/audit").get_data(as_text=True)
    cells = _details_cells(page)
    assert "Gebruikersnaam: yalcin.demir; Type: basis; Wachtwoord: afbeeldingswachtwoord" in cells
    assert (
        "Gebruikersnaam: yalcin.demir; Serienummer kaartje: K7RE-9XHM; "
        "Kaartje geldig tot: 1/10/2027" in cells
    )
    assert "Gebruikersnaam: yalcin.demir; Voordien: Actief" in cells
    # A key without words yet is shown as recorded: nothing is hidden by accident.
    assert "Bestand: l.csv; Regels: 2; Scholen: 111111; later_key: x" in cells
    assert "515f9d61" not in page and "account_id" not in page


def test_a_date_that_cannot_be_read_is_said(client, make_school, make_admin):
    sign_in(client, make_admin("beheerder.a", make_school(instellingsnummer="111111")))
    page = client.get("/schoolloket/audit?from=2026-13-45&to=2026-12-01").get_data(as_text=True)
    assert page.count("Geen datum: geef dag, maand en jaar.") == 1
    assert 'id="from-error"' in page and 'id="to-error"' not in page
    assert 'value="2026-12-01"' in page


def test_dates_are_belgian_however_dutch_was_chosen(client, session, make_school, make_admin):
    school = make_school(instellingsnummer="111111")
    admin = make_admin("beheerder.a", school)
    session.add(
        AuditEvent(
            actor="beheerder.a",
            action="account.block",
            school_id=school.id,
            occurred_at=utcnow().replace(month=12, day=1, hour=10),
            details={"username": "yalcin.demir"},
        )
    )
    session.commit()
    sign_in(client, admin)
    for ask in ("", "?lang=nl"):
        page = client.get("/schoolloket/audit" + ask).get_data(as_text=True)
        assert re.search(r"<td>1/12/\d{4}, \d\d:\d\d</td>", page), ask
