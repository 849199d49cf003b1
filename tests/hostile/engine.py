"""Requests with one part made hostile, sent as raw as HTTP allows, and the check of the
answers: never a 5xx, and always a clear answer.

A request is kept percent-encoded (path, query and form pairs) until it is sent, so that
bytes which are not UTF-8 reach the server unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote_plus, unquote_to_bytes, urlsplit

from tests.hostile.corpus import encode

# What the refusal of unreadable input says (Dutch by default; English with lang=en).
GUARD_PAGE_TEXTS = (
    "Je aanvraag bevatte tekens die LeerID niet kan lezen",
    "Your request contained characters LeerID cannot read",
    # The Schoolloket's own page for it.
    "LeerID kan niet lezen wat er verstuurd werd",
    "LeerID cannot read what was sent",
)
# How the guard's OAuth error description starts.
GUARD_DESCRIPTION = "The request cannot be read"
FORM = "application/x-www-form-urlencoded"

Pairs = list[tuple[str, str]]


def split_url(url: str) -> tuple[str, Pairs]:
    """A URL's path and its query pairs, still encoded."""
    parts = urlsplit(url)
    pairs: Pairs = []
    for item in filter(None, parts.query.split("&")):
        key, _, value = item.partition("=")
        pairs.append((key, value))
    return parts.path, pairs


def encoded(values: dict[str, str] | Pairs) -> Pairs:
    """Decoded pairs (or a dict) as encoded pairs."""
    items = values.items() if isinstance(values, dict) else values
    return [(encode(k), encode(v)) for k, v in items]


def decoded_value(pairs: Pairs, name: str) -> str | None:
    """The (first) decoded value of an encoded pair list, for valid values only."""
    for key, value in pairs:
        if unquote_plus(key) == name:
            return unquote_plus(value)
    return None


def with_values(pairs: Pairs, name: str, values: list[str]) -> Pairs:
    """Replace every pair named `name` by `values` (encoded), where the first one stood,
    or add them at the end."""
    key = encode(name)
    out: Pairs = []
    placed = False
    for k, v in pairs:
        if k == key:
            if not placed:
                out.extend((key, value) for value in values)
                placed = True
            continue
        out.append((k, v))
    if not placed:
        out.extend((key, value) for value in values)
    return out


@dataclass
class Request:
    """One request, encoded as it goes on the wire."""

    method: str
    path: str
    query: Pairs = field(default_factory=list)
    form: Pairs | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    content_type: str | None = None
    raw_cookie: str | None = None  # sent as is, besides the browser's cookies

    @classmethod
    def of(cls, method: str, url: str, form: Pairs | None = None, **kw: Any) -> Request:
        path, query = split_url(url)
        return cls(method, path, query, form, **kw)

    def hostile(self, name: str, values: list[str]) -> Request:
        """This request with `name` set to the encoded `values` (in the form if it has one)."""
        if self.form is not None:
            return replace(self, form=with_values(self.form, name, values))
        return replace(self, query=with_values(self.query, name, values))

    def send(self, client: Any) -> Any:
        data: bytes | None = self.body
        content_type = self.content_type
        if self.form is not None:
            data = "&".join(f"{k}={v}" for k, v in self.form).encode("ascii")
            content_type = FORM
        headers = dict(self.headers)
        if self.raw_cookie is not None:
            headers[RawCookies.HEADER] = self.raw_cookie
        return client.open(
            self.path,
            method=self.method,
            query_string="&".join(f"{k}={v}" for k, v in self.query),
            data=data,
            content_type=content_type,
            headers=headers,
        )


class RawCookies:
    """WSGI middleware: adds the cookie in the X-Raw-Cookie header to the Cookie header as
    it stands, bytes that are not UTF-8 included (the test client's cookie jar would encode
    them), as a browser holding such a cookie would send it."""

    HEADER = "X-Raw-Cookie"

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        raw = environ.pop("HTTP_X_RAW_COOKIE", None)
        if raw is not None:
            environ["HTTP_COOKIE"] = "; ".join(filter(None, [environ.get("HTTP_COOKIE"), raw]))
        return self.app(environ, start_response)


@dataclass
class Case:
    """One hostile request: where it goes, what was made hostile, and how to make it.

    `make` builds the request on the state a journey left (a signed-in browser, a chosen
    username); `after` hears the answer, so that a state the request may have used up
    (it signed in, changed a password) is made anew for the next case.
    """

    rule: str
    part: str  # the parameter, header or request shape made hostile
    value: str  # the hostile value's name
    unreadable: bool
    json: bool  # an endpoint for programs: errors are OAuth JSON errors
    make: Callable[[], tuple[Any, Request]]  # (test client, request)
    after: Callable[[Any], None] = lambda response: None

    @property
    def label(self) -> str:
        return f"{self.rule} [{self.part}] {self.value}"


def used_up(response: Any) -> bool:
    """Whether an answer may have used up the state its request was made on: it moved on
    (a redirect), failed, or changed the browser's cookies. A refusal (4xx) changes nothing."""
    if response is None or response.status_code >= 500:
        return True
    return 300 <= response.status_code < 400 or "Set-Cookie" in response.headers


def accepted(response: Any) -> bool:
    """For single-use links: any answer but a refusal may have used the link."""
    return response is None or not 400 <= response.status_code < 500


def whole_request_variants(
    rule: str,
    json_endpoint: bool,
    prepare: Callable[[], tuple[Any, Request]],
    after: Callable[[Any], None],
) -> Iterator[Case]:
    """A valid request turned into the wrong shape: JSON or multipart instead of a form, a
    body that is not UTF-8, a hostile parameter name, a hostile cookie."""

    def variant(name: str, unreadable: bool, change: Callable[[Any, Request], Request]) -> Case:
        def make() -> tuple[Any, Request]:
            client, request = prepare()
            return client, change(client, request)

        return Case(rule, "request", name, unreadable, json_endpoint, make, after)

    def as_json(hostile: bool) -> Callable[[Any, Request], Request]:
        def change(client: Any, request: Request) -> Request:
            pairs = request.form if request.form is not None else request.query
            document: dict[str, Any] = {unquote_plus(k): unquote_plus(v) for k, v in pairs}
            if hostile:
                document["naam\u0000"] = ["\ud800", {"x": "\u0000"}]
            body = json.dumps(document).encode()
            query = request.query if request.form is not None else []
            method = "POST" if request.method == "GET" else request.method
            return replace(
                request,
                method=method,
                query=query,
                form=None,
                body=body,
                content_type="application/json",
            )

        return change

    def as_multipart(bad: bytes | None) -> Callable[[Any, Request], Request]:
        def change(client: Any, request: Request) -> Request:
            pairs = request.form if request.form is not None else []
            boundary = "leerid-hostile-boundary"
            chunks = []
            for k, v in pairs:
                chunks.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="'.encode()
                    + unquote_to_bytes(k)
                    + b'"\r\n\r\n'
                    + unquote_to_bytes(v.replace("+", " "))
                    + b"\r\n"
                )
            if bad is not None:
                chunks.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="extra"\r\n\r\n'.encode()
                    + bad
                    + b"\r\n"
                )
            body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
            return replace(
                request,
                method="POST" if request.method == "GET" else request.method,
                form=None,
                body=body,
                content_type=f"multipart/form-data; boundary={boundary}",
            )

        return change

    def raw_body(client: Any, request: Request) -> Request:
        pairs = request.form if request.form is not None else []
        body = "&".join(f"{k}={v}" for k, v in pairs).encode() + b"&extra=\xff\xfe"
        method = "POST" if request.method == "GET" else request.method
        return replace(request, method=method, form=None, body=body, content_type=FORM)

    def named(name: str) -> Callable[[Any, Request], Request]:
        def change(client: Any, request: Request) -> Request:
            if request.form is not None:
                return replace(request, form=[*request.form, (name, "1")])
            return replace(request, query=[*request.query, (name, "1")])

        return change

    def cookie(value: str) -> Callable[[Any, Request], Request]:
        def change(client: Any, request: Request) -> Request:
            return replace(request, raw_cookie=f"leerid_extra={value}")

        return change

    yield variant("JSON body instead of a form", False, as_json(False))
    yield variant("JSON body with NUL and a lone surrogate", True, as_json(True))
    yield variant("multipart instead of a form", False, as_multipart(None))
    yield variant("multipart with bytes that are not UTF-8", True, as_multipart(b"\xff\xc3("))
    yield variant("multipart with NUL", True, as_multipart(b"abc\x00def"))
    yield variant("form body with raw bytes that are not UTF-8", True, raw_body)
    yield variant("parameter name with NUL", True, named("na%00am"))
    yield variant("parameter name not UTF-8", True, named("%FF%FE"))
    yield variant("cookie with NUL", True, cookie("a\x00b"))
    yield variant("cookie with an escaped NUL", True, cookie('"a\\000b"'))
    yield variant("cookie with raw bytes", True, cookie("\xff\xfe"))
    yield variant("cookie with escaped bytes that are not UTF-8", True, cookie('"\\303\\050"'))


