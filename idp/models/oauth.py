"""Protocol state: connected applications (clients), SSO sessions, codes, tokens, releases.

Every secret (client secret, session cookie, code, access and refresh token) is stored as a
SHA-256 hash: they are long random values, so a fast hash suffices and a stolen database
holds nothing usable.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..capabilities import CLIENT_AUTH_METHODS, ENDPOINT_AUTH_METHODS, SIGNING_ALGORITHMS
from ..hashing import matches_hash
from .account import Account
from .base import Base, UTCDateTime, utcnow


class AuthorizedPupil(NamedTuple):
    """The "user" Authlib passes around: the pupil's account and the app it authorized."""

    account: Account
    client: Client


# A loopback redirect URI of a native app (RFC 8252 §7.3): http, an IP literal of the
# loopback interface, an optional port (1-65535, no leading zero), then path and query.
_LOOPBACK = re.compile(r"http://(127\.0\.0\.1|\[::1\])(?::([1-9][0-9]{0,4}))?(?=[/?]|$)")


def _loopback(uri: str) -> tuple[str, str] | None:
    """The host literal and the rest (path, query) of a loopback URI; None for any other."""
    match = _LOOPBACK.match(uri)
    if match is None or (match.group(2) and int(match.group(2)) > 65535):
        return None
    return match.group(1), uri[match.end() :]


def redirect_uri_matches(registered: str, requested: str) -> bool:
    """Whether `requested` is the registered redirect URI (RFC 9700 §4.1.3: exact match).

    The one exception is RFC 8252 §7.3: for a registered loopback URI (`http://127.0.0.1`
    or `http://[::1]`, with or without a port) any port matches, because a native app
    listens on whichever port the operating system gives it. Scheme, host, path and query
    still match exactly; `localhost` is a name, not a loopback literal (§8.3), and https
    URIs never lose their port.
    """
    if requested == registered:
        return True
    ours, theirs = _loopback(registered), _loopback(requested)
    return ours is not None and ours == theirs


