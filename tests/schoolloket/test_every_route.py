"""Every Schoolloket route, walked from the URL map: each POST refuses a missing or wrong
CSRF token and changes nothing; each route that takes an identifier answers another
school's identifiers with 404, changes nothing and shows none of that school's data; the
department's pages do not exist for a school administrator.

Each refusal is paired with the same request made as it should be (the right token; the
administrator's own school's identifiers; the department), which is answered: so the
refusal comes from the token or the scope, not from an address or form that was wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

import admin
from idp import routing
from idp.keystore import Secrets
from idp.models import (
    Account,
    AccountJob,
    AccountStatus,
    AdminUser,
    Base,
    Client,
    Enrollment,
    School,
    utcnow,
)
from idp.services import account_jobs, account_runs
from idp.services.clients import register_client
from idp.services.scope import EVERYTHING

from .conftest import Admin, csrf_of, current_code, sign_in

PREFIX = "/schoolloket/"
_ANY = re.compile(r"<any\(([^)]*)\):(\w+)>")
# Refused as "Het formulier is niet verstuurd" (the Schoolloket's form_expired page).
FORM_REFUSED = "Het formulier is niet verstuurd"
# The first sign-in's new password (idp.credentials.own's rules).
CHOSEN_PASSWORD = "Fietsenstalling-Noord-17!"


def _bare_rules() -> list[Rule]:
    """The Schoolloket's rules as its blueprint registers them, read when the tests are
    collected (no database yet); test_the_walk_covers_the_apps_url_map checks that the
    served app has exactly these."""
    bare = Flask(__name__)
    routing.init_app(bare)
    bare.register_blueprint(admin.blueprint)
    return [rule for rule in bare.url_map.iter_rules() if rule.rule.startswith(PREFIX)]


def _variants(rule: Rule) -> list[dict[str, str]]:
    """One set of URL values per value of the rule's `any(...)` part (none: one empty set)."""
    found = _ANY.search(rule.rule)
    if found is None:
        return [{}]
    return [{found.group(2): value.strip()} for value in found.group(1).split(",")]


def _case_id(endpoint: str, method: str, variant: dict[str, str]) -> str:
    return "-".join([method, endpoint.removeprefix("schoolloket."), *variant.values()])


RULES = _bare_rules()
POST_CASES = [
    pytest.param(rule.endpoint, variant, id=_case_id(rule.endpoint, "POST", variant))
    for rule in RULES
    if "POST" in (rule.methods or ())
    for variant in _variants(rule)
]
# Routes that take an identifier (in the address), and the department's pages.
SCOPED_CASES = [
    pytest.param(rule.endpoint, method, variant, id=_case_id(rule.endpoint, method, variant))
    for rule in RULES
    if rule.endpoint != "schoolloket.static"
    and (rule.arguments or rule.rule.startswith(PREFIX + "beheer/"))
    for method in ("GET", "POST")
    if method in (rule.methods or ())
    for variant in _variants(rule)
]


def _text(response: Any) -> str:
    """A response's body as text (a zip's bytes too, to look for names in)."""
    return bytes(response.get_data()).decode("utf-8", "replace")


@dataclass
class Side:
    """One school's identifiers: a pupil with a LeerID, one without, the zip its
    administrator may still download, and a creation run's progress page."""

    school: School
    with_account: int
    without_account: int
    bundle: str
    job: str


@dataclass
class World:
    """Schools A and B as their administrators left them, and the browsers of the test."""

    app: Flask
    a: Side
    b: Side
    client_id: int
    colleague_b_id: int
    admins: dict[str, Admin]
    # B's data and the department's, which A's administrator must never see.
    secrets_of_b: list[str]
    browsers: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    enrol_secret: str = ""

    def browser(self, who: str) -> Any:
        """A browser: "a" (A's administrator, signed in), "department", "fresh" (no
        sign-in yet), "first" (a first sign-in, asked for a new password) or "enrolling"
        (a first sign-in past its new password, asked to set up TOTP)."""
        if who not in self.browsers:
            browser = self.app.test_client()
            if who == "department":
                assert sign_in(browser, self.admins["department"]).status_code == 302
                page = "/schoolloket/leerlingen"
            elif who == "fresh":
                page = "/schoolloket/aanmelden"
            elif who == "first":
                assert sign_in(browser, self.admins["first"], code="").status_code == 302
                page = "/schoolloket/nieuw-wachtwoord"
            elif who == "enrolling":
                first = self.admins["enrolling"]
                assert sign_in(browser, first, code="").status_code == 302
                token = csrf_of(_text(browser.get("/schoolloket/nieuw-wachtwoord")))
                chosen = {"current": first.password, "password": CHOSEN_PASSWORD}
                chosen["confirmation"] = CHOSEN_PASSWORD
                moved = browser.post(
                    "/schoolloket/nieuw-wachtwoord", data={**chosen, "csrf_token": token}
                )
                assert moved.headers["Location"].endswith("/verificatie-instellen")
                page = "/schoolloket/verificatie-instellen"
                shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', _text(browser.get(page)))
                assert shown
                self.enrol_secret = shown.group(1).replace(" ", "")
            else:
                raise AssertionError(f"no browser {who}")
            self.browsers[who] = browser
            self.tokens[who] = csrf_of(_text(browser.get(page)))
        return self.browsers[who]

    def path(self, endpoint: str, values: dict[str, Any]) -> str:
        return str(self.app.url_map.bind("localhost").build(endpoint, values))


