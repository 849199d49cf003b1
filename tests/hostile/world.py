"""The state a hostile request needs to reach deep code: pupils of every kind, a registered
app, and journeys through the real pages (signing in, an app's request waiting for the
pupil) that end on the page under test.

Journeys only follow what the server answers (redirects, the forms its pages render), so
they keep working when the sign-in flow keeps its state somewhere else.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Flask
from werkzeug.datastructures import MultiDict

from idp.models import CredentialType, utcnow
from idp.services.email_links import request_confirmation, request_reset
from tests.hostile.forms import Form, forms_of

REDIRECT_URI = "https://app.example/callback"
LOGOUT_URI = "https://app.example/bye"
NEW_PASSWORD = "Mijn kat speelt piano"  # noqa: S105 - a test password
# The password new_pupil (tests.conftest) gives own-password accounts.
OWN_PASSWORD = "Mijn fiets heet Bliksem!"  # noqa: S105 - a test password


def pkce() -> tuple[str, str]:
    """A code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Account:
    """A pupil as the tests sign in: username and what to type (or tap)."""

    username: str
    password: str
    pictures: tuple[str, ...] = ()


@dataclass
class App:
    """A registered app: its credentials."""

    client_id: str
    client_secret: str
    auth_method: str


class JourneyError(AssertionError):
    """A journey did not reach its page: the scenario no longer fits the server."""