class Client(Base):
    """A connected learning application (OAuth 2.0 client, OpenID relying party)."""

    __tablename__ = "oauth_client"
    __table_args__ = (
        CheckConstraint(
            "token_endpoint_auth_method IN ('" + "', '".join(CLIENT_AUTH_METHODS) + "')",
            name="auth_method",
        ),
        CheckConstraint(
            "id_token_signed_response_alg IN ('" + "', '".join(SIGNING_ALGORITHMS) + "')",
            name="signing_alg",
        ),
        # A public client has no secret; a confidential one has a secret or a key.
        CheckConstraint(
            "(token_endpoint_auth_method = 'none') = (client_secret_hash IS NULL "
            "AND jwks IS NULL AND jwks_uri IS NULL)",
            name="public_without_credentials",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_secret_hash: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    vendor: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # The description for pupils who use LeerID in English (empty: the Dutch one is shown).
    description_en: Mapped[str] = mapped_column(Text, default="")
    logo_url: Mapped[str] = mapped_column(String(500), default="")
    # The app's start page, where the pupil portal's tile leads (Registration 1.0 §2).
    client_uri: Mapped[str] = mapped_column(String(500), default="")
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    post_logout_redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    backchannel_logout_uri: Mapped[str | None] = mapped_column(String(500))
    allowed_scopes: Mapped[list[str]] = mapped_column(JSON)
    token_endpoint_auth_method: Mapped[str] = mapped_column(String(30))
    jwks_uri: Mapped[str | None] = mapped_column(String(500))
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    id_token_signed_response_alg: Mapped[str] = mapped_column(String(10), default="RS256")
    sector_identifier: Mapped[str] = mapped_column(String(255))
    listed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_public(self) -> bool:
        """A public client (a browser or mobile app) cannot keep a secret."""
        return self.token_endpoint_auth_method == "none"  # noqa: S105 - a method name

    @property
    def client_metadata(self) -> dict[str, Any]:
        """Registered metadata, under the names of OpenID Connect Registration 1.0."""
        return {
            "post_logout_redirect_uris": list(self.post_logout_redirect_uris),
            "id_token_signed_response_alg": self.id_token_signed_response_alg,
        }

    # Authlib's client interface (authlib.oauth2.rfc6749.ClientMixin).

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        # OpenID Connect Core §3.1.2.1: redirect_uri is required, never implied.
        return None

    def get_allowed_scope(self, scope: str) -> str:
        """Requested scopes the client may have, in request order; the rest is dropped."""
        allowed = set(self.allowed_scopes)
        return " ".join(s for s in dict.fromkeys((scope or "").split()) if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact string comparison (RFC 9700 §4.1.3): no prefix, no wildcard, no normalising;
        # only a native app's loopback URI may differ in its port (RFC 8252 §7.3). A native
        # app is a public client: a web app on the loopback keeps its exact port, so that
        # no other program on a shared computer can receive its codes.
        if not self.is_public:
            return redirect_uri in self.redirect_uris
        return any(redirect_uri_matches(uri, redirect_uri) for uri in self.redirect_uris)

    def check_client_secret(self, client_secret: str) -> bool:
        return self.client_secret_hash is not None and matches_hash(
            client_secret, self.client_secret_hash
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """The client's one registered method, where the endpoint accepts it."""
        return method == self.token_endpoint_auth_method and method in ENDPOINT_AUTH_METHODS.get(
            endpoint, ()
        )

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


session_client = Table(
    "login_session_client",
    Base.metadata,
    Column(
        "login_session_id",
        ForeignKey("login_session.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("client_id", ForeignKey("oauth_client.id", ondelete="CASCADE"), primary_key=True),
    Column("first_used_at", UTCDateTime(), nullable=False, default=utcnow),
)


class LoginSession(Base):
    """A pupil's single sign-on session at LeerID (the `sid` of OpenID Connect)."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)
    cookie_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    auth_time: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    amr: Mapped[list[str]] = mapped_column(JSON)
    acr: Mapped[str] = mapped_column(String(100))
    # The language the pupil signed in in ("nl-BE", "en"): the `locale` claim.
    locale: Mapped[str] = mapped_column(String(10), default="nl-BE")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[Account] = relationship()
    clients: Mapped[list[Client]] = relationship(secondary=session_client)


class AuthorizationCode(Base):
    """A single-use authorization code (RFC 6749 §4.1.2), stored hashed."""

    __tablename__ = "authorization_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("oauth_client.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    login_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("login_session.id", ondelete="SET NULL")
    )
    redirect_uri: Mapped[str] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(String(500))
    nonce: Mapped[str | None] = mapped_column(String(500))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    auth_time: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    acr: Mapped[str] = mapped_column(String(100))
    amr: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    client: Mapped[Client] = relationship()
    account: Mapped[Account] = relationship()
    login_session: Mapped[LoginSession | None] = relationship()

    # Authlib's authorization code interface (AuthorizationCodeMixin, OIDC's additions).

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.auth_time.timestamp())

    def get_acr(self) -> str:
        return self.acr

    def get_amr(self) -> list[str]:
        return list(self.amr)


class Token(Base):
    """An access token and, optionally, its refresh token; one row per issuance.

    Rows of one refresh chain share `family`: reuse of a rotated refresh token revokes the
    family (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).
    """

    __tablename__ = "oauth_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    family: Mapped[str] = mapped_column(String(36), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("oauth_client.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    login_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("login_session.id", ondelete="SET NULL"), index=True
    )
    authorization_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("authorization_code.id", ondelete="SET NULL"), index=True
    )
    scope: Mapped[str] = mapped_column(String(500))
    auth_time: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    access_expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    refresh_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    rotated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    client: Mapped[Client] = relationship()
    account: Mapped[Account] = relationship()

    # Authlib's token interface (TokenMixin).

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int((self.access_expires_at - self.issued_at).total_seconds())

    def is_expired(self) -> bool:
        return self.access_expires_at <= utcnow()

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def get_user(self) -> AuthorizedPupil:
        return AuthorizedPupil(self.account, self.client)

    def get_client(self) -> Client:
        return self.client

    def check_client(self, client: Client) -> bool:
        return self.client_id == client.id


class ClaimRelease(Base):
    """Which claims an application received about a pupil, and when ("Mijn gegevens")."""

    __tablename__ = "claim_release"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[int] = mapped_column(ForeignKey("oauth_client.id", ondelete="CASCADE"))
    released_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claims: Mapped[list[str]] = mapped_column(JSON)


class UsedOnce(Base):
    """Values that may be used only once (client assertion `jti`s), until they expire."""

    __tablename__ = "used_once"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
