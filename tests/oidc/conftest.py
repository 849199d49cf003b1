"""Fixtures for protocol tests: a pupil with a password, and registered apps."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask
from werkzeug.serving import make_server

from idp import create_app
from idp.db import get_database
from idp.models import (
    Account,
    AccountKind,
    CredentialType,
    EducationType,
    Enrollment,
    Person,
    Province,
)
from idp.passwords import hash_secret
from idp.services.clients import register_client
from tests.oidc.relying_party import RelyingParty

PASSWORD = "Zonnebloem-2024!"


@pytest.fixture
def make_pupil(session, make_school) -> Callable[..., Account]:
    """Create a pupil enrolled in a school, with an account and password PASSWORD."""
    count = iter(range(1, 10_000))

    def make(username: str | None = None, school=None, **person: Any) -> Account:
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
def pupil(make_pupil) -> Account:
    """One pupil."""
    return make_pupil()


@pytest.fixture
def make_rp(session, client) -> Callable[..., RelyingParty]:
    """Register an app and return a relying party for it, sharing the test browser."""

    def make(
        redirect_uri: str = "https://app.example/callback",
        auth_method: str = "client_secret_basic",
        browser: Any = None,
        **options: Any,
    ) -> RelyingParty:
        public = auth_method == "none"
        created = register_client(
            session,
            name=options.pop("name", "Rekenapp"),
            redirect_uris=[redirect_uri],
            actor="test",
            public=public,
            auth_method=auth_method,
            **options,
        )
        session.commit()
        return RelyingParty(
            browser=browser or client,
            client_id=created.client.client_id,
            client_secret=created.client_secret,
            redirect_uri=redirect_uri,
            auth_method=auth_method,
        )

    return make


@dataclass
class AppServer:
    """What an app runs besides its pages: its key set and its back-channel logout endpoint."""

    base: str
    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    logouts: list[str] = field(default_factory=list)

    @property
    def backchannel_uri(self) -> str:
        return f"{self.base}/backchannel"

    @property
    def jwks_uri(self) -> str:
        return f"{self.base}/jwks"


@pytest.fixture
def app_server() -> Iterator[AppServer]:
    """A learning app's own HTTP endpoints on 127.0.0.1, recording logout tokens."""
    state = AppServer(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            body = json.dumps(state.jwks).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # noqa: N802
            length = int(self.headers["Content-Length"])
            form = parse_qs(self.rfile.read(length).decode())
            state.logouts.extend(form.get("logout_token", []))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


class _Dispatch:
    """A WSGI app whose target is set once the port is known (addresses need it)."""

    app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


@dataclass
class Live:
    """An app served on 127.0.0.1 by a real HTTP server."""

    url: str
    app: Flask


@pytest.fixture
def serve_live() -> Iterator[Callable[[Callable[[str], Flask]], Live]]:
    """Serve apps built by `build(url)` on free ports; all stop after the test."""
    servers = []

    def serve(build: Callable[[str], Flask]) -> Live:
        dispatch = _Dispatch()
        server = make_server("127.0.0.1", 0, dispatch, threaded=True)
        url = f"http://127.0.0.1:{server.server_port}"
        dispatch.app = build(url)
        # A short poll interval keeps shutdown (at teardown) quick.
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return Live(url, dispatch.app)

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def live_leerid(settings, serve_live) -> Iterator[Live]:
    """LeerID on a live server; its issuer is its own address."""

    def build(url: str) -> Flask:
        settings["server"]["issuer"] = url
        return create_app(settings)

    live = serve_live(build)
    yield live
    get_database(live.app).engine.dispose()