@dataclass(frozen=True)
class Call:
    """A request as an administrator's browser sends it."""

    who: str
    values: dict[str, Any]
    form: dict[str, Any] | Callable[[World], dict[str, Any]]
    # Whether the request, when taken, changes something besides the session's last use.
    changes: bool


def _create_through_the_console(browser: Any, enrollment_id: int) -> str:
    """Create a pupil's LeerID as an administrator does; the token of the zip to download."""
    screen = _text(browser.get(f"/schoolloket/leerlingen/{enrollment_id}/leerid"))
    form = {"csrf_token": csrf_of(screen), "pupil": str(enrollment_id), "action": "save"}
    for name in ("username-0", "password-0"):
        found = re.search(rf'name="{name}" value="([^"]*)"', screen)
        assert found
        form[name] = found.group(1)
    form["credential-0"] = "word"
    created = browser.post("/schoolloket/leerids/bewaren", data=form)
    assert created.status_code == 200
    download = re.search(r'action="/schoolloket/downloads/([^"]+)"', _text(created))
    assert download
    return download.group(1)


def _waiting_job(session: Session, secrets: Secrets, enrollment_id: int, username: str) -> str:
    """A creation run's progress-page token; its lease is held, so that looking at the
    page starts no worker in the test."""
    maker = session.scalar(select(AdminUser).where(AdminUser.username == username))
    assert maker is not None
    selection = account_runs.select_pupils(session, EVERYTHING, [enrollment_id])
    account_runs.apply_choices(session, selection, {})
    token = account_jobs.start(session, secrets, selection, maker)
    session.execute(update(AccountJob).values(lease_until=utcnow() + dt.timedelta(days=1)))
    session.commit()
    return token


@pytest.fixture
def world(app, client, session, secrets, make_school, make_admin, enrol) -> World:
    a = make_school(instellingsnummer="111111", name="Basisschool A")
    b = make_school(instellingsnummer="222222", name="Basisschool B")
    amber, arne = enrol(a, "Amber", "Aerts"), enrol(a, "Arne", "Aelbrecht")
    wannes, fien = enrol(b, "Wannes", "Zwartberg"), enrol(b, "Fien", "Ysebaert")
    admins = {
        "a": make_admin("beheerder.a", a),
        "b": make_admin("beheerder.b", b),
        "colleague_b": make_admin("collega.b", b),
        "colleague_a": make_admin("collega.a", a),
        "department": make_admin("departement", super_admin=True),
        "first": make_admin("nieuw.a", a, enrolled=False),
        "enrolling": make_admin("nieuw2.a", a, enrolled=False),
    }
    registered = register_client(
        session, name="Woordenwolk", redirect_uris=["https://woordenwolk.example/cb"], actor="test"
    )
    session.commit()
    sign_in(client, admins["a"])
    bundle_a = _create_through_the_console(client, amber.id)
    browser_b = app.test_client()
    sign_in(browser_b, admins["b"])
    bundle_b = _create_through_the_console(browser_b, wannes.id)
    job_a = _waiting_job(session, secrets, arne.id, "beheerder.a")
    job_b = _waiting_job(session, secrets, fien.id, "beheerder.b")
    colleague_b = session.scalar(select(AdminUser).where(AdminUser.username == "collega.b"))
    wannes_account = session.scalar(select(Account).where(Account.person_id == wannes.person_id))
    assert colleague_b is not None and wannes_account is not None and wannes_account.card_serial
    found = World(
        app=app,
        a=Side(a, amber.id, arne.id, bundle_a, job_a),
        b=Side(b, wannes.id, fien.id, bundle_b, job_b),
        client_id=registered.client.id,
        colleague_b_id=colleague_b.id,
        admins=admins,
        secrets_of_b=[
            "Wannes",
            "Zwartberg",
            "Fien",
            "Ysebaert",
            wannes_account.username,
            wannes_account.card_serial,
            "Basisschool B",
            "beheerder.b",
            "collega.b",
            "Woordenwolk",
        ],
    )
    found.browsers["a"] = client
    found.tokens["a"] = csrf_of(_text(client.get("/schoolloket/leerlingen")))
    return found