class Browser:
    """A fresh test client that follows the pages like a person would."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def page(self, url: str) -> tuple[str, list[Form]]:
        """GET a page, following LeerID's redirects (a new sign-in gets its interaction that
        way); it must end with 200. Returns its HTML and forms."""
        response = self.client.get(url, follow_redirects=True)
        if response.status_code != 200:
            raise JourneyError(f"GET {url}: {response.status_code}")
        html = response.get_data(as_text=True)
        final = urlsplit(response.request.url)
        return html, forms_of(html, final.path + ("?" + final.query if final.query else ""))

    def submit(self, url: str, values: dict[str, str], index: int = -1) -> Any:
        """GET the page and POST its form (the last one unless told) with `values`."""
        _, forms = self.page(url)
        posting = [f for f in forms if f.method == "POST"]
        if not posting:
            raise JourneyError(f"no form on {url}")
        form = posting[index]
        return self.client.post(form.action, data=MultiDict(form.submission(values)))

    def follow(self, response: Any, expect: int = 302) -> str:
        """The redirect target of a response."""
        if response.status_code != expect:
            raise JourneyError(f"expected {expect}, got {response.status_code}")
        location: str = response.headers["Location"]
        split = urlsplit(location)
        if split.netloc and split.netloc != "localhost":
            return location
        return split.path + ("?" + split.query if split.query else "")


class World:
    """The test's apps, fresh pupils on demand, and journeys to every state a page can be
    in. Every case makes its own pupils, so no case changes what another starts from."""

    def __init__(self, app: Flask, session: Any, new_pupil: Any, apps: dict[str, App]) -> None:
        self.app = app
        self.session = session
        self.new_pupil = new_pupil
        self.post_app = apps["client_secret_post"]
        self.basic_app = apps["client_secret_basic"]
        self.numbers = itertools.count(1)
        self.pool: dict[str, tuple[Account, Any]] = {}

    def pupil(self, credential: str = "own") -> Account:
        """A pupil of this kind shared by journeys that never change an account (signing
        in and out, apps' requests): made once, so that most journeys make none."""
        if credential not in self.pool:
            self.pool[credential] = self.fresh(credential)
        return self.pool[credential][0]

    def fresh(self, credential: str = "own", email: bool = False) -> tuple[Account, Any]:
        """A new pupil: the account to sign in with, and the made pupil (tests.conftest)."""
        made = self.new_pupil(CredentialType(credential))
        if email:
            made.account.email = f"leerling{next(self.numbers)}@example.org"
            made.account.email_verified_at = utcnow()
            self.session.commit()
        own = made.account.credential_type is CredentialType.OWN
        secret = OWN_PASSWORD if own else made.password
        return Account(made.username, secret, made.pictures), made

    def fresh_email(self) -> str:
        """The confirmed address of a new pupil (a reset link can be sent to it)."""
        _, made = self.fresh(email=True)
        return str(made.account.email)

    def card(self) -> str:
        """The card path of the shared picture pupil (opening it changes nothing)."""
        self.pupil("picture")
        return str(self.pool["picture"][1].card_path)

    def fresh_reset_token(self) -> str:
        """The token of a new reset link, of a new pupil with a confirmed address."""
        (link,) = request_reset(self.session, self.fresh_email(), 1800)
        self.session.commit()
        return link.token

    def fresh_confirm_token(self) -> str:
        """The token of a new address-confirmation link, of a new pupil."""
        _, made = self.fresh()
        link = request_confirmation(self.session, made.account, "nieuw@example.org", 3600)
        self.session.commit()
        return link.token

    def browser(self) -> Browser:
        return Browser(self.app)

    def schoolloket(self) -> Schoolloket:
        """The Schoolloket's school and administrator, made on first use."""
        if not hasattr(self, "_schoolloket"):
            self._schoolloket = Schoolloket(self)
        return self._schoolloket

    # Signing in.

    def username_step(self, browser: Browser, account: Account, start: str = "/login") -> str:
        """Type the username on the first step; the URL of the second step."""
        return browser.follow(browser.submit(start, {"username": account.username}))

    def sign_in(self, browser: Browser, account: Account, start: str = "/login") -> Any:
        """Both steps; the response after the password (or the eighth picture)."""
        second = self.username_step(browser, account, start)
        if "/login/pictures" not in second:
            return browser.submit(second, {"password": account.password})
        response = None
        for pick in account.pictures:
            response = browser.submit(second, {"pick": pick})
        return response

    def shared_browser(self) -> Browser:
        """One signed-in browser for requests that never end its session."""
        if not hasattr(self, "_shared"):
            self._shared = self.signed_in()
        return self._shared

    def signed_in(self, account: Account | None = None) -> Browser:
        """A browser with a live LeerID session (of the shared pupil unless told)."""
        browser = self.browser()
        browser.follow(self.sign_in(browser, account or self.pupil()))
        return browser

    # An app's request.

    def authorize_params(self, app: App | None = None, **extra: str) -> dict[str, str]:
        """A valid authorization request of the app (code flow, PKCE S256)."""
        _, challenge = pkce()
        return {
            "response_type": "code",
            "client_id": (app or self.post_app).client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile",
            "state": secrets.token_urlsafe(8),
            "nonce": secrets.token_urlsafe(8),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **extra,
        }

    def code(self, browser: Browser, app: App | None = None) -> tuple[str, str]:
        """A fresh authorization code for a signed-in browser, and its code verifier."""
        verifier, challenge = pkce()
        params = self.authorize_params(app, code_challenge=challenge)
        target = browser.follow(browser.get("/authorize?" + urlencode(params)))
        if not target.startswith(REDIRECT_URI):
            raise JourneyError(f"authorize went to {target}")
        return parse_qs(urlsplit(target).query)["code"][0], verifier

    def tokens(self, browser: Browser, app: App | None = None) -> dict[str, Any]:
        """Fresh tokens (access, refresh, ID) for a signed-in browser."""
        app = app or self.post_app
        code, verifier = self.code(browser, app)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        }
        headers = {}
        if app.auth_method == "client_secret_basic":
            headers["Authorization"] = app_basic(app)
        else:
            form.update(client_id=app.client_id, client_secret=app.client_secret)
        response = browser.client.post("/token", data=form, headers=headers)
        if response.status_code != 200:
            raise JourneyError(f"token: {response.status_code} {response.get_data(as_text=True)}")
        tokens: dict[str, Any] = response.get_json()
        return tokens

    def parked(self, browser: Browser, app: App | None = None) -> str:
        """An app's request waiting for the pupil: the sign-in page it sent the browser to."""
        target = browser.follow(browser.get("/authorize?" + urlencode(self.authorize_params(app))))
        if "/login" not in target:
            raise JourneyError(f"authorize went to {target}, not to the sign-in page")
        return target


def app_basic(app: App) -> str:
    """The app's HTTP Basic credentials (RFC 6749 §2.3.1)."""
    raw = f"{app.client_id}:{app.client_secret}".encode()
    return "Basic " + base64.b64encode(raw).decode()


