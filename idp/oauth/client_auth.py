"""Client authentication at /token, /revoke and /introspect: one method per request.

Authlib tries its methods one after the other and takes the first that succeeds, so a right
Basic header let a wrong body secret, or a body `client_id` naming another client, pass.
Here the request says which method it uses, by the credentials it carries, and exactly that
method is checked (RFC 6749 §2.3: "The client MUST NOT use more than one authentication
method in each request"). The methods each endpoint accepts are in idp.capabilities.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from authlib.oauth2.rfc6749.errors import InvalidClientError, InvalidRequestError
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from joserfc import jwt
from joserfc.errors import InvalidClaimError, JoseError
from joserfc.jwk import KeySet

from ..capabilities import SIGNING_ALGORITHMS
from ..db import get_session
from ..models import Client
from ..services.remote_keys import RemoteKeysError, fetch_jwks
from ..services.replay import remember_once
from .errors import describable
from .openid import issuer

# The body parameters that carry client credentials (RFC 6749 §2.3.1, RFC 7521 §4.2).
CREDENTIAL_PARAMETERS = ("client_id", "client_secret", "client_assertion", "client_assertion_type")


def refused(description: str) -> InvalidClientError:
    """invalid_client with 401 and a Basic challenge (RFC 6749 §5.2)."""
    return InvalidClientError(description=description, status_code=401)


def basic_scheme(header: str | None) -> bool:
    """Whether an Authorization header uses the Basic scheme (case-free, RFC 9110 §11.1)."""
    return bool(header) and (header or "").split(" ", 1)[0].lower() == "basic"


def parse_basic(header: str) -> tuple[str, str]:
    """The client_id and client_secret of an `Authorization: Basic ...` header.

    RFC 6749 §2.3.1: both are form-urlencoded, joined by ":", and the result is Base64
    (RFC 7617 §2) of UTF-8 text. Raises InvalidClientError (401) for anything else: no
    credentials, invalid Base64, bytes that are not UTF-8, no colon, an empty part.
    """
    credentials = header.split(" ", 1)[1].strip() if " " in header else ""
    try:
        text = base64.b64decode(credentials, validate=True).decode("utf-8")
        client_id, colon, secret = text.partition(":")
        client_id, secret = unquote(client_id, errors="strict"), unquote(secret, errors="strict")
    except (binascii.Error, UnicodeDecodeError):
        raise refused("The Basic credentials are not Base64 of UTF-8 text") from None
    if not colon or not client_id or not secret:
        raise refused("The Basic credentials must be 'client_id:client_secret'")
    return client_id, secret


def presented_method(request: Any) -> str:
    """The one authentication method the request's credentials belong to.

    Credentials of two methods at once (a Basic header and a body secret or assertion; a
    body secret and an assertion) raise InvalidClientError with 401. RFC 6749 §2.3 forbids
    them ("MUST NOT use more than one authentication method in each request"); §5.2 would
    also allow `invalid_request`, but when a client authenticated with the Authorization
    header the answer MUST be 401 with a challenge, which is `invalid_client` (§5.2), and
    one answer for every pair keeps it simple for apps. A repeated credential parameter
    raises InvalidRequestError (§3.2 "MUST NOT be included more than once", §5.2).
    Empty parameters count as absent (§3.2).
    """
    form = request.form
    for name in CREDENTIAL_PARAMETERS:
        if len(form.getlist(name)) > 1:
            raise InvalidRequestError(f"'{name}' must not be repeated")
    presented = []
    if basic_scheme(request.headers.get("Authorization")):
        presented.append("client_secret_basic")
    if form.get("client_secret"):
        presented.append("client_secret_post")
    if form.get("client_assertion") or form.get("client_assertion_type"):
        presented.append("private_key_jwt")
    if len(presented) > 1:
        raise refused(f"Use one client authentication method, not {' and '.join(presented)}")
    return presented[0] if presented else "none"


class ClientAuthenticator:
    """Authenticate the client of a request with the one method it presents.

    `assertion` checks a `private_key_jwt` assertion (PrivateKeyJWT below): it returns
    the client, None when the assertion type is not JWT, or raises InvalidClientError.
    """

    def __init__(
        self,
        query_client: Callable[[str], Client | None],
        assertion: Callable[[Callable[[str], Client | None], Any], Client | None],
    ) -> None:
        self.query_client = query_client
        self.assertion = assertion

    def __call__(self, request: Any, methods: Any, endpoint: str = "token") -> Client:
        """The authenticated client; sets `request.auth_method`.

        Raises InvalidClientError (401): two methods at once, an unknown client, a method
        the client did not register or the endpoint does not accept, a malformed Basic
        header, a wrong secret or assertion, a body `client_id` naming another client; or
        InvalidRequestError for a repeated credential parameter (see presented_method).
        """
        method = presented_method(request)
        named = request.form.get("client_id") or None
        if method == "client_secret_basic":
            client_id, secret = parse_basic(request.headers["Authorization"])
            # RFC 6749 §3.2.1 lets a client also name itself in the body: the same client.
            if named is not None and named != client_id:
                raise refused("The body 'client_id' is not the client of the Basic header")
            client = self._client(client_id, method, methods, endpoint)
            if not client.check_client_secret(secret):
                raise refused("Wrong client secret")
        elif method == "client_secret_post":
            client = self._client(named, method, methods, endpoint)
            if not client.check_client_secret(request.form["client_secret"]):
                raise refused("Wrong client secret")
        elif method == "private_key_jwt":
            try:
                found = self.assertion(self.query_client, request)
            except InvalidClientError as error:  # Authlib's own refusals come with 400
                raise refused(error.description or "Invalid client assertion") from None
            if found is None:
                raise refused("'client_assertion_type' must be JWT bearer, with 'client_assertion'")
            # RFC 7521 §4.2: a client_id, if sent, names the client the assertion is about.
            if named is not None and named != found.client_id:
                raise refused("The body 'client_id' is not the subject of the assertion")
            client = _may_use(found, method, methods, endpoint)
        else:
            client = self._client(named, method, methods, endpoint)
        request.auth_method = method
        return client

    def _client(self, client_id: str | None, method: str, methods: Any, endpoint: str) -> Client:
        if not client_id:
            raise refused("No client authentication: send 'client_id' and your credentials")
        client = self.query_client(client_id)
        if client is None:
            raise refused("Unknown client")
        return _may_use(client, method, methods, endpoint)


def _may_use(client: Client, method: str, methods: Any, endpoint: str) -> Client:
    # RFC 6749 §3.2.1: a confidential client cannot fall back to "none", nor change method.
    if method not in methods or not client.check_endpoint_auth_method(method, endpoint):
        raise refused(f"This client cannot authenticate with {method} here")
    return client


# A client assertion is a one-time proof made just before the request: OIDC Core §9 and
# RFC 7523 §3 only say "exp" must be in the future. We refuse an assertion that stays valid
# for more than 5 minutes (after now, and after its own "iat"): a stolen one is useful that
# long at most, and its "jti" is remembered only that long.
MAX_ASSERTION_LIFETIME = 300


class _AssertionClaims(jwt.JWTClaimsRegistry):
    """The registered claims of a client assertion, with a bounded lifetime."""

    def validate_exp(self, value: object) -> None:
        super().validate_exp(value)
        latest = self.now + MAX_ASSERTION_LIFETIME + self.leeway
        if isinstance(value, int | float) and value > latest:
            raise InvalidClaimError("exp", f"'exp' is more than {MAX_ASSERTION_LIFETIME} s ahead")


class PrivateKeyJWT(JWTBearerClientAssertion):
    """Client authentication with a signed assertion (OIDC Core §9, RFC 7523 §2.2 and §3).

    The assertion's `aud` names the issuer or the token endpoint, and nothing else (even at
    /revoke and /introspect); it lives at most MAX_ASSERTION_LIFETIME seconds; its `jti` is
    used once. A key set that cannot be fetched or read refuses the client (invalid_client).
    """

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def get_audiences(self) -> list[str]:
        base = issuer()
        return [base, f"{base}/token"]

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> Any:
        # The algorithms we announce (token_endpoint_auth_signing_alg_values_supported).
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=list(SIGNING_ALGORITHMS))
        except JoseError as error:
            raise refused(describable(error.description or error.error)) from None
        except (ValueError, TypeError, LookupError):
            raise refused("The assertion cannot be verified with the client's keys") from None
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims: Any) -> None:
        # Checked before Authlib's checks, which end by remembering the jti: an assertion
        # refused here must not occupy the replay store.
        registry = _AssertionClaims(
            leeway=self.leeway, aud={"essential": True}, exp={"essential": True}
        )
        try:
            registry.validate(claims)
        except JoseError as error:
            raise refused(describable(error.description or error.error)) from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if not set(audiences) <= set(self.get_audiences()):
            raise refused("'aud' must be the issuer or the token endpoint, and nothing else")
        issued = claims.get("iat")
        if isinstance(issued, int | float) and claims["exp"] - issued > MAX_ASSERTION_LIFETIME:
            raise refused(f"The assertion lives more than {MAX_ASSERTION_LIFETIME} s")
        super().verify_claims(claims)

    def validate_jti(self, claims: Any, jti: str) -> bool:
        # One assertion, one use: the jti is remembered until the assertion expires, and
        # committed at once, so that a request refused later does not forget it. It is any
        # string the app chose (RFC 7519 §4.1.7): stored as a digest of fixed length.
        digest = hashlib.sha256(jti.encode("utf-8", "surrogatepass")).hexdigest()
        fresh = remember_once(f"client-assertion:{claims['iss']}:{digest}", int(claims["exp"]))
        if fresh:
            get_session().commit()
        return fresh

    def resolve_client_public_key(self, client: Client) -> KeySet:
        if client.token_endpoint_auth_method != self.CLIENT_AUTH_METHOD:
            raise refused("This client does not authenticate with private_key_jwt")
        try:
            return KeySet.import_key_set(client.jwks or fetch_jwks(client.jwks_uri or ""))  # type: ignore[arg-type]
        except RemoteKeysError:
            raise refused("The client's key set (jwks_uri) could not be fetched") from None
        except (JoseError, ValueError, TypeError, LookupError):
            # Whatever the app publishes is untrusted input; these are what parsing it raises.
            raise refused("The client's key set (jwks_uri) is not a valid JWK Set") from None
