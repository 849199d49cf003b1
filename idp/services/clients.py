"""Registering connected applications (OAuth clients)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..capabilities import CLIENT_AUTH_METHODS, SECRET_AUTH_METHODS, SIGNING_ALGORITHMS
from ..hashing import new_secret, secret_hash
from ..models import Client, Token, utcnow
from ..oauth.claims import SUPPORTED_SCOPES
from .admins import Actor, record_event

MAX_URI_LENGTH = 2000
MAX_URIS = 20
MAX_DESCRIPTION = 2000
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")
# A DNS name: labels of letters, digits and hyphens (IDN in xn-- form), dot-separated.
_HOST = re.compile(
    r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)


class ClientError(ValueError):
    """A registration that cannot be accepted: the message says what to change (in
    English, for `leerid client add`); `code` and `params` let the Schoolloket say it in
    the administrator's language."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class RegisteredClient:
    """The new client and, for confidential clients with a secret, the secret (shown once)."""

    client: Client
    client_secret: str | None


def check_uri(uri: str, what: str) -> str:
    """An absolute https URI without fragment (http only on the loopback, RFC 8252 §7.3),
    of at most MAX_URI_LENGTH printable ASCII characters, whose host is a DNS name
    (internationalised names in their xn-- form, no wildcard) or an IP address and whose
    port, if any, is 1 to 65535. `what` names the field in the error ("redirect URI")."""
    if len(uri) > MAX_URI_LENGTH or not _PRINTABLE_ASCII.fullmatch(uri):
        raise ClientError("uri_invalid", f"{what} {uri[:80]!r} is not a valid URI", uri=uri[:80])
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        raise ClientError("uri_invalid", f"{what} {uri!r} is not a valid URI", uri=uri) from None
    host = parts.hostname or ""
    # A user name or password in the address (https://user:pw@host/) has no place in a
    # redirect: browsers warn about it, and it would put a secret in every redirect.
    credentials = parts.username is not None or parts.password is not None
    if credentials or port == 0 or not (_HOST.fullmatch(host) or _is_ip(host)):
        raise ClientError("uri_invalid", f"{what} {uri!r} is not a valid URI", uri=uri)
    loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not loopback:
        raise ClientError(
            "uri_not_https",
            f"{what} {uri!r} must use https (http only on 127.0.0.1/localhost)",
            uri=uri,
        )
    if not parts.netloc or parts.fragment:
        raise ClientError(
            "uri_not_absolute", f"{what} {uri!r} must be absolute and have no #fragment", uri=uri
        )
    return uri


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_uris(uris: Sequence[str], what: str) -> list[str]:
    """check_uri for each of at most MAX_URIS URIs; each kept once, in the given order."""
    if len(uris) > MAX_URIS:
        raise ClientError("too_many_uris", f"at most {MAX_URIS} {what}s", limit=MAX_URIS)
    return list(dict.fromkeys(check_uri(uri, what) for uri in uris))


def _limit(field: str) -> int:
    """The most characters `field` holds: its column's length, or MAX_DESCRIPTION."""
    length = getattr(Client.__table__.c[field].type, "length", None)
    return int(length) if length else MAX_DESCRIPTION


def _check_lengths(**fields: str | None) -> None:
    """ClientError "too_long" (field, limit) for the first value longer than it may be,
    rather than cutting it or letting the database refuse it."""
    for field, value in fields.items():
        limit = _limit(field)
        if value and len(value) > limit:
            raise ClientError(
                "too_long",
                f"{field} is too long: at most {limit} characters",
                field=field,
                limit=limit,
            )


def _check_scopes(scopes: Sequence[str]) -> None:
    unknown = sorted(set(scopes) - set(SUPPORTED_SCOPES))
    if unknown:
        raise ClientError(
            "unknown_scopes",
            f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(SUPPORTED_SCOPES)}",
            scopes=", ".join(unknown),
        )


