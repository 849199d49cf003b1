"""OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3; RFC 8414)."""

from __future__ import annotations

from typing import Any

from ..capabilities import ENDPOINT_AUTH_METHODS, SIGNING_ALGORITHMS
from .checks import PROMPTS
from .claims import SUPPORTED_CLAIMS, SUPPORTED_SCOPES
from .responses import RESPONSE_MODES


def provider_metadata(issuer: str) -> dict[str, Any]:
    """What an app needs to integrate, derived from what the server actually offers."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "revocation_endpoint": f"{issuer}/revoke",
        "introspection_endpoint": f"{issuer}/introspect",
        "end_session_endpoint": f"{issuer}/logout",
        "scopes_supported": list(SUPPORTED_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": list(RESPONSE_MODES),
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": list(SIGNING_ALGORITHMS),
        "token_endpoint_auth_methods_supported": list(ENDPOINT_AUTH_METHODS["token"]),
        "token_endpoint_auth_signing_alg_values_supported": list(SIGNING_ALGORITHMS),
        "revocation_endpoint_auth_methods_supported": list(ENDPOINT_AUTH_METHODS["revocation"]),
        "introspection_endpoint_auth_methods_supported": list(
            ENDPOINT_AUTH_METHODS["introspection"]
        ),
        "revocation_endpoint_auth_signing_alg_values_supported": list(SIGNING_ALGORITHMS),
        "introspection_endpoint_auth_signing_alg_values_supported": list(SIGNING_ALGORITHMS),
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": list(SUPPORTED_CLAIMS),
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "prompt_values_supported": list(PROMPTS),
        "ui_locales_supported": ["nl-BE", "en"],
        "acr_values_supported": ["urn:leerid:password"],
        "frontchannel_logout_supported": False,
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "authorization_response_iss_parameter_supported": True,
    }