def _call(world: World, endpoint: str, method: str, variant: dict[str, str], side: str) -> Call:
    """The request for `endpoint`: with school A's identifiers (side "own", as its
    administrator, or as the department on the department's pages), or with school B's
    (side "foreign", always as A's administrator)."""
    school = world.b if side == "foreign" else world.a
    department = "a" if side == "foreign" else "department"
    confirmed = {"confirmed": "1"}
    pupil = {"enrollment_id": school.with_account}
    calls: dict[str, Call] = {
        "schoolloket.pupil": Call("a", pupil, {}, False),
        "schoolloket.new_account": Call("a", {"enrollment_id": school.without_account}, {}, False),
        "schoolloket.job": Call("a", {"token": school.job}, {}, False),
        "schoolloket.download": Call("a", {"token": school.bundle}, {}, True),
        "schoolloket.pupil_new_password": Call(
            "a", pupil, {**confirmed, "credential": "word"}, True
        ),
        "schoolloket.pupil_new_card": Call("a", pupil, {}, True),
        "schoolloket.pupil_status": Call("a", {**pupil, **variant}, confirmed, True),
        "schoolloket.new_accounts": Call("a", {}, {"pupil": str(school.without_account)}, False),
        "schoolloket.save_accounts": Call(
            "a",
            {},
            {
                "pupil": str(school.without_account),
                "action": "save",
                "username-0": "nieuwe.leerling",
                "credential-0": "picture",
                "password-0": "",
            },
            True,
        ),
        "schoolloket.schools": Call(department, {}, {}, False),
        "schoolloket.apps": Call(
            department,
            {},
            {
                "name": "Rekenmolen",
                "redirect_uris": "https://rekenmolen.example/cb",
                "kind": "confidential",
                "scope": ["profile"],
            }
            if method == "POST"
            else {},
            method == "POST",
        ),
        "schoolloket.app": Call(
            department,
            {"client_id": world.client_id},
            {"redirect_uris": "https://woordenwolk.example/v2/cb"} if method == "POST" else {},
            method == "POST",
        ),
        "schoolloket.rotate_secret": Call(
            department, {"client_id": world.client_id}, confirmed, True
        ),
        "schoolloket.toggle_app": Call(
            department, {"client_id": world.client_id, **variant}, confirmed, True
        ),
        "schoolloket.administrators": Call(
            department,
            {},
            {"username": "nieuwe.beheerder", "role": "school_admin", "schools": "111111"}
            if method == "POST"
            else {},
            method == "POST",
        ),
        "schoolloket.deactivate_admin": Call(
            department, {"admin_id": world.colleague_b_id}, confirmed, True
        ),
        "schoolloket.sign_in": Call(
            "fresh",
            {},
            lambda w: {
                "username": "collega.a",
                "password": w.admins["colleague_a"].password,
                "code": current_code(w.admins["colleague_a"].secret or ""),
            },
            True,
        ),
        "schoolloket.new_password": Call(
            "first",
            {},
            lambda w: {
                "current": w.admins["first"].password,
                "password": CHOSEN_PASSWORD,
                "confirmation": CHOSEN_PASSWORD,
            },
            True,
        ),
        "schoolloket.enrol": Call(
            "enrolling", {}, lambda w: {"code": current_code(w.enrol_secret)}, True
        ),
        "schoolloket.sign_out": Call("a", {}, {}, True),
    }
    assert endpoint in calls, f"a new route, {endpoint}: say here how it is called"
    return calls[endpoint]


def _prepare(session: Session, world: World, variant: dict[str, str]) -> None:
    """Unblocking needs blocked accounts, enabling a disabled application: both schools'
    and the application's, so that a refusal has something it could have changed."""
    action = variant.get("action")
    if action == "deblokkeren":
        people = select(Enrollment.person_id).where(
            Enrollment.id.in_([world.a.with_account, world.b.with_account])
        )
        session.execute(
            update(Account)
            .where(Account.person_id.in_(people.scalar_subquery()))
            .values(status=AccountStatus.BLOCKED)
        )
    if action == "inschakelen":
        session.execute(update(Client).values(disabled_at=utcnow()))
    session.commit()


