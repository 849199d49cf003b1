"""Fixtures: an app on a fresh database per test, on SQLite (default) or PostgreSQL.

Set TEST_DATABASE_URL to a PostgreSQL URL (for example
postgresql+psycopg://postgres@127.0.0.1/test) to run the suite on PostgreSQL: a private
database is created next to it for the run and dropped afterwards.

Every test app keeps its throttling counters in the real Redis named by TEST_REDIS_URL
(default redis://127.0.0.1:6379/0), under a key prefix of its own that is deleted after
the test.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from examples.learning_app import create_app as create_learning_app
from idp import create_app, schema
from idp.cli import main as leerid_main
from idp.db import get_database, get_session
from idp.demo import ensure_demo_app
from idp.keystore import Secrets, ensure_secrets, load_secrets
from idp.models import (
    Account,
    AccountKind,
    Base,
    CredentialType,
    EducationType,
    Enrollment,
    Person,
    Province,
    School,
)
from idp.passwords import hash_secret
from idp.services.accounts import create_account
from idp.services.cards import issue_card
from idp.services.clients import register_client
from idp.signing_keys import ensure_signing_keys
from tests.live import AppServer, Live, serve, serve_app_server
from tests.mail import Mailbox, start_mail_server
from tests.national_numbers import with_official_data
from tests.redis_keys import TEST_REDIS_URL, delete_prefixed, unique_prefix
from tests.stand_in_app import StandInApp

TEST_DATABASE = os.environ.get("TEST_DATABASE_URL", "sqlite")
# Settings of the test tools (tests/browser), not of LeerID, whose configuration refuses
# LEERID_* variables it does not know: taken out of the environment before an app reads it.
TOOL_SETTINGS = {
    name: os.environ.pop(name)
    for name in ("LEERID_CHROMIUM", "LEERID_SCREENSHOT_DIR")
    if name in os.environ
}
# Fast Argon2 parameters: the tests exercise logic, the benchmarks measure cost.
FAST_PASSWORDS = {"argon2_time_cost": 1, "argon2_memory_cost": 64, "argon2_parallelism": 1}
# The password of every pupil made by `make_pupil`.
PASSWORD = "Zonnebloem-2024!"


def _postgres_database() -> Iterator[str]:
    base = make_url(TEST_DATABASE)
    name = f"leerid_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A throw-away database: no test needs a commit to wait for the disk, and the
        # TRUNCATE between tests commits a few hundred times a minute.
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with the migrated schema, made once per run."""
    if TEST_DATABASE == "sqlite":
        path = tmp_path_factory.mktemp("db") / "template.db"
        url = f"sqlite:///{path}"
        engine = create_engine(url)
        schema.upgrade(engine)
        engine.dispose()
        yield url
        return
    databases = _postgres_database()
    url = next(databases)
    engine = create_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    yield url
    next(databases, None)


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> Iterator[str]:
    """A database for one test: a copy of the SQLite template, or the emptied PG database."""
    if template_database.startswith("sqlite"):
        copy = tmp_path / "test.db"
        shutil.copyfile(make_url(template_database).database or "", copy)
        yield f"sqlite:///{copy}"
        return
    yield template_database
    engine = create_engine(template_database)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Key material shared by the whole run."""
    directory = tmp_path_factory.mktemp("keys")
    ensure_secrets(directory)
    ensure_signing_keys(directory)
    return directory


@pytest.fixture(scope="session")
def mail_server() -> Iterator[tuple[Controller, Mailbox]]:
    """A real SMTP server on 127.0.0.1 for the whole run; every test app mails there."""
    box = Mailbox()
    controller = start_mail_server(box)
    yield controller, box
    controller.stop()


@pytest.fixture
def mailbox(mail_server: tuple[Controller, Mailbox]) -> Mailbox:
    """The mails sent during this test."""
    _, box = mail_server
    box.messages.clear()
    return box


@pytest.fixture
def settings(
    database_url: str, keys_dir: Path, tmp_path: Path, mail_server: tuple[Controller, Mailbox]
) -> Iterator[dict[str, dict[str, Any]]]:
    """The configuration overrides every test app is built with."""
    prefix = unique_prefix()
    smtp, _ = mail_server
    yield {
        "server": {"instance_dir": str(tmp_path / "instance")},
        "database": {"url": database_url},
        "keys": {"directory": str(keys_dir)},
        "passwords": dict(FAST_PASSWORDS),
        "throttle": {"redis_url": TEST_REDIS_URL, "key_prefix": prefix},
        "mail": {"smtp_host": smtp.hostname, "smtp_port": smtp.port},
    }
    delete_prefixed(prefix)


@pytest.fixture
def app(settings: dict[str, dict[str, Any]]) -> Iterator[Flask]:
    """The served app; the test's own code runs in the app context of a twin.

    Flask reuses a pushed app context for test-client requests of the same app, which
    would share `g` (database session, CSRF token) between requests. With the twin, each
    request gets a fresh context, as in production.
    """
    app = create_app(settings)
    app.config["TESTING"] = True
    twin = create_app(settings)
    with twin.app_context():
        yield app
    get_database(app).engine.dispose()
    get_database(twin).engine.dispose()


@pytest.fixture
def session(app: Flask) -> Session:
    """The app context's database session."""
    return get_session()