def register_client(
    session: Session,
    *,
    name: str,
    redirect_uris: Sequence[str],
    actor: Actor,
    public: bool = False,
    scopes: Sequence[str] = ("openid", "profile"),
    post_logout_redirect_uris: Sequence[str] = (),
    backchannel_logout_uri: str | None = None,
    auth_method: str | None = None,
    jwks_uri: str | None = None,
    sector: str | None = None,
    id_token_alg: str = "RS256",  # noqa: S107 - an algorithm name
    vendor: str = "",
    description: str = "",
    description_en: str = "",
    client_uri: str = "",
    listed: bool = False,
) -> RegisteredClient:
    """Validate and store a client; secrets are stored hashed only.

    A listed client is shown to pupils as a tile in the Leerlingloket, leading to
    `client_uri`, its start page, with `description` (Dutch) or, for pupils who use LeerID
    in English, `description_en` when there is one.
    """
    if not name.strip():
        raise ClientError("name_missing", "a client needs a name")
    _check_lengths(
        name=name.strip(),
        vendor=vendor,
        description=description.strip(),
        description_en=description_en.strip(),
        client_uri=client_uri,
        backchannel_logout_uri=backchannel_logout_uri,
        jwks_uri=jwks_uri,
        sector_identifier=sector,
    )
    if client_uri:
        check_uri(client_uri, "client URI")
    if listed and not client_uri:
        raise ClientError(
            "listed_needs_client_uri",
            "a listed app needs --client-uri, the start page its tile leads to",
        )
    if not redirect_uris:
        raise ClientError("no_redirect_uri", "a client needs at least one redirect URI")
    uris = check_uris(redirect_uris, "redirect URI")
    logout_uris = check_uris(post_logout_redirect_uris, "post-logout redirect URI")
    if backchannel_logout_uri:
        check_uri(backchannel_logout_uri, "back-channel logout URI")
    method = auth_method or ("none" if public else "client_secret_basic")
    if method not in CLIENT_AUTH_METHODS:
        raise ClientError("unknown_auth_method", f"unknown token endpoint auth method {method!r}")
    if public != (method == "none"):
        raise ClientError(
            "public_method", "a public client uses auth method 'none', and only a public one"
        )
    if method == "private_key_jwt":
        if not jwks_uri:
            raise ClientError(
                "jwks_uri_missing",
                "private_key_jwt needs --jwks-uri, where the app publishes its keys",
            )
        check_uri(jwks_uri, "JWKS URI")
    elif jwks_uri:
        raise ClientError("jwks_uri_unexpected", "--jwks-uri goes with private_key_jwt only")
    _check_scopes(scopes)
    if id_token_alg not in SIGNING_ALGORITHMS:
        raise ClientError(
            "unknown_algorithm",
            f"ID token algorithm must be one of {', '.join(SIGNING_ALGORITHMS)}",
        )
    hosts = {urlsplit(u).hostname or "" for u in uris}
    if sector is None and len(hosts) > 1:
        # OpenID Connect Core §8.1: redirect URIs on several hosts need one declared sector.
        raise ClientError(
            "several_hosts", "redirect URIs on several hosts: name the app's sector with --sector"
        )
    secret = new_secret() if method in SECRET_AUTH_METHODS else None
    client = Client(
        client_id=new_secret(18),
        client_secret_hash=secret_hash(secret) if secret else None,
        name=name.strip(),
        vendor=vendor,
        description=description.strip(),
        description_en=description_en.strip(),
        client_uri=client_uri,
        listed=listed,
        redirect_uris=uris,
        post_logout_redirect_uris=logout_uris,
        backchannel_logout_uri=backchannel_logout_uri,
        allowed_scopes=list(dict.fromkeys(["openid", *scopes])),
        token_endpoint_auth_method=method,
        jwks_uri=jwks_uri,
        id_token_signed_response_alg=id_token_alg,
        sector_identifier=sector or hosts.pop(),
    )
    session.add(client)
    session.flush()
    record_event(
        session,
        actor,
        "client.add",
        details={"client_id": client.client_id, "name": client.name, "auth_method": method},
    )
    return RegisteredClient(client, secret)


def update_client(
    session: Session,
    client: Client,
    *,
    redirect_uris: Sequence[str],
    scopes: Sequence[str],
    post_logout_redirect_uris: Sequence[str] = (),
    actor: Actor,
) -> None:
    """Change an app's redirect URIs and scopes (a super administrator in the Schoolloket).

    The app's sector stays what it was, whatever hosts the new URIs are on: the pupils'
    `sub` at this app must not change (pairwise, OpenID Connect Core §8.1). Raises
    ClientError as register_client does.
    """
    if not redirect_uris:
        raise ClientError("no_redirect_uri", "a client needs at least one redirect URI")
    uris = check_uris(redirect_uris, "redirect URI")
    logout_uris = check_uris(post_logout_redirect_uris, "post-logout redirect URI")
    _check_scopes(scopes)
    before = {"redirect_uris": client.redirect_uris, "scopes": client.allowed_scopes}
    client.redirect_uris = uris
    client.post_logout_redirect_uris = logout_uris
    client.allowed_scopes = list(dict.fromkeys(["openid", *scopes]))
    session.flush()
    record_event(
        session,
        actor,
        "client.update",
        details={
            "client_id": client.client_id,
            "before": before,
            "after": {"redirect_uris": uris, "scopes": client.allowed_scopes},
        },
    )


def rotate_secret(session: Session, client: Client, *, actor: Actor) -> str:
    """A new client secret (shown once, stored hashed); the old one stops working at once.
    Raises ClientError "no_secret" for an app that authenticates without a secret."""
    if client.token_endpoint_auth_method not in SECRET_AUTH_METHODS:
        raise ClientError("no_secret", "this app authenticates without a client secret")
    secret = new_secret()
    client.client_secret_hash = secret_hash(secret)
    record_event(session, actor, "client.rotate_secret", details={"client_id": client.client_id})
    return secret


def set_disabled(session: Session, client: Client, disabled: bool, *, actor: Actor) -> None:
    """Disable an app (it can no longer sign pupils in, and its tokens stop working) or
    enable it again."""
    client.disabled_at = utcnow() if disabled else None
    if disabled:
        session.execute(
            update(Token)
            .where(Token.client_id == client.id, Token.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    action = "client.disable" if disabled else "client.enable"
    record_event(session, actor, action, details={"client_id": client.client_id})