def _snapshot(session: Session, skip: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """Every row of every table, as committed now."""
    session.rollback()
    return {
        table.name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
        for table in Base.metadata.sorted_tables
        if table.name not in skip
    }


SESSIONS = frozenset({"admin_session"})


def _form(world: World, call: Call) -> dict[str, Any]:
    return call.form(world) if callable(call.form) else dict(call.form)


def test_the_walk_covers_the_apps_url_map(app):
    """The rules walked here (read from the blueprint at collection) are the served app's."""
    served = {
        (rule.rule, rule.endpoint, frozenset(rule.methods or ()))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX)
    }
    walked = {(rule.rule, rule.endpoint, frozenset(rule.methods or ())) for rule in RULES}
    assert served == walked
    assert len(POST_CASES) >= 15 and len(SCOPED_CASES) >= 15


@pytest.mark.parametrize(("endpoint", "variant"), POST_CASES)
def test_a_post_without_the_right_token_is_refused_and_changes_nothing(
    world, session, endpoint, variant
):
    call = _call(world, endpoint, "POST", variant, "own")
    _prepare(session, world, variant)
    browser = world.browser(call.who)
    form = _form(world, call)
    path = world.path(endpoint, call.values)
    stranger = world.app.test_client()
    someone_elses = csrf_of(_text(stranger.get("/schoolloket/aanmelden")))
    assert someone_elses != world.tokens[call.who]
    before = _snapshot(session)
    for token in (None, "", "0" * 64, someone_elses, world.tokens[call.who][:-1]):
        data = form if token is None else {**form, "csrf_token": token}
        refused = browser.post(path, data=data)
        assert refused.status_code == 400, token
        assert FORM_REFUSED in _text(refused)
    # The right token in the address instead of the form is no token either.
    in_query = browser.post(f"{path}?csrf_token={world.tokens[call.who]}", data=form)
    assert in_query.status_code == 400
    assert _snapshot(session) == before
    # The same form with this browser's own token is taken: only the token was wrong.
    taken = browser.post(path, data={**form, "csrf_token": world.tokens[call.who]})
    assert taken.status_code in (200, 302), _text(taken)
    assert FORM_REFUSED not in _text(taken)
    if call.changes:
        unchanged = {name: rows for name, rows in before.items() if name not in SESSIONS}
        assert _snapshot(session, SESSIONS) != unchanged


@pytest.mark.parametrize(("endpoint", "method", "variant"), SCOPED_CASES)
def test_another_schools_identifiers_find_nothing_and_change_nothing(
    world, session, endpoint, method, variant
):
    foreign = _call(world, endpoint, method, variant, "foreign")
    own = _call(world, endpoint, method, variant, "own")
    _prepare(session, world, variant)
    browser = world.browser("a")
    token = world.tokens["a"]
    path = world.path(endpoint, foreign.values)
    form = _form(world, foreign)
    # A confirmation page would name the pupil or application: asked and confirmed alike.
    forms = [form] if method == "GET" else [{**form, "csrf_token": token}]
    if method == "POST" and "confirmed" in form:
        forms.append({k: v for k, v in form.items() if k != "confirmed"} | {"csrf_token": token})
    before = _snapshot(session)
    for data in forms:
        response = browser.open(path, method=method, data=data or None)
        assert response.status_code == 404, (path, data)
        shown = _text(response)
        leaked = [secret for secret in world.secrets_of_b if secret in shown]
        assert leaked == [], (path, data)
    assert _snapshot(session) == before
    # A's own identifiers (the department, on its own pages) are answered: the 404 came
    # from the scope.
    own_browser = world.browser(own.who)
    data = _form(world, own)
    if method == "POST":
        data["csrf_token"] = world.tokens[own.who]
    answered = own_browser.open(world.path(endpoint, own.values), method=method, data=data or None)
    assert answered.status_code in (200, 302), _text(answered)
    if own.changes:
        unchanged = {name: rows for name, rows in before.items() if name not in SESSIONS}
        assert _snapshot(session, SESSIONS) != unchanged


def _stamnummer(session: Session, enrollment_id: int) -> str:
    found = session.get(Enrollment, enrollment_id)
    assert found is not None
    return found.stamnummer


def _serial(session: Session, enrollment_id: int) -> str:
    found = session.get(Enrollment, enrollment_id)
    assert found is not None
    account = session.scalar(select(Account).where(Account.person_id == found.person_id))
    assert account is not None and account.card_serial
    return account.card_serial


