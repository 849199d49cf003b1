"""Refusing input LeerID cannot read, once, before any view runs (house rule: bad input gets
a clear error, never a 500).

Refused everywhere (path, query string, form fields, JSON keys and values, cookies, the
credentials in an HTTP Basic Authorization header):

- bytes that are not UTF-8 once percent-decoded. Werkzeug would not say so: it keeps them
  as the text "%FF" (query strings, form bodies) or turns them into U+FFFD (multipart
  fields, cookies), so the view would compare, store or mail something else than was sent.
  Where the raw bytes are at hand they are decoded strictly; elsewhere U+FFFD betrays them;
- NUL and the other C0 control characters, DEL, and lone surrogates (JSON "\\ud800"):
  PostgreSQL cannot store NUL in text (psycopg raises), nor encode a surrogate, and nobody
  types them;
- CR and LF: every value LeerID takes is a single line (usernames, passwords, e-mail
  addresses, OAuth parameters, tokens), and a line break could only split a mail header or
  a log line. A form field rendered as a <textarea> is named in MULTILINE_FIELDS.
  TAB is allowed: pasted from a spreadsheet, it is whitespace the views strip.

On the protocol endpoints, the OAuth parameters whose syntax RFC 6749 Appendix A fixes
(redirect URIs, response_type, scope, grant_type) must also follow it: Authlib quotes
them in its error descriptions, which may hold no other characters (it raises instead).

The refusal is 400: an OAuth JSON error (invalid_request, RFC 6749 §5.2) for the endpoints
programs call, and a page in the pupil's language for everything else. Nothing is
redirected: the redirect URI may be what could not be read.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from .views.errors import page_for

log = logging.getLogger(__name__)

# Endpoints that programs call: they get an OAuth JSON error, not a page.
PROGRAM_ENDPOINTS = frozenset(
    [
        "oidc.token",
        "oidc.revoke",
        "oidc.introspect",
        "oidc.userinfo",
        "oidc.jwks",
        "oidc.discovery",
    ]
)
# Endpoints whose parameters are OAuth parameters (RFC 6749 Appendix A applies).
PROTOCOL_ENDPOINTS = PROGRAM_ENDPOINTS | {"oidc.authorize", "logout.end_session"}
# Form fields that may hold several lines (rendered as <textarea>).
# The Schoolloket's application form: one URI per line.
MULTILINE_FIELDS: frozenset[str] = frozenset({"redirect_uris", "post_logout_redirect_uris"})

# C0 controls but TAB, and DEL; CR and LF are checked apart (multi-line fields).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lone surrogate (only JSON's escapes make one) has no UTF-8 form.
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAK = re.compile("[\r\n]")
_REPLACEMENT = "\ufffd"
# A name we may quote in an error description (RFC 6749 §5.2 allows few characters).
_QUOTABLE = re.compile(r"[A-Za-z0-9_.\-]{1,40}")
# RFC 6749 Appendix A: scope tokens (NQCHAR) between spaces; response and grant names.
_SCOPE = re.compile(r" *[\x21\x23-\x5b\x5d-\x7e]+( +[\x21\x23-\x5b\x5d-\x7e]+)* *")
_RESPONSE_TYPE = re.compile(r"[A-Za-z0-9_]+( [A-Za-z0-9_]+)*")
# A URI (RFC 3986 §2): printable ASCII but space and the characters it never allows.
_URI = re.compile(r"[\x21\x23-\x3b\x3d\x3f-\x5b\x5d\x5f\x61-\x7a\x7e]+")
_GRAMMAR = {
    "redirect_uri": (_URI, "not a URI"),
    "post_logout_redirect_uri": (_URI, "not a URI"),
    "response_type": (_RESPONSE_TYPE, "not a response type"),
    "scope": (_SCOPE, "no scope tokens"),
    "grant_type": (_URI, "not a grant type"),
}


@dataclass(frozen=True)
class Problem:
    """Why a request cannot be read, in words for the app's makers and the log; `cookie`
    names a cookie to drop, so that the browser's next request can be read."""

    where: str
    what: str
    cookie: str | None = None

    @property
    def description(self) -> str:
        return f"{self.where}: {self.what}"


def _name(raw: str, kind: str = "parameter") -> str:
    return f"{kind} {raw}" if _QUOTABLE.fullmatch(raw) else f"a {kind} name"


