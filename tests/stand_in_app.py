"""A learning app stand-in on 127.0.0.1: a real HTTP server that sends pupils to LeerID and
records what arrives at its redirect URI, in every response mode, the way a school's
Chromebook delivers it. Written with the standard library and joserfc only, not with
Authlib, so that it does not share LeerID's assumptions.

    app = StandInApp.start(leerid_url)            # then register app.redirect_uri
    app.configure(client_id, client_secret)
    page.goto(app.start_url("query"))             # or "form_post"; "/post-start" POSTs
    ... sign in ...
    arrival = app.wait()                          # method, params, tokens, claims

On arrival it exchanges the code at LeerID's token endpoint (client_secret_basic, PKCE) and
checks the ID token (signature against the published keys, iss, aud, nonce), then shows a
page "Aangemeld bij de testapp" with the subject, so the browser ends somewhere visible.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet

SIGNED_IN = "Aangemeld bij de testapp"


@dataclass
class Arrival:
    """One delivery at the redirect URI, and what the token exchange gave."""

    method: str
    params: dict[str, list[str]]
    tokens: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None

    def one(self, name: str) -> str | None:
        """The single value of a parameter, or None."""
        values = self.params.get(name, [])
        return values[0] if len(values) == 1 else None


@dataclass
class _Flow:
    state: str
    nonce: str
    verifier: str


class StandInApp:
    """The app's server; `arrivals` fill in as the browser delivers responses."""

    def __init__(self, leerid_url: str) -> None:
        self.leerid_url = leerid_url
        self.client_id = ""
        self.client_secret = ""
        self.url = ""
        self.arrivals: list[Arrival] = []
        self._flows: dict[str, _Flow] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @classmethod
    def start(cls, leerid_url: str) -> StandInApp:
        """Serve on a free port of 127.0.0.1 from a background thread."""
        app = cls(leerid_url)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(app))
        app._server = server
        app.url = f"http://127.0.0.1:{server.server_port}"
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return app

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def redirect_uri(self) -> str:
        """Where LeerID delivers the authorization response."""
        return self.url + "/callback"

    def configure(self, client_id: str, client_secret: str) -> None:
        """The app's registration at LeerID."""
        self.client_id, self.client_secret = client_id, client_secret

    def start_url(self, mode: str, **extra: str) -> str:
        """The app's own "sign in with LeerID" link for a response mode."""
        return f"{self.url}/start?" + urlencode({"mode": mode, **extra})

    def authorization_url(self, mode: str, state_length: int = 16, **extra: str) -> str:
        """A fresh authorization request (state, nonce and PKCE remembered); some apps keep
        a whole return address in `state`, hence its length can be chosen."""
        state = secrets.token_urlsafe(state_length)[:state_length]
        flow = _Flow(state, secrets.token_urlsafe(12), secrets.token_urlsafe(48))
        with self._lock:
            self._flows[flow.state] = flow
        challenge = base64.urlsafe_b64encode(hashlib.sha256(flow.verifier.encode()).digest())
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": "openid profile school",
            "state": flow.state,
            "nonce": flow.nonce,
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
            "response_mode": mode,
            **extra,
        }
        return f"{self.leerid_url}/authorize?" + urlencode(params)

    def wait(self, count: int = 1, timeout: float = 10.0) -> Arrival:
        """The `count`-th arrival, once it is there (its token exchange done)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.arrivals) >= count:
                    return self.arrivals[count - 1]
            time.sleep(0.05)
        raise AssertionError(f"nothing arrived at {self.redirect_uri} within {timeout} s")

    def receive(self, method: str, params: dict[str, list[str]]) -> Arrival:
        """Record a delivery and, for a code, exchange it and check the ID token."""
        arrival = Arrival(method, params)
        try:
            self._exchange(arrival)
        except (AssertionError, OSError, ValueError) as problem:
            arrival.problem = str(problem)
        with self._lock:
            self.arrivals.append(arrival)
        return arrival

    def _exchange(self, arrival: Arrival) -> None:
        code, state = arrival.one("code"), arrival.one("state")
        assert arrival.one("iss") == self.leerid_url, "RFC 9207: iss in the response"
        with self._lock:
            flow = self._flows.pop(state or "", None)
        assert flow is not None, f"unknown or reused state {state!r}"
        if code is None:
            return
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        body = urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": flow.verifier,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - LeerID on 127.0.0.1
            f"{self.leerid_url}/token",
            data=body,
            headers={"Authorization": f"Basic {basic}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                arrival.tokens = json.load(response)
        except urllib.error.HTTPError as error:
            raise AssertionError(f"token endpoint: {error.code} {error.read()!r}") from None
        with urllib.request.urlopen(f"{self.leerid_url}/jwks", timeout=10) as response:  # noqa: S310
            keys = KeySet.import_key_set(json.load(response))
        decoded = jwt.decode(arrival.tokens["id_token"], keys, algorithms=["RS256", "ES256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.leerid_url},
            aud={"essential": True, "value": self.client_id},
            nonce={"essential": True, "value": flow.nonce},
            exp={"essential": True},
        ).validate(decoded.claims)
        arrival.claims = dict(decoded.claims)


def _posting_form(url: str) -> str:
    """The authorization request as a form that POSTs it (OIDC Core §3.1.2.1)."""
    action, _, query = url.partition("?")
    fields = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, values in parse_qs(query).items()
        for value in values
    )
    return (
        f'<h1>Testapp</h1><form method="post" action="{html.escape(action)}">{fields}'
        '<button type="submit">Aanmelden met LeerID (POST)</button></form>'
    )


def _handler(app: StandInApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            if parts.path in ("/start", "/post-start"):
                mode = query.pop("mode", ["query"])[0]
                length = int(query.pop("state_length", ["16"])[0])
                extra = {name: values[0] for name, values in query.items()}
                url = app.authorization_url(mode, length, **extra)
                if parts.path == "/start":
                    self._redirect(url)
                else:
                    self._send(200, _posting_form(url))
            elif parts.path == "/callback":
                self._page(app.receive("GET", query))
            else:
                link = '<a href="/start?mode=query">Aanmelden met LeerID</a>'
                self._send(200, f"<h1>Testapp</h1><p>{link}</p>")

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            if urlsplit(self.path).path == "/callback":
                self._page(app.receive("POST", form))
            else:
                self._send(404, "<h1>Niet gevonden</h1>")

        def _page(self, arrival: Arrival) -> None:
            if arrival.problem or not arrival.claims:
                detail = arrival.problem or arrival.one("error") or "no code"
                self._send(400, f"<h1>Aanmelden mislukt</h1><p>{html.escape(detail)}</p>")
                return
            subject = html.escape(str(arrival.claims["sub"]))
            self._send(200, f"<h1>{SIGNED_IN}</h1><p id='sub'>{subject}</p>")

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, status: int, body: str) -> None:
            page = f"<!doctype html><html lang='nl'><title>Testapp</title>{body}</html>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler
