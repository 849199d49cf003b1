"""Hostile values: what outside testers (and attackers) send instead of a proper value.

Every value is built from the parameter's valid value and sent percent-encoded exactly as
written here, so that bytes which are not UTF-8 reach the server as they would over HTTP.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote


def encode(text: str) -> str:
    """A value as a browser would put it in a query string or a form body."""
    return quote(text, safe="")


@dataclass(frozen=True)
class Hostile:
    """One hostile value: `make(valid)` gives the encoded value or values to send.

    `unreadable`: LeerID cannot read it (a control character, bytes that are not UTF-8, a
    line break in a single-line value), so the request must be refused with 400 before any
    view runs. Other values must be handled: a normal page, a redirect, or a clear 4xx.
    """

    name: str
    make: Callable[[str], list[str]]
    unreadable: bool = False


def _suffix(raw: str, unreadable: bool, name: str) -> Hostile:
    return Hostile(name, lambda valid: [encode(valid) + raw], unreadable)


def _replace(raw: str, name: str, unreadable: bool = False) -> Hostile:
    return Hostile(name, lambda valid: [raw], unreadable)


def _long(length: int, name: str) -> Hostile:
    """The valid value, lengthened to `length` characters (still valid where it can be)."""
    return Hostile(name, lambda valid: [encode(valid) + "x" * max(0, length - len(valid))])


VALUES: tuple[Hostile, ...] = (
    _suffix("%00", True, "NUL"),
    _suffix("%1B%7F", True, "control characters (ESC, DEL)"),
    # At the end, where a strip() would make the value match again (a known address).
    _suffix("%0D%0A", True, "CR/LF"),
    _suffix("%C3%28", True, "invalid UTF-8 (%C3%28)"),
    _replace("%FF", "invalid UTF-8 (%FF)", unreadable=True),
    # A surrogate encoded in UTF-8 (CESU): not UTF-8, and Python would keep it as a lone
    # surrogate that PostgreSQL cannot store.
    _suffix("%ED%A0%80", True, "encoded surrogate"),
    _suffix("%09", False, "TAB"),
    _long(10_000, "10,000 characters"),
    # Longer than any of LeerID's text columns (the longest hold 500 characters).
    _long(600, "600 characters"),
    _replace("%20%20%20", "whitespace only"),
    _replace("", "empty"),
    _suffix(encode("😀👩‍👩‍👧𝕏"), False, "emoji and astral characters"),
    Hostile("repeated", lambda valid: [encode(valid), encode(valid + "-anders")]),
    _replace(encode('<script>alert("x")</script>\\') + "%zz%", "markup, stray % and \\"),
)
BY_NAME = {value.name: value for value in VALUES}


def basic(credentials: bytes) -> str:
    """An HTTP Basic Authorization header for raw credential bytes."""
    return "Basic " + base64.b64encode(credentials).decode()


def authorization_headers(client_id: str, secret: str) -> list[tuple[str, str, bool]]:
    """Malformed Authorization headers: (name, header value, unreadable)."""
    good = f"{client_id}:{secret}".encode()
    return [
        ("Basic without credentials", "Basic", False),
        ("Basic, not base64", "Basic !!!not-base64!!!", False),
        ("Basic without a colon", basic(client_id.encode()), False),
        ("Basic, invalid UTF-8", basic(b"\xff\xfe" + good), True),
        (
            "Basic, NUL in the client_id",
            basic(client_id.encode() + b"\x00:" + secret.encode()),
            True,
        ),
        ("Basic, percent-encoded NUL", basic(client_id.encode() + b"%00:x"), True),
        ("Basic, percent-encoded invalid UTF-8", basic(good + b"%FF"), True),
        ("Basic, CR/LF", basic(good + b"\r\nX: y"), True),
        ("Basic, 10,000 characters", basic(b"x" * 10_000 + b":" + b"y" * 10), False),
        ("Basic, wrong secret", basic(f"{client_id}:wrong".encode()), False),
        ("Bearer without a token", "Bearer", False),
        ("Bearer with spaces", "Bearer a b c", False),
        ("Bearer, 10,000 characters", "Bearer " + "x" * 10_000, False),
        ("Bearer, not a token", "Bearer %%%ÿ", False),
        ("unknown scheme", "Negotiate abc", False),
    ]