def _text_problem(text: str, multiline: bool = False) -> str | None:
    """What makes decoded text unreadable, or None."""
    if _SURROGATE.search(text):
        return "not UTF-8"
    if _CONTROL.search(text):
        return "a control character"
    if not multiline and _LINE_BREAK.search(text):
        return "a line break"
    return None


def _decode(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _readable_as_a_whole(raw: bytes) -> bool:
    """Whether `raw` decodes and has nothing _text_problem would find (single-line)."""
    text = _decode(raw)
    return text is not None and _text_problem(text) is None


def _encoded_pairs(raw: bytes, multiline: frozenset[str] = frozenset()) -> Iterator[Problem]:
    """Problems in an application/x-www-form-urlencoded string (a query or a form body);
    the parameters named in `multiline` may hold line breaks."""
    # Nearly every request is fine: decoded as a whole it has nothing to find, and then no
    # part of it has (`&` and `=` are single bytes, never inside a UTF-8 sequence). Only
    # otherwise is it taken apart, to say which parameter is at fault.
    if _readable_as_a_whole(unquote_to_bytes(raw.replace(b"+", b" "))):
        return
    for item in raw.split(b"&"):
        raw_key, _, raw_value = item.partition(b"=")
        key = _decode(unquote_to_bytes(raw_key.replace(b"+", b" ")))
        if key is None:
            yield Problem("a parameter name", "not UTF-8")
            continue
        where = _name(key)
        value = _decode(unquote_to_bytes(raw_value.replace(b"+", b" ")))
        if value is None:
            yield Problem(where, "not UTF-8")
            continue
        found = _text_problem(key) or _text_problem(value, key in multiline)
        if found:
            yield Problem(where, found)


def _decoded_pairs(
    pairs: Iterable[tuple[str, str]], kind: str, multiline: frozenset[str] = frozenset()
) -> Iterator[Problem]:
    """Problems in pairs werkzeug decoded (with U+FFFD where bytes were not UTF-8)."""
    for key, value in pairs:
        where = _name(key, kind)
        if _REPLACEMENT in key or _REPLACEMENT in value:
            yield Problem(where, "not UTF-8", key if kind == "cookie" else None)
            continue
        found = _text_problem(key) or _text_problem(value, key in multiline)
        if found:
            yield Problem(where, found, key if kind == "cookie" else None)


def _path() -> Iterator[Problem]:
    # The URI as sent (gunicorn's RAW_URI, werkzeug's REQUEST_URI); else PATH_INFO, whose
    # str holds the bytes as Latin-1 (PEP 3333).
    raw_uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw_uri:
        raw = unquote_to_bytes(urlsplit(raw_uri).path)
    else:
        raw = request.environ.get("PATH_INFO", "").encode("latin-1", "replace")
    path = _decode(raw)
    if path is None:
        yield Problem("the path", "not UTF-8")
    elif found := _text_problem(path):
        yield Problem("the path", found)


def _json() -> Iterator[Problem]:
    text = _decode(request.get_data(cache=True))
    if text is None:
        yield Problem("the JSON body", "not UTF-8")
        return
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return  # not JSON: no view of LeerID reads it
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and (found := _text_problem(item)):
            yield Problem("the JSON body", found)
            return


def _body() -> Iterator[Problem]:
    if request.mimetype == "application/x-www-form-urlencoded":
        yield from _encoded_pairs(request.get_data(cache=True), MULTILINE_FIELDS)
    elif request.mimetype == "multipart/form-data":
        yield from _decoded_pairs(request.form.items(multi=True), "parameter", MULTILINE_FIELDS)
        names = [(k, f.filename or "") for k, f in request.files.items(multi=True)]
        yield from _decoded_pairs(names, "file")
    elif request.is_json:
        yield from _json()


def _cookies() -> Iterator[Problem]:
    raw = request.environ.get("HTTP_COOKIE", "").encode("latin-1", "replace")
    # As in _encoded_pairs: nothing to find in the whole header, nothing in any cookie,
    # unless a quoted value's escapes (\012) decode to what the header did not show.
    if b"\\" not in raw and _readable_as_a_whole(raw):
        return
    if _decode(raw) is None:
        # Which cookie is unknown here: the parsed ones that do not read back are dropped.
        cookies = request.cookies.items()
        bad = [k for k, v in cookies if _decode(v.encode("latin-1", "replace")) is None]
        yield Problem("a cookie", "not UTF-8", bad[0] if bad else None)
        return
    yield from _decoded_pairs(request.cookies.items(multi=True), "cookie")


def _authorization() -> Iterator[Problem]:
    header = request.headers.get("Authorization")
    if not header:
        return
    if found := _text_problem(header):
        yield Problem("the Authorization header", found)
        return
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "basic":
        return
    try:
        raw = base64.b64decode(credentials.strip(), validate=True)
    except (binascii.Error, ValueError):
        return  # not Basic credentials at all: the client is not authenticated
    # RFC 6749 §2.3.1: client_id and secret are form-encoded, then joined by a colon.
    for part in (raw, *[unquote_to_bytes(p) for p in raw.split(b":", 1)]):
        text = _decode(part)
        if text is None:
            yield Problem("the Basic credentials", "not UTF-8")
            return
        if found := _text_problem(text):
            yield Problem("the Basic credentials", found)
            return


def _grammar() -> Iterator[Problem]:
    if _endpoint() not in PROTOCOL_ENDPOINTS:
        return
    for name, (pattern, what) in _GRAMMAR.items():
        for value in request.values.getlist(name):
            # RFC 6749 §3.1: a parameter without a value counts as omitted.
            if value and not pattern.fullmatch(value):
                yield Problem(f"parameter {name}", what)


def find_problem() -> Problem | None:
    """The first reason the current request cannot be read, or None."""
    query = request.environ.get("QUERY_STRING", "").encode("latin-1", "replace")
    checks = (
        _path(),
        _encoded_pairs(query) if query else iter(()),
        _body(),
        _cookies(),
        _authorization(),
        _grammar(),
    )
    for check in checks:
        for problem in check:
            return problem
    return None


def _endpoint() -> str | None:
    """The endpoint the request is for, also when its method is not allowed there."""
    error = request.routing_exception
    if request.endpoint or not isinstance(error, MethodNotAllowed) or not error.valid_methods:
        return request.endpoint
    try:
        adapter = current_app.url_map.bind_to_environ(request.environ)
        endpoint, _ = adapter.match(method=next(iter(error.valid_methods)))
    except HTTPException:
        return None
    return str(endpoint)


def refusal(problem: Problem) -> Response:
    """The 400 answer: an OAuth error for programs, a page for people."""
    response: Response
    if _endpoint() in PROGRAM_ENDPOINTS:
        description = f"The request cannot be read: {problem.description}"
        response = jsonify(error="invalid_request", error_description=description)
        response.headers["Cache-Control"] = "no-store"
    else:
        page = render_template(page_for("unreadable"), problem=problem)
        response = Response(page, mimetype="text/html")
    response.status_code = 400
    if problem.cookie and _QUOTABLE.fullmatch(problem.cookie):
        response.delete_cookie(problem.cookie)
    return response


# A part of the site under its own path may read smaller bodies than MAX_CONTENT_LENGTH:
# {path prefix: bytes}, filled by that part when it is registered (the Schoolloket).
BODY_LIMITS = "leerid.body_limits"


def _limit_body() -> None:
    """Apply the path's body limit before anything reads the body: a larger declared
    length is refused at once, and a chunked body (no length) when it passes the limit;
    both as 413 (RequestEntityTooLarge)."""
    for prefix, limit in current_app.extensions.get(BODY_LIMITS, {}).items():
        if request.path.startswith(prefix):
            if (request.content_length or 0) > limit:
                raise RequestEntityTooLarge()
            if request.content_length is None:
                # Werkzeug cuts a stream without a length at the limit, silently; read one
                # byte more to tell a body at the limit from a larger one. Kept (cache)
                # for the form's parsing.
                request.max_content_length = limit + 1
                if len(request.get_data(cache=True)) > limit:
                    raise RequestEntityTooLarge()
            request.max_content_length = limit
            return


def check_request() -> Any:
    """Refuse the request before any view runs when part of it cannot be read."""
    _limit_body()
    problem = find_problem()
    if problem is None:
        return None
    log.info("request refused, input not readable: %s", problem.description)
    return refusal(problem)


def init_app(app: Flask) -> None:
    """Run the check before every other before-request function (CSRF, sign-in checks)."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