class Schoolloket:
    """A school with an enrolled administrator, and browsers signed in to the Schoolloket
    at any stage. Sessions are opened directly (each TOTP code works once, and the sign-in
    itself has tests of its own: tests/schoolloket)."""

    PASSWORD = "Fietsenstalling-Noord-17!"

    def __init__(self, world: World) -> None:
        from idp.models import AdminRole, Province, School
        from idp.services.admins import create_admin

        self.world = world
        session = world.session
        self.school = School(
            instellingsnummer="424242", name="Hostile school", province=Province.LIMBURG
        )
        session.add(self.school)
        session.flush()
        self.numbers = itertools.count(1)
        created = create_admin(
            session,
            "beheerder.hostile",
            role=AdminRole.SCHOOL_ADMIN,
            schools=[self.school.instellingsnummer],
            actor="test",
            password=self.PASSWORD,
        )
        created.admin.must_change_password = False
        created.admin.totp_secret_encrypted = "v1.unused"
        self.admin = created.admin
        session.commit()

    def app(self) -> int:
        """A new connected application (confidential): its id."""
        from idp.services.clients import register_client

        number = next(self.numbers)
        registered = register_client(
            self.world.session,
            name=f"App {number}",
            redirect_uris=[f"https://app{number}.example/callback"],
            actor="test",
        )
        self.world.session.commit()
        return registered.client.id

    def browser(self, stage: str = "signed_in") -> Browser:
        """A browser whose Schoolloket session is at `stage` (new_password, enrol_totp,
        signed_in, or super_admin: signed in as the department); all but signed_in with an
        administrator of their own."""
        from idp.models import AdminRole
        from idp.services.admin_sessions import open_session
        from idp.services.admins import create_admin

        session = self.world.session
        admin = self.admin
        if stage == "super_admin":
            admin = create_admin(
                session,
                f"departement.{next(self.numbers)}",
                role=AdminRole.SUPER_ADMIN,
                actor="test",
                password=self.PASSWORD,
            ).admin
            admin.must_change_password = False
            admin.totp_secret_encrypted = "v1.unused"
        elif stage != "signed_in":
            admin = create_admin(
                session,
                f"nieuw.{next(self.numbers)}",
                role=AdminRole.SCHOOL_ADMIN,
                schools=[self.school.instellingsnummer],
                actor="test",
                password=self.PASSWORD,
            ).admin
            admin.must_change_password = stage == "new_password"
        opened = open_session(session, admin)
        session.commit()
        browser = self.world.browser()
        browser.client.set_cookie("leerid_admin", opened.token, path="/schoolloket")
        return browser

    def pupil_with_account(self) -> tuple[int, str]:
        """A new pupil of the school with a LeerID and card: enrollment id, card serial."""
        from sqlalchemy import select

        from idp.models import Enrollment
        from idp.services.accounts import create_account
        from idp.services.cards import issue_card

        enrollment_id = self.pupil()
        session = self.world.session
        enrollment = session.scalar(select(Enrollment).where(Enrollment.id == enrollment_id))
        created = create_account(session, enrollment.person, actor="test")
        card = issue_card(session, created.account, actor="test")
        session.commit()
        return enrollment_id, card.serial

    def finished_job(self) -> str:
        """The progress token of a background run that created one pupil's account."""
        from idp.services import account_jobs, account_runs
        from idp.services.scope import EVERYTHING

        session = self.world.session
        selection = account_runs.select_pupils(session, EVERYTHING, [self.pupil()])
        account_runs.apply_choices(session, selection, {})
        token = account_jobs.start(
            session, self.world.app.extensions["leerid.secrets"], selection, self.admin
        )
        session.commit()
        job = account_jobs.find(session, EVERYTHING, token)
        account_jobs.run(self.world.app, job.id)
        return token

    def pupil(self) -> int:
        """A new pupil of the school, with official data and no account: its enrollment id."""
        import datetime as dt

        from idp.models import EducationType, Enrollment, Person

        number = next(self.numbers)
        person = Person(first_name="Yalçın", last_name=f"Demir{number}")
        person.national_number_hash = f"{number:064d}"
        person.national_number_encrypted = "v1.unused"
        enrollment = Enrollment(
            person=person,
            school=self.school,
            stamnummer=f"H{number}",
            administrative_group="3A",
            grade="3",
            education_type=EducationType.GEWOON_LAGER,
            start_date=dt.date(2025, 9, 1),
        )
        self.world.session.add(enrollment)
        self.world.session.commit()
        return enrollment.id
