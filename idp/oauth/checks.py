"""Checks on an authorization request that Authlib leaves to us, each small and named after
the rule it enforces (as node-oidc-provider's check_*.js). Each raises the exact OAuth error,
which idp.oauth.responses sends to the app's verified redirect URI.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oidc.core.errors import RequestNotSupportedError, RequestURINotSupportedError
from werkzeug.datastructures import MultiDict

from .errors import describable
from .responses import RESPONSE_MODES

PROMPTS = ("none", "login", "consent", "select_account")
# Carried through the sign-in and back to the app in its redirect URI: long enough for an
# app that keeps a return address in it, short enough for every web server's URL limit.
MAX_STATE = 4096
# All of a request's names and values together (an app's longest real request is a few
# hundred characters, plus its state).
MAX_REQUEST = 16384
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")

Data = Mapping[str, Any]


def check_request_objects(data: Data) -> None:
    """Core §6: LeerID takes no request objects, by value or by reference (discovery says so)."""
    if "request" in data:
        raise RequestNotSupportedError()
    if "request_uri" in data:
        raise RequestURINotSupportedError()


def check_response_mode(data: Data) -> None:
    """OAuth 2.0 Multiple Response Type Encoding §2.1: an unsupported mode is an error, never
    a silent fall-back to another one."""
    mode = data.get("response_mode")
    if mode is not None and mode not in RESPONSE_MODES:
        raise InvalidRequestError(
            f"response_mode must be one of {', '.join(RESPONSE_MODES)} (or left out)"
        )


def check_prompt(data: Data) -> None:
    """Core §3.1.2.1: the prompt values are a space-delimited list of known values."""
    unknown = sorted(set(str(data.get("prompt") or "").split()) - set(PROMPTS))
    if unknown:
        named = describable(", ".join(unknown))
        raise InvalidRequestError(f"unsupported prompt value(s): {named}")


def check_max_age(data: Data) -> None:
    """Core §3.1.2.1: max_age is a non-negative whole number of seconds."""
    value = data.get("max_age")
    if value is not None and not _WHOLE_NUMBER.fullmatch(str(value)):
        raise InvalidRequestError("max_age must be a non-negative whole number of seconds")


def check_size(data: Data) -> None:
    """A request LeerID parks while the pupil signs in has a size it can keep: a GET's URL
    is bounded by the web server, a POST's body is not (Core §3.1.2.1 allows POST)."""
    # A MultiDict (the request's values) has every value of a repeated name in its lists.
    lists = data.lists() if isinstance(data, MultiDict) else ((k, [v]) for k, v in data.items())
    size = sum(len(str(name)) + sum(len(str(v)) for v in values) for name, values in lists)
    if size > MAX_REQUEST:
        raise InvalidRequestError(f"the request is longer than {MAX_REQUEST} characters")


def check_state(data: Data) -> None:
    """The state comes back to the app in its redirect URI: refused before the pupil types
    when it could not (the nonce's length is checked with the OpenID request, openid.py)."""
    if len(str(data.get("state") or "")) > MAX_STATE:
        raise InvalidRequestError(f"state is longer than {MAX_STATE} characters")


def check_repeats(data: Data) -> None:
    """RFC 6749 §3.1: a parameter is never sent more than once. Authlib refuses a repeated
    response_type, client_id, redirect_uri, scope and state; the same holds for the rest
    (which value of two `prompt`s or `nonce`s would the app have meant?)."""
    lists = data.lists() if isinstance(data, MultiDict) else ()
    repeated = sorted(str(name) for name, values in lists if len(values) > 1)
    if repeated:
        named = describable(", ".join(repeated))
        raise InvalidRequestError(f"parameter(s) sent more than once: {named}")


CHECKS: tuple[Callable[[Data], None], ...] = (
    check_repeats,
    check_request_objects,
    check_response_mode,
    check_prompt,
    check_max_age,
    check_state,
    check_size,
)


def check_authorization_request(data: Data, redirect_uri: str) -> None:
    """Run every check; the first refusal is raised with the verified `redirect_uri`."""
    for check in CHECKS:
        try:
            check(data)
        except OAuth2Error as error:
            error.redirect_uri = redirect_uri
            raise
