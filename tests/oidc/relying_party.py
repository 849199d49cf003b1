"""A minimal relying party over the Flask test client, to drive flows step by step.

It is deliberately independent of the server code: it builds requests from the spec and
checks ID tokens with joserfc against the published JWKS.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet

ISSUER = "http://127.0.0.1:5000"


def basic(client_id: str, secret: str | None) -> dict[str, str]:
    """An Authorization header with HTTP Basic client credentials (RFC 6749 §2.3.1)."""
    raw = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636 §4.1-4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class RelyingParty:
    """One registered app, acting through the test client (which keeps the browser cookies)."""

    browser: Any
    client_id: str
    client_secret: str | None
    redirect_uri: str
    auth_method: str = "client_secret_basic"
    last: dict[str, str] = field(default_factory=dict)

    def authorize_url(self, scope: str = "openid profile", **extra: str) -> str:
        """Start a flow: remember state, nonce and PKCE verifier for later checks."""
        verifier, challenge = pkce_pair()
        self.last = {
            "state": secrets.token_urlsafe(8),
            "nonce": secrets.token_urlsafe(8),
            "verifier": verifier,
        }
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "state": self.last["state"],
            "nonce": self.last["nonce"],
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **extra,
        }
        return "/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})

    def sign_in(self, username: str, password: str, login_page: str) -> Any:
        """Fill in the username at `login_page`, then the password on the next step;
        returns the response after the password."""
        step = self._post_form(login_page, username=username)
        assert step.status_code == 302, step.get_data(as_text=True)
        return self._post_form(step.headers["Location"], password=password)

    def _post_form(self, url: str, **fields: str) -> Any:
        page = self.browser.get(url)
        assert page.status_code == 200, page.status_code
        token = _csrf_token(page.get_data(as_text=True))
        return self.browser.post(url, data={"csrf_token": token, **fields})

    def login_flow(self, username: str, password: str, **extra: str) -> dict[str, list[str]]:
        """Authorize, sign in when asked, follow back; return the callback's parameters."""
        return self.login_flow_from(self.authorize_url(**extra), username, password)

    def login_flow_from(self, url: str, username: str, password: str) -> dict[str, list[str]]:
        """The same, from an authorization URL made by `authorize_url`."""
        response = self.browser.get(url)
        if response.status_code == 302 and "/login" in response.headers["Location"]:
            # The password step's own response carries the answer to the app.
            response = self.sign_in(username, password, response.headers["Location"])
        return self.callback(response)

    def callback(self, response: Any) -> dict[str, list[str]]:
        """The parameters the browser would deliver to the redirect URI."""
        assert response.status_code == 302, response.get_data(as_text=True)
        location = response.headers["Location"]
        assert location.startswith(self.redirect_uri), location
        return parse_qs(urlsplit(location).query)

    def token(self, **form: str) -> Any:
        """POST to the token endpoint with this client's authentication."""
        return self.post("/token", **form)

    def post(self, path: str, **form: str) -> Any:
        """POST to a token endpoint (/token, /revoke, /introspect), authenticated."""
        headers = {}
        if self.auth_method == "client_secret_basic":
            headers = basic(self.client_id, self.client_secret)
        elif self.auth_method == "client_secret_post":
            form = {**form, "client_id": self.client_id, "client_secret": self.client_secret or ""}
        else:
            form = {**form, "client_id": self.client_id}
        return self.browser.post(path, data=form, headers=headers)

    def tokens(self, username: str, password: str, **extra: str) -> dict[str, Any]:
        """A whole flow: sign in, exchange the code; the token response."""
        response = self.exchange(self.login_flow(username, password, **extra)["code"][0])
        assert response.status_code == 200, response.get_data(as_text=True)
        tokens: dict[str, Any] = response.get_json()
        return tokens

    def exchange(self, code: str, verifier: str | None = None) -> Any:
        """Exchange a code, with the verifier of the last flow unless told otherwise."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
        }
        chosen = self.last.get("verifier") if verifier is None else verifier
        if chosen:
            form["code_verifier"] = chosen
        return self.token(**form)

    def verify_id_token(self, id_token: str) -> dict[str, Any]:
        """Check signature, issuer, audience, expiry and nonce; return the claims."""
        keys = KeySet.import_key_set(self.browser.get("/jwks").get_json())
        decoded = jwt.decode(id_token, keys, algorithms=["RS256", "ES256"])
        claims = dict(decoded.claims)
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": ISSUER},
            aud={"essential": True, "value": self.client_id},
            exp={"essential": True},
            nonce={"essential": True, "value": self.last["nonce"]},
        ).validate(decoded.claims)
        return claims


def _csrf_token(html: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