@pytest.fixture
def secrets(keys_dir: Path) -> Secrets:
    """The test run's key material."""
    return load_secrets(keys_dir)


@pytest.fixture
def client(app: Flask) -> Any:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def leerid(
    settings: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run a `leerid` sub-command against the test database, as an operator would."""
    monkeypatch.delenv("LEERID_CONFIG", raising=False)
    monkeypatch.setenv("LEERID_DATABASE_URL", settings["database"]["url"])
    monkeypatch.setenv("LEERID_KEYS_DIRECTORY", settings["keys"]["directory"])
    monkeypatch.setenv("LEERID_SERVER_INSTANCE_DIR", settings["server"]["instance_dir"])
    for section in ("passwords", "throttle"):
        for name, value in settings[section].items():
            monkeypatch.setenv(f"LEERID_{section.upper()}_{name.upper()}", str(value))

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(leerid_main, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture
def make_school(session: Session) -> Callable[..., School]:
    """Create a school (committed), with sensible defaults."""
    counter = iter(range(100000, 999999))

    def make(
        instellingsnummer: str | None = None,
        name: str = "Basisschool De Regenboog",
        province: Province = Province.ANTWERPEN,
    ) -> School:
        school = School(
            instellingsnummer=instellingsnummer or str(next(counter)),
            name=name,
            province=province,
        )
        session.add(school)
        session.commit()
        return school

    return make


@pytest.fixture
def make_pupil(session: Session, make_school: Callable[..., School]) -> Callable[..., Account]:
    """Create a pupil enrolled in a school, with an account and password PASSWORD."""
    count = iter(range(1, 10_000))

    def make(username: str | None = None, school: School | None = None, **person: Any) -> Account:
        number = next(count)
        school = school or make_school(name="Sint-Jozefscollege", province=Province.LIMBURG)
        someone = Person(
            first_name=person.get("first_name", "Noëlla"),
            last_name=person.get("last_name", "Van den Broeck"),
        )
        session.add(someone)
        session.flush()
        session.add(
            Enrollment(
                person_id=someone.id,
                school_id=school.id,
                stamnummer=f"S{number}",
                administrative_group="3B",
                grade="3",
                education_type=EducationType.GEWOON_SECUNDAIR,
                start_date=dt.date(2024, 9, 1),
            )
        )
        account = Account(
            person_id=someone.id,
            username=username or f"noella.vandenbroeck{number}",
            kind=AccountKind.ADVANCED,
            credential_type=CredentialType.OWN,
            password_hash=hash_secret(PASSWORD),
        )
        session.add(account)
        session.commit()
        return account

    return make


@pytest.fixture
def pupil(make_pupil: Callable[..., Account]) -> Account:
    """One pupil."""
    return make_pupil()


@pytest.fixture
def app_server() -> Iterator[AppServer]:
    """A learning app's own HTTP endpoints on 127.0.0.1, recording logout tokens."""
    state, server = serve_app_server()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def serve_live() -> Iterator[Callable[[Callable[[str], Flask]], Live]]:
    """Serve apps built by `build(url)` on free ports of 127.0.0.1; all stop after the test."""
    servers = []

    def start(build: Callable[[str], Flask]) -> Live:
        live, server = serve(build)
        servers.append(server)
        return live

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def live_leerid(settings: dict[str, dict[str, Any]]) -> Iterator[Live]:
    """LeerID on a live server; its issuer is its own address."""

    def build(url: str) -> Flask:
        settings["server"]["issuer"] = url
        return create_app(settings)

    live, server = serve(build)
    yield live
    # Stopped before its engine is disposed: a late request (a browser's) would open a
    # connection that nobody closes.
    server.shutdown()
    server.server_close()
    get_database(live.app).engine.dispose()


@pytest.fixture
def rekenrally(
    live_leerid: Live,
    serve_live: Callable[[Callable[[str], Flask]], Live],
    session: Session,
    secrets: Secrets,
) -> Callable[..., Live]:
    """Start the demo learning app on a live server, registered as `leerid demo` does."""

    def start(response_mode: str = "form_post") -> Live:
        def build(url: str) -> Flask:
            demo = ensure_demo_app(session, secrets, url)
            session.commit()
            return create_learning_app(
                live_leerid.url,
                demo.client_id,
                demo.client_secret,
                url,
                response_mode=response_mode,
            )

        return serve_live(build)

    return start


@pytest.fixture
def stand_in_app(live_leerid: Live, session: Session) -> Iterator[StandInApp]:
    """A learning app on its own HTTP server on 127.0.0.1 (tests/stand_in_app.py), registered
    at the live LeerID and listed as a tile in the Leerlingloket."""
    app = StandInApp.start(live_leerid.url)
    created = register_client(
        session,
        name="Testapp",
        redirect_uris=[app.redirect_uri],
        scopes=("openid", "profile", "school"),
        client_uri=app.url + "/",
        listed=True,
        actor="test",
    )
    session.commit()
    app.configure(created.client.client_id, created.client_secret or "")
    yield app
    app.stop()


@dataclass
class Pupil:
    """A pupil's account, the secret to type (or the picture ids to tap) and the card URL."""

    account: Account
    password: str
    pictures: tuple[str, ...]
    card_url: str

    @property
    def username(self) -> str:
        return self.account.username

    @property
    def card_path(self) -> str:
        return "/k/" + self.card_url.rsplit("/k/", 1)[1]


@pytest.fixture
def new_pupil(session, make_school) -> Callable[..., Pupil]:
    """An enrolled pupil with a new account and card, made by the real services."""
    counter = iter(range(1, 10_000))

    def make(
        credential: CredentialType = CredentialType.WORD,
        kind: EducationType | None = None,
        first: str = "Zoë",
        last: str = "D'Hondt",
        school=None,
    ) -> Pupil:
        if kind is None:
            advanced = credential in (CredentialType.TEMPORARY, CredentialType.OWN)
            kind = EducationType.GEWOON_SECUNDAIR if advanced else EducationType.GEWOON_LAGER
        person = with_official_data(Person(first_name=first, last_name=last))
        session.add(person)
        session.add(
            Enrollment(
                person=person,
                school=school or make_school(name="Basisschool De Regenboog"),
                stamnummer=str(next(counter)),
                administrative_group="2A",
                grade="2",
                education_type=kind,
                start_date=dt.date(2025, 9, 1),
            )
        )
        session.flush()
        own = "Mijn fiets heet Bliksem!" if credential is CredentialType.OWN else None
        created = create_account(session, person, credential=credential, password=own, actor="test")
        card = issue_card(session, created.account, actor="test")
        session.commit()
        return Pupil(
            created.account,
            created.password,
            tuple(p.id for p in created.pictures),
            card.url,
        )

    return make