def problem(case: Case, response: Any) -> str | None:
    """What is wrong with the answer to a hostile request, or None."""
    status = response.status_code
    # Not every answer is text (the favicon).
    body = response.get_data().decode("utf-8", "replace")
    if status >= 500:
        first = body.strip().splitlines()[0][:120] if body.strip() else ""
        return f"{status} {first}"
    for name, value in response.headers.items():
        if "\r" in value or "\n" in value:
            return f"line break in response header {name}"
    if case.part == "valid":
        return None if status < 400 else f"the valid request was refused ({status}): {body[:300]}"
    if case.unreadable:
        if status != 400:
            return f"unreadable input answered {status}, not the guard's 400"
        if case.json:
            document = response.get_json(silent=True) or {}
            description = str(document.get("error_description", ""))
            if document.get("error") != "invalid_request" or not description.startswith(
                GUARD_DESCRIPTION
            ):
                return f"unreadable input: not an OAuth invalid_request error: {body[:200]}"
        elif not any(text in body for text in GUARD_PAGE_TEXTS):
            return f"unreadable input: 400 without the guard's page: {body[:200]}"
        return None
    if 300 <= status < 400:
        return None if response.headers.get("Location") else f"{status} without Location"
    if response.is_json:
        document = response.get_json(silent=True)
        # RFC 6750 §3.1: a request without a bearer token (none, or another scheme) gets
        # the challenge alone, without an error code.
        challenge = status == 401 and response.headers.get("WWW-Authenticate") == "Bearer"
        has_error = isinstance(document, dict) and document.get("error")
        if status >= 400 and not has_error and not challenge:
            return f"{status} JSON without an OAuth error: {body[:200]}"
        return None
    if response.mimetype == "text/html" and "<h1" not in body:
        return f"{status} page without a heading (no message): {body[:200]}"
    if status >= 400 and response.mimetype != "text/html":
        return f"{status} {response.mimetype} without a message"
    return None


@dataclass
class Report:
    """Outcomes of a run: every case sent, and what went wrong."""

    sent: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def run(self, case: Case) -> None:
        client, request = case.make()
        self.sent.append(case.label)
        try:
            response = request.send(client)
        except Exception as error:  # noqa: BLE001 - the test app raises what would be a 500
            self.failures.append(f"{case.label}: 500 {type(error).__name__}: {error}"[:300])
            self.server_errors.append(case.label)
            case.after(None)
            return
        try:
            found = problem(case, response)
        finally:
            response.close()
        case.after(response)
        if found is not None:
            self.failures.append(f"{case.label}: {found}")
            if response.status_code >= 500:
                self.server_errors.append(case.label)
