"""The audit page: a school administrator sees their schools' events only; the date,
action and pupil filters keep exactly the matching events; the console's actions on an
account are recorded with the administrator who did them as actor."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from sqlalchemy import select

from idp.models import Account, AdminUser, AuditEvent, Enrollment
from idp.services.accounts import create_account

from .conftest import csrf_of, sign_in

UTC = dt.UTC
# Events of the past in school A, one per day: their day, and a marker in their details.
PAST = {
    "januari": dt.datetime(2025, 1, 10, 8, 0, tzinfo=UTC),
    "februari": dt.datetime(2025, 2, 15, 23, 30, tzinfo=UTC),
    "maart": dt.datetime(2025, 3, 20, 0, 0, tzinfo=UTC),
}
ROW = re.compile(
    r'<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>\s*<td class="technical">(.*?)</td></tr>',
    re.S,
)


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _rows(page: str) -> list[tuple[str, str, str]]:
    """The audit table's lines: (who, what, details), newest first."""
    return [tuple(html.unescape(cell) for cell in row) for row in ROW.findall(page)]


# What the page calls the actions of these tests, in Dutch.
LABELS = {
    "account.create": "LeerID aangemaakt",
    "account.block": "Account geblokkeerd",
    "account.unblock": "Account gedeblokkeerd",
    "account.deactivate": "Account gedeactiveerd",
    "account.new_password": "Nieuw wachtwoord",
    "card.issue": "Nieuw kaartje",
    "admin.create": "Beheerder toegevoegd",
}


def _signature(event: AuditEvent) -> str:
    """What tells an event apart in its details: its marker, or the account's username."""
    return str(event.details.get("marker") or event.details["username"])


def _check(rows: list[tuple[str, str, str]], events: list[AuditEvent]) -> None:
    """The page's lines are these events, in this order: who, what, and their details."""
    assert [(who, what) for who, what, _details in rows] == [
        (event.actor, LABELS[event.action]) for event in events
    ]
    for (_who, _what, details), event in zip(rows, events, strict=True):
        assert _signature(event) in details, (details, event.details)


@pytest.fixture
def trail(app, client, session, make_school, make_admin, enrol):
    """Schools A and B, each with a pupil with a LeerID (made through the console), events
    of the past in A, and B's administrator blocking B's pupil; A's administrator signed in."""
    a = make_school(instellingsnummer="111111", name="Basisschool A")
    b = make_school(instellingsnummer="222222", name="Basisschool B")
    amber, aaron = enrol(a, "Amber", "Aerts"), enrol(a, "Aaron", "Adams")
    wannes = enrol(b, "Wannes", "Zwartberg")
    admin_a, admin_b = make_admin("beheerder.a", a), make_admin("beheerder.b", b)
    for enrollment in (amber, aaron, wannes):
        create_account(session, enrollment.person, actor="import")
    for marker, when in PAST.items():
        session.add(
            AuditEvent(
                actor="oud.beheerder",
                action="account.block" if marker == "februari" else "account.unblock",
                school_id=a.id,
                person_id=amber.person_id,
                details={"marker": marker},
                occurred_at=when,
            )
        )
    session.commit()
    browser_b = app.test_client()
    sign_in(browser_b, admin_b)
    page = _text(browser_b.get(f"/schoolloket/leerlingen/{wannes.id}"))
    blocked = browser_b.post(
        f"/schoolloket/leerlingen/{wannes.id}/blokkeren",
        data={"csrf_token": csrf_of(page), "confirmed": "1"},
    )
    assert blocked.status_code == 302
    # An action that happens in B only (A's fixture deactivates nobody).
    deactivated = browser_b.post(
        f"/schoolloket/leerlingen/{wannes.id}/deactiveren",
        data={"csrf_token": csrf_of(page), "confirmed": "1"},
    )
    assert deactivated.status_code == 302
    sign_in(client, admin_a)
    return {"a": a, "b": b, "amber": amber, "aaron": aaron, "wannes": wannes}


def _all_events(session) -> list[AuditEvent]:
    session.rollback()
    return list(
        session.scalars(
            select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        )
    )


def test_a_school_administrator_sees_only_their_schools_events(client, session, trail):
    events = _all_events(session)
    in_b = [e for e in events if e.school_id == trail["b"].id]
    assert {e.action for e in in_b} >= {"account.block", "account.deactivate", "account.create"}
    page = _text(client.get("/schoolloket/audit"))
    _check(_rows(page), [e for e in events if e.school_id == trail["a"].id])
    assert "beheerder.b" not in page and "wannes" not in page.lower()
    # Not by naming B's pupil either, by enrollment or by stamnummer.
    wannes = trail["wannes"]
    for query in (f"pupil={wannes.id}", f"stamnummer={wannes.stamnummer}"):
        filtered = _text(client.get(f"/schoolloket/audit?{query}"))
        assert _rows(filtered) == [] and "Geen regels." in filtered
        assert "beheerder.b" not in filtered
    # B's administrator sees B's block, recorded with B's administrator as actor.
    own_b = [e for e in in_b if e.action == "account.block"]
    assert [(e.actor, e.person_id) for e in own_b] == [("beheerder.b", wannes.person_id)]


def _filtered(events: list[AuditEvent], school_id: int, **wanted: Any) -> list[AuditEvent]:
    """The events a filter keeps, worked out here from every event."""
    kept = []
    for event in events:
        day = event.occurred_at.astimezone(UTC).date()
        if event.school_id != school_id:
            continue
        if "day_from" in wanted and day < wanted["day_from"]:
            continue
        if "day_to" in wanted and day > wanted["day_to"]:
            continue
        if "action" in wanted and event.action != wanted["action"]:
            continue
        if "person_id" in wanted and event.person_id != wanted["person_id"]:
            continue
        kept.append(event)
    return kept


