"""Which claims a pupil's token carries, per scope (documented in docs/claims.md).

A client only receives scopes it is allowed (Client.get_allowed_scope drops the rest), and
the national number is never a claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from ..models import Account, Client, LoginSession
from ..services.enrollments import active_enrollment
from .subjects import pairwise_uuid

SUPPORTED_SCOPES = ("openid", "profile", "school", "email", "ov_leerling")
CLAIMS_BY_SCOPE = {
    "profile": ("given_name", "family_name", "name", "preferred_username", "locale"),
    "school": ("school_number", "school_name", "class", "grade", "education_type"),
    "email": ("email", "email_verified"),
    "ov_leerling": (
        "school_number",
        "school_name",
        "class",
        "grade",
        "education_type",
        "ov_orgcode",
        "ov_orgnaam",
        "ov_leerid_uuid",
    ),
}


def claims_of_scopes(scopes: Iterable[str]) -> set[str]:
    """The claims an app can receive with these scopes, `sub` always (Core §5.4)."""
    return {"sub", *(claim for scope in scopes for claim in CLAIMS_BY_SCOPE.get(scope, ()))}


# The `locale` claim of a sign-in whose language is not known (Dutch, as spoken in Belgium).
DEFAULT_LOCALE = "nl-BE"
SUPPORTED_CLAIMS = ("sub", "sid", "auth_time", "acr", "amr", "nonce") + tuple(
    dict.fromkeys(c for claims in CLAIMS_BY_SCOPE.values() for c in claims)
)


def sign_in_locale(login: LoginSession | None) -> str:
    """The language the pupil signed in in (the login session's), else DEFAULT_LOCALE."""
    return login.locale if login is not None and login.locale else DEFAULT_LOCALE


def release_claims(
    session: Session,
    account: Account,
    client: Client,
    scopes: set[str],
    subject: str,
    *,
    locale: str,
) -> dict[str, Any]:
    """The claims for these scopes; `subject` is the pairwise sub for this client, `locale`
    the language of the sign-in (OpenID Connect Core §5.1: a BCP 47 tag)."""
    person = account.person
    claims: dict[str, Any] = {"sub": subject}
    if "profile" in scopes:
        claims.update(
            given_name=person.first_name,
            family_name=person.last_name,
            name=person.full_name,
            preferred_username=account.username,
            locale=locale,
        )
    if scopes & {"school", "ov_leerling"}:
        enrollment = active_enrollment(session, account.person_id)
        if enrollment is not None:
            claims.update(
                school_number=enrollment.school.instellingsnummer,
                school_name=enrollment.school.name,
                **{"class": enrollment.administrative_group},
                grade=enrollment.grade,
                education_type=enrollment.education_type.value,
            )
            if "ov_leerling" in scopes:
                claims.update(
                    ov_orgcode=enrollment.school.instellingsnummer,
                    ov_orgnaam=enrollment.school.name,
                )
        if "ov_leerling" in scopes:
            claims["ov_leerid_uuid"] = [pairwise_uuid(client.sector_identifier, person)]
    if "email" in scopes and account.email and account.email_verified_at:
        claims.update(email=account.email, email_verified=True)
    return claims