# Another school's identifiers in a query string or a form, as (method, address, form,
# status): each built from the world by name ("B.with_account" and so on).
FORM_AND_QUERY_CASES = {
    "card-serial": ("GET", "/schoolloket/kaartje?serial={b_serial}", {}, 404),
    "audit-pupil": ("GET", "/schoolloket/audit?pupil={b_with}", {}, 200),
    "audit-stamnummer": ("GET", "/schoolloket/audit?stamnummer={b_stamnummer}", {}, 200),
    "list-school": ("GET", "/schoolloket/leerlingen?school={b_school}", {}, 200),
    "list-instellingsnummer": ("GET", "/schoolloket/leerlingen?instellingsnummer=222222", {}, 200),
    "list-stamnummer": ("GET", "/schoolloket/leerlingen?q={b_stamnummer}", {}, 200),
    "list-name": ("GET", "/schoolloket/leerlingen?q=Zwartberg", {}, 200),
    "create-screen-pupil": ("POST", "/schoolloket/leerids/nieuw", {"pupil": "{b_without}"}, 400),
    "create-screen-pupil-with-account": (
        "POST",
        "/schoolloket/leerids/nieuw",
        {"pupil": "{b_with}"},
        400,
    ),
    "create-screen-all-of-school": (
        "POST",
        "/schoolloket/leerids/nieuw",
        {"all": "1", "school": "{b_school}"},
        400,
    ),
    "create-screen-all-of-instellingsnummer": (
        "POST",
        "/schoolloket/leerids/nieuw",
        {"all": "1", "instellingsnummer": "222222"},
        400,
    ),
    "save": (
        "POST",
        "/schoolloket/leerids/bewaren",
        {
            "pupil": "{b_without}",
            "action": "save",
            "username-0": "fien.nieuw",
            "credential-0": "picture",
            "password-0": "",
        },
        400,
    ),
    "save-apply-to-all": (
        "POST",
        "/schoolloket/leerids/bewaren",
        {"pupil": "{b_without}", "action": "apply", "whole": "picture"},
        400,
    ),
}


@pytest.mark.parametrize("case", sorted(FORM_AND_QUERY_CASES))
def test_another_schools_identifiers_in_forms_and_queries_show_nothing(world, session, case):
    """Routes that take pupils' or schools' identifiers in the form or the query string:
    the pupil list, the audit filter, the card search, and the create screen, which
    answers 400 ("select pupils of your schools first") rather than 404."""
    method, address, form, status = FORM_AND_QUERY_CASES[case]
    names = {
        "b_serial": _serial(session, world.b.with_account),
        "b_with": world.b.with_account,
        "b_without": world.b.without_account,
        "b_stamnummer": _stamnummer(session, world.b.with_account),
        "b_school": world.b.school.id,
    }
    path = address.format(**names)
    data = {key: value.format(**names) for key, value in form.items()}
    if method == "POST":
        data["csrf_token"] = world.tokens["a"]
    before = _snapshot(session, SESSIONS)
    response = world.browsers["a"].open(path, method=method, data=data or None)
    assert response.status_code == status, _text(response)
    # What was typed is shown back in the filter: only the rest counts as leaked.
    typed = path + repr(data)
    leaked = [s for s in world.secrets_of_b if s in _text(response) and s not in typed]
    assert leaked == []
    assert _snapshot(session, SESSIONS) == before
    if path.startswith("/schoolloket/leerlingen"):
        assert "0 leerlingen gevonden" in _text(response)


def test_a_selection_of_both_schools_creates_only_ones_own(world, session):
    """Another school's pupil slipped into a selection is left out as if not sent."""
    a, b = world.a.without_account, world.b.without_account
    token = world.tokens["a"]
    browser = world.browsers["a"]
    screen = browser.post("/schoolloket/leerids/nieuw", data={"csrf_token": token, "pupil": [b, a]})
    assert screen.status_code == 200
    assert re.findall(r'name="pupil" value="(\d+)"', _text(screen)) == [str(a)]
    assert [s for s in world.secrets_of_b if s in _text(screen)] == []
    form = {"csrf_token": token, "pupil": [str(b), str(a)], "action": "save"}
    for row, username in enumerate(("fien.nieuw", "arne.nieuw")):
        form |= {f"username-{row}": username, f"credential-{row}": "picture", f"password-{row}": ""}
    saved = browser.post("/schoolloket/leerids/bewaren", data=form)
    assert saved.status_code == 200
    assert [s for s in world.secrets_of_b if s in _text(saved)] == []
    session.rollback()
    people = {
        enrollment_id: session.get(Enrollment, enrollment_id).person_id for enrollment_id in (a, b)
    }
    made = dict(
        session.execute(
            select(Account.person_id, Account.username).where(
                Account.person_id.in_(people.values())
            )
        ).all()
    )
    # A's pupil gets the username typed on A's row (row 1), B's pupil nothing.
    assert made == {people[a]: "arne.nieuw"}