def _markers(rows: list[tuple[str, str, str]]) -> list[str]:
    """The past events' markers among the lines, in their order."""
    found = (re.search(r"\b(januari|februari|maart)\b", details) for _, _, details in rows)
    return [marker.group(1) for marker in found if marker]


@pytest.mark.parametrize(
    ("query", "markers"),
    [
        ("from=2025-02-01&to=2025-02-28", ["februari"]),
        # Both ends are whole days (UTC): the 15th until 23:59, the 20th from 00:00.
        ("from=2025-02-15&to=2025-02-15", ["februari"]),
        ("to=2025-02-14", ["januari"]),
        ("from=2025-03-20", ["maart"]),
        ("from=2025-02-16&to=2025-03-19", []),
        ("action=account.unblock", ["maart", "januari"]),
        ("action=account.block", ["februari"]),
        ("action=account.create", []),
        ("from=2025-01-01&to=2025-12-31&action=account.unblock", ["maart", "januari"]),
    ],
)
def test_date_and_action_filters_keep_exactly_the_matching_events(
    client, session, trail, query, markers
):
    wanted: dict[str, Any] = {}
    for pair in query.split("&"):
        name, value = pair.split("=")
        if name == "action":
            wanted["action"] = value
        else:
            wanted["day_from" if name == "from" else "day_to"] = dt.date.fromisoformat(value)
    page = _text(client.get(f"/schoolloket/audit?{query}"))
    rows = _rows(page)
    _check(rows, _filtered(_all_events(session), trail["a"].id, **wanted))
    assert _markers(rows) == markers


def test_the_pupil_filter_keeps_that_pupils_events(client, session, trail):
    amber, aaron = trail["amber"], trail["aaron"]
    events = _all_events(session)
    for enrollment, markers in ((amber, ["maart", "februari", "januari"]), (aaron, [])):
        expected = _filtered(events, trail["a"].id, person_id=enrollment.person_id)
        assert expected, "each pupil has their LeerID's creation at least"
        by_id = _rows(_text(client.get(f"/schoolloket/audit?pupil={enrollment.id}")))
        by_number = _rows(
            _text(client.get(f"/schoolloket/audit?stamnummer={enrollment.stamnummer}"))
        )
        assert by_id == by_number
        _check(by_id, expected)
        assert _markers(by_id) == markers
    # With the action filter too.
    both = _rows(_text(client.get(f"/schoolloket/audit?pupil={amber.id}&action=account.create")))
    expected = _filtered(events, trail["a"].id, person_id=amber.person_id, action="account.create")
    _check(both, expected)
    assert len(both) == 1


def test_the_consoles_account_actions_are_recorded_with_their_administrator(
    app, client, session, trail, make_admin
):
    """Block, unblock, new password, new card and deactivate, each by the administrator
    who pressed the button (not the colleague who made the LeerID, not "import")."""
    aaron = trail["aaron"]
    base = f"/schoolloket/leerlingen/{aaron.id}"
    token = csrf_of(_text(client.get(base)))
    first = max(e.id for e in _all_events(session))
    steps = [
        ("blokkeren", {"confirmed": "1"}, 302),
        ("deblokkeren", {}, 302),
        ("nieuw-wachtwoord", {"confirmed": "1", "credential": "picture"}, 200),
        ("nieuw-kaartje", {}, 200),
        ("deactiveren", {"confirmed": "1"}, 302),
    ]
    for action, form, status in steps:
        response = client.post(f"{base}/{action}", data={"csrf_token": token, **form})
        assert response.status_code == status, action
    admin = session.scalar(select(AdminUser).where(AdminUser.username == "beheerder.a"))
    account = session.scalar(select(Account).where(Account.person_id == aaron.person_id))
    assert admin is not None and account is not None
    recorded = [e for e in reversed(_all_events(session)) if e.id > first]
    assert [e.action for e in recorded] == [
        "account.block",
        "account.unblock",
        "account.new_password",
        "card.issue",
        "card.issue",
        "account.deactivate",
    ]
    for event in recorded:
        assert (event.actor, event.actor_admin_id) == ("beheerder.a", admin.id), event.action
        assert (event.school_id, event.person_id) == (trail["a"].id, aaron.person_id)
        assert event.details["username"] == account.username
    # The audit page shows them, with the administrator, to A's administrators only.
    page = _text(client.get(f"/schoolloket/audit?pupil={aaron.id}"))
    shown = _rows(page)[: len(recorded)]
    _check(shown, list(reversed(recorded)))
    assert all(who == "beheerder.a" for who, _what, _details in shown)
    for label in ("Account geblokkeerd", "Nieuw kaartje", "Account gedeactiveerd"):
        assert label in page
    other = app.test_client()
    sign_in(other, make_admin("ander.b", trail["b"]))
    assert account.username not in _text(other.get("/schoolloket/audit"))
    assert _rows(_text(other.get(f"/schoolloket/audit?pupil={aaron.id}"))) == []


def test_the_action_filter_offers_only_actions_of_ones_own_schools(client, session, trail):
    wannes = trail["wannes"]
    session.rollback()
    stamnummer = session.get(Enrollment, wannes.id).stamnummer
    page = _text(client.get("/schoolloket/audit"))
    offered = set(re.findall(r'<option value="([a-z_.]+)"', page))
    events = _all_events(session)
    in_a = {e.action for e in events if e.school_id == trail["a"].id}
    assert offered == in_a
    assert "account.deactivate" in {e.action for e in events} - offered
    assert stamnummer not in page
