"""Every route of LeerID, how the tests reach it in a state where its parameters matter,
and which parameters it takes besides those of the forms its pages render.

Pages list no form fields: those are read from the HTML the page renders (tests.hostile.
forms), so that a new field is covered as soon as it appears. Protocol endpoints list
their OAuth parameters, since apps, not pages, send them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus, urlencode

from flask import Flask

from idp.input_guard import MULTILINE_FIELDS
from tests.hostile.corpus import VALUES, authorization_headers, encode
from tests.hostile.engine import (
    GUARD_DESCRIPTION,
    Case,
    Request,
    accepted,
    decoded_value,
    encoded,
    used_up,
    whole_request_variants,
)
from tests.hostile.forms import Form, forms_of
from tests.hostile.world import (
    LOGOUT_URI,
    NEW_PASSWORD,
    REDIRECT_URI,
    Browser,
    JourneyError,
    World,
    app_basic,
)

# Parameters that every page reads: the language, and the app request a sign-in is for.
GLOBAL_QUERY = ("lang", "interaction")
# Valid values for parameters a page does not fill in itself.
DEFAULTS = {"lang": "en", "interaction": "abcdefghijklmnop", "login_hint": "lotte.peeters"}

AUTHORIZE = (
    "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "prompt",
    "max_age", "login_hint", "ui_locales", "code_challenge", "code_challenge_method",
    "response_mode", "request", "request_uri", "id_token_hint", "acr_values",
)  # fmt: skip
TOKEN = (
    "grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "client_id",
    "client_secret", "client_assertion", "client_assertion_type", "scope",
)  # fmt: skip
CLIENT_AUTH = ("client_id", "client_secret", "client_assertion", "client_assertion_type")
LOGOUT = (
    "id_token_hint", "post_logout_redirect_uri", "state", "client_id", "ui_locales",
    "logout_hint",
)  # fmt: skip


def rule_of(app: Flask, path: str, method: str) -> str:
    """The URL rule a request would be routed to (the path itself when none matches)."""
    try:
        rule, _ = app.url_map.bind("localhost").match(path, method=method, return_rule=True)
    except Exception:  # noqa: BLE001 - 404 or 405: the path is what was asked for
        return path
    return str(rule.rule)


@dataclass
class Page:
    """Where a journey ended: the page's URL, the browser on it, and valid values for its
    fields (by name) that the page does not fill in itself."""

    url: str
    browser: Browser
    values: dict[str, str] = field(default_factory=dict)
    forms: list[Form] | None = None

    def posting(self) -> list[Form]:
        """The forms that POST, if the URL answers with a page (read once)."""
        if self.forms is None:
            response = self.browser.get(self.url)
            html = response.get_data().decode("utf-8", "replace")
            response.close()
            page = response.status_code == 200 and response.mimetype == "text/html"
            forms = forms_of(html, self.url) if page else []
            self.forms = [f for f in forms if f.method == "POST"]
        return self.forms


Journey = Callable[[World], Page]


def server_error(response: Any) -> bool:
    return response is None or response.status_code >= 500


class Cache:
    """What the cases of one spec share until an answer may have used it up (`spent`);
    sticky things (a browser whose session no request of the spec can end) last until a
    server error."""

    def __init__(self, spent: Callable[[Any], bool] = used_up) -> None:
        self.slots: dict[str, Any] = {}
        self.sticky: dict[str, Any] = {}
        self.spent = spent

    def get(self, name: str, make: Callable[[], Any], sticky: bool = False) -> Any:
        slots = self.sticky if sticky else self.slots
        if name not in slots:
            slots[name] = make()
        return slots[name]

    def after(self, response: Any) -> None:
        if server_error(response):
            self.sticky.clear()
        if self.spent(response):
            self.slots.clear()


def anonymous(url: str) -> Journey:
    return lambda world: Page(url, world.browser())


@dataclass
class PageSpec:
    """A page reached by a journey: its query parameters, its path argument and the forms
    it renders are made hostile one at a time."""

    journey: Journey
    query: tuple[str, ...] = ()
    path_arg: str | None = None
    forms: bool = True  # the page must render a form (any page's forms are fuzzed)
    json: bool = False
    spent: Callable[[Any], bool] = used_up
    only_forms: bool = False  # another spec of the rule has the query and path cases

    def cases(self, world: World, rule: str) -> Iterator[Case]:
        cache = Cache(self.spent)

        def page() -> Page:
            found: Page = cache.get("page", lambda: self.journey(world))
            return found

        names = [*GLOBAL_QUERY, *self.query]
        names += [unquote_plus(k) for k, _ in Request.of("GET", page().url).query]
        get = self._get(page)
        if not self.only_forms:
            for name in dict.fromkeys(names):
                yield from self._query_cases(rule, name, page, cache)
            if self.path_arg:
                yield from self._path_cases(world, rule, page, cache)
            yield Case(rule, "valid", "GET", False, self.json, get, cache.after)
        posting = page().posting()
        assert posting or not self.forms, f"{rule}: the page {page().url} renders no form"
        if not posting and not self.only_forms:
            yield from whole_request_variants(rule, self.json, get, cache.after)
        for index, form in enumerate(posting):
            target = rule_of(world.app, Request.of("POST", form.action).path, "POST")
            prepare = self._form(index, page)
            yield Case(target, "valid", "form", False, self.json, prepare(None, []), cache.after)
            for name in form.names():
                for value in VALUES:
                    make = prepare(name, value)
                    label = f"form {name}"
                    json = self.json
                    # A <textarea> may hold line breaks (input_guard.MULTILINE_FIELDS).
                    multiline = name in MULTILINE_FIELDS and value.name == "CR/LF"
                    unreadable = value.unreadable and not multiline
                    yield Case(target, label, value.name, unreadable, json, make, cache.after)
            yield from whole_request_variants(target, self.json, prepare(None, []), cache.after)

    @staticmethod
    def _get(page: Callable[[], Page]) -> Callable[[], tuple[Any, Request]]:
        def make() -> tuple[Any, Request]:
            return page().browser.client, Request.of("GET", page().url)

        return make

    def _query_cases(
        self, rule: str, name: str, page: Callable[[], Page], cache: Cache
    ) -> Iterator[Case]:
        for value in VALUES:

            def make(value: Any = value) -> tuple[Any, Request]:
                request = Request.of("GET", page().url)
                valid = decoded_value(request.query, name) or page().values.get(name)
                valid = valid or DEFAULTS.get(name, "x")
                return page().browser.client, request.hostile(name, value.make(valid))

            part = f"query {name}"
            yield Case(rule, part, value.name, value.unreadable, self.json, make, cache.after)

    def _path_cases(
        self, world: World, rule: str, page: Callable[[], Page], cache: Cache
    ) -> Iterator[Case]:
        for value in VALUES:
            if value.name == "repeated":
                continue

            def make(value: Any = value) -> tuple[Any, Request]:
                request = Request.of("GET", page().url)
                _, args = world.app.url_map.bind("localhost").match(request.path)
                valid = str(args[self.path_arg])
                head, _, tail = request.path.rpartition(encode(valid).replace("%2F", "/"))
                request.path = head + value.make(valid)[0] + tail
                return page().browser.client, request

            part = f"path <{self.path_arg}>"
            yield Case(rule, part, value.name, value.unreadable, False, make, cache.after)

    @staticmethod
    def _form(index: int, page: Callable[[], Page]) -> Callable[[str | None, Any], Any]:
        def prepare(name: str | None, value: Any) -> Callable[[], tuple[Any, Request]]:
            def make() -> tuple[Any, Request]:
                form = page().posting()[index]
                pairs = form.submission(page().values)
                request = Request.of("POST", form.action, form=encoded(pairs))
                if name is None:
                    return page().browser.client, request
                valid = dict(pairs).get(name) or page().values.get(name)
                if valid is None:  # a button that is not pressed: its own value
                    valid = next(f.value for f in form.fields if f.name == name)
                return page().browser.client, request.hostile(name, value.make(valid))

            return make

        return prepare


Prepare = Callable[[World, Cache], tuple[Any, Request]]


@dataclass
class ProtocolSpec:
    """An endpoint for apps: a valid request (`prepare`), its parameters made hostile one
    at a time, then malformed Authorization headers (`prepare_header`: a valid request
    that authenticates with a header) and the request in the wrong shape."""

    prepare: Prepare
    params: tuple[str, ...]
    json: bool = True
    prepare_header: Prepare | None = None
    spent: Callable[[Any], bool] = used_up

    def cases(self, world: World, rule: str) -> Iterator[Case]:
        cache = Cache(self.spent)
        prepare = self.prepare
        valid = lambda: prepare(world, cache)  # noqa: E731
        yield Case(rule, "valid", "request", False, self.json, valid, cache.after)
        for name in self.params:
            for value in VALUES:

                def make(name: str = name, value: Any = value) -> tuple[Any, Request]:
                    client, request = prepare(world, cache)
                    pairs = request.form if request.form is not None else request.query
                    valid = decoded_value(pairs, name) or DEFAULTS.get(name, "x")
                    return client, request.hostile(name, value.make(valid))

                unreadable = value.unreadable
                yield Case(rule, name, value.name, unreadable, self.json, make, cache.after)
        if self.prepare_header is not None:
            prepare_header = self.prepare_header
            app = world.basic_app
            headers = authorization_headers(app.client_id, app.client_secret)
            for label, header, unreadable in headers:

                def make_header(header: str = header) -> tuple[Any, Request]:
                    client, request = prepare_header(world, cache)
                    request.headers["Authorization"] = header
                    return client, request

                json = self.json
                yield Case(rule, "Authorization", label, unreadable, json, make_header, cache.after)
        yield from whole_request_variants(rule, self.json, valid, cache.after)


# Journeys.


def signing_in(world: World) -> Page:
    """The first step of a sign-in for the Leerlingloket: /login opens one (an interaction)
    and sends the browser to its page."""
    browser = world.browser()
    response = browser.get("/login")
    return Page(browser.follow(response), browser)


def parked(world: World) -> Page:
    """An app's request waiting for the pupil on the first sign-in step."""
    browser = world.browser()
    return Page(world.parked(browser), browser)


def second_step(credential: str) -> Journey:
    def journey(world: World) -> Page:
        account = world.pupil(credential)
        browser = world.browser()
        url = world.username_step(browser, account, start=world.parked(browser))
        values = {"password": account.password}
        if account.pictures:
            values["pick"] = account.pictures[0]
        return Page(url, browser, values)

    return journey


def one_picture_picked(world: World) -> Page:
    """The grid's second page, which also offers to undo the first pick."""
    page = second_step("picture")(world)
    account = world.pupil("picture")
    response = page.browser.submit(page.url, {"pick": account.pictures[0]})
    forms = forms_of(response.get_data(as_text=True), page.url)
    posting = [f for f in forms if f.method == "POST"]
    return Page(page.url, page.browser, {"pick": account.pictures[1]}, posting)


def switch(world: World) -> Page:
    page = second_step("own")(world)
    request = Request.of("GET", page.url)
    query = "&".join(f"{k}={v}" for k, v in request.query)
    return Page("/login/switch" + ("?" + query if query else ""), page.browser)


def new_password(world: World) -> Page:
    account, _ = world.fresh("temporary")
    browser = world.browser()
    url = browser.follow(world.sign_in(browser, account, start=world.parked(browser)))
    assert "/login/new-password" in url, url
    return Page(url, browser, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})


def continue_as(world: World) -> Page:
    """A basic pupil with a live session, asked whether it is them before the app."""
    browser = world.signed_in(world.pupil("word"))
    return Page(world.parked(browser), browser)


def portal(path: str, changes_account: bool = False) -> Journey:
    def journey(world: World) -> Page:
        account = world.fresh()[0] if changes_account else world.pupil()
        values = {"current": account.password, "password": NEW_PASSWORD}
        values.update(confirmation=NEW_PASSWORD, email="nieuw@example.org")
        return Page(path, world.signed_in(account), values)

    return journey


def consent(world: World) -> Page:
    """A signed-in pupil shown what the app receives (prompt=consent)."""
    browser = world.signed_in()
    query = urlencode(world.authorize_params(prompt="consent"))
    target = browser.follow(browser.get("/authorize?" + query))
    if not target.startswith("/login/consent"):
        raise JourneyError(f"prompt=consent went to {target}")
    return Page(target, browser, {"allow": "Ga verder naar de app"})


def logout_confirmation(world: World) -> Page:
    return Page("/logout", world.signed_in())


def forgot(world: World) -> Page:
    return Page("/password/forgot", world.browser(), {"email": world.fresh_email()})


def reset(world: World) -> Page:
    values = {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
    return Page(f"/password/reset/{world.fresh_reset_token()}", world.browser(), values)


def confirm(world: World) -> Page:
    return Page(f"/email/confirm/{world.fresh_confirm_token()}", world.browser())


def card(world: World) -> Page:
    return Page(world.card(), world.browser())


def card_in_capitals(world: World) -> Page:
    """The card's address typed with Caps Lock on: /K/ and the token in capitals."""
    return Page(world.card().upper(), world.browser())


# The Schoolloket.


def schoolloket(path: str, stage: str = "signed_in", **values: str) -> Journey:
    def journey(world: World) -> Page:
        return Page(path, world.schoolloket().browser(stage), dict(values))

    return journey


def schoolloket_pupil(suffix: str = "") -> Journey:
    def journey(world: World) -> Page:
        place = world.schoolloket()
        return Page(f"/schoolloket/leerlingen/{place.pupil()}{suffix}", place.browser())

    return journey


def schoolloket_selection(world: World) -> Page:
    """The pupil list with a pupil to tick (its form posts "Maak LeerID's aan")."""
    place = world.schoolloket()
    place.pupil()
    return Page("/schoolloket/leerlingen?all=1", place.browser())


def schoolloket_account(world: World) -> Page:
    """The page of a pupil with a LeerID: its forms are the account's actions."""
    place = world.schoolloket()
    enrollment_id, _ = place.pupil_with_account()
    return Page(f"/schoolloket/leerlingen/{enrollment_id}", place.browser())


def schoolloket_card(world: World) -> Page:
    """A found card's serial typed into the list's card search."""
    place = world.schoolloket()
    _, serial = place.pupil_with_account()
    return Page(f"/schoolloket/kaartje?serial={serial}", place.browser())


def schoolloket_app(world: World) -> Page:
    """A connected application's page, as a super administrator sees it."""
    place = world.schoolloket()
    return Page(f"/schoolloket/beheer/toepassingen/{place.app()}", place.browser("super_admin"))


def schoolloket_apps(world: World) -> Page:
    """The applications page with an app to give a new secret or disable."""
    place = world.schoolloket()
    place.app()
    values = {"name": "Rekenkoning", "redirect_uris": "https://rekenkoning.example/callback"}
    return Page("/schoolloket/beheer/toepassingen", place.browser("super_admin"), values)


def schoolloket_new_admin(world: World) -> Page:
    """The administrators page, with a free username for its form and another
    administrator to deactivate."""
    place = world.schoolloket()
    place.browser("new_password")
    values = {"username": f"nieuw{next(place.numbers)}", "schools": "424242"}
    return Page("/schoolloket/beheer/beheerders", place.browser("super_admin"), values)


def schoolloket_job(world: World) -> Page:
    """The progress page of a finished background run."""
    place = world.schoolloket()
    return Page(f"/schoolloket/leerids/taak/{place.finished_job()}", place.browser())


def schoolloket_created(world: World) -> Page:
    """The page after "Bewaren én afdrukken", with the download button."""
    place = world.schoolloket()
    browser = place.browser()
    enrollment = place.pupil()
    response = browser.submit(f"/schoolloket/leerlingen/{enrollment}/leerid", {"action": "save"})
    if response.status_code != 200 or "/schoolloket/downloads/" not in response.get_data(
        as_text=True
    ):
        raise JourneyError(f"saving an account gave {response.status_code}")
    return Page(
        "/schoolloket/leerlingen",
        browser,
        forms=forms_of(response.get_data(as_text=True), "/schoolloket/leerids/bewaren"),
    )


SCHOOLLOKET = {
    "/schoolloket/": [PageSpec(schoolloket("/schoolloket/"), forms=False)],
    "/schoolloket/aanmelden": [
        PageSpec(
            lambda world: Page(
                "/schoolloket/aanmelden",
                world.browser(),
                {"username": "beheerder.hostile", "password": "x" * 20, "code": "123456"},
            )
        )
    ],
    "/schoolloket/nieuw-wachtwoord": [
        PageSpec(
            schoolloket(
                "/schoolloket/nieuw-wachtwoord",
                "new_password",
                current="Fietsenstalling-Noord-17!",
                password="Zonnebloem-Veld-2031?",
                confirmation="Zonnebloem-Veld-2031?",
            )
        )
    ],
    "/schoolloket/verificatie-instellen": [
        PageSpec(schoolloket("/schoolloket/verificatie-instellen", "enrol_totp", code="123456"))
    ],
    "/schoolloket/afmelden": [PageSpec(schoolloket("/schoolloket/audit"), only_forms=True)],
    "/schoolloket/audit": [
        PageSpec(schoolloket("/schoolloket/audit"), query=("from", "to", "action", "pupil"))
    ],
    "/schoolloket/leerlingen": [
        PageSpec(
            schoolloket("/schoolloket/leerlingen"),
            query=("q", "school", "group", "account", "kind", "page"),
        )
    ],
    "/schoolloket/leerids/nieuw": [PageSpec(schoolloket_selection, only_forms=True)],
    "/schoolloket/leerlingen/<id:enrollment_id>": [
        PageSpec(schoolloket_pupil(), path_arg="enrollment_id")
    ],
    "/schoolloket/leerlingen/<id:enrollment_id>/leerid": [
        PageSpec(schoolloket_pupil("/leerid"), path_arg="enrollment_id")
    ],
    "/schoolloket/leerids/bewaren": [PageSpec(schoolloket_pupil("/leerid"), only_forms=True)],
    "/schoolloket/downloads/<token>": [PageSpec(schoolloket_created, only_forms=True)],
    "/schoolloket/leerlingen/<id:enrollment_id>/nieuw-wachtwoord": [
        PageSpec(schoolloket_account, only_forms=True)
    ],
    "/schoolloket/leerlingen/<id:enrollment_id>/nieuw-kaartje": [
        PageSpec(schoolloket_account, only_forms=True)
    ],
    "/schoolloket/leerlingen/<id:enrollment_id>/<any(blokkeren,deblokkeren,deactiveren):action>": [
        PageSpec(schoolloket_account, only_forms=True)
    ],
    "/schoolloket/statistieken": [PageSpec(schoolloket("/schoolloket/statistieken"))],
    "/schoolloket/statistieken.csv": [
        PageSpec(schoolloket("/schoolloket/statistieken.csv"), forms=False)
    ],
    "/schoolloket/statistieken.xlsx": [
        PageSpec(schoolloket("/schoolloket/statistieken.xlsx"), forms=False)
    ],
    "/schoolloket/beheer/scholen": [
        PageSpec(schoolloket("/schoolloket/beheer/scholen", "super_admin"), forms=False)
    ],
    "/schoolloket/beheer/toepassingen": [PageSpec(schoolloket_apps)],
    "/schoolloket/beheer/toepassingen/<id:client_id>": [
        PageSpec(schoolloket_app, path_arg="client_id")
    ],
    "/schoolloket/beheer/toepassingen/<id:client_id>/geheim": [
        PageSpec(schoolloket_apps, only_forms=True)
    ],
    "/schoolloket/beheer/toepassingen/<id:client_id>/<any(uitschakelen,inschakelen):action>": [
        PageSpec(schoolloket_apps, only_forms=True)
    ],
    "/schoolloket/beheer/beheerders": [PageSpec(schoolloket_new_admin, spent=accepted)],
    "/schoolloket/beheer/beheerders/<id:admin_id>/deactiveren": [
        PageSpec(schoolloket_new_admin, only_forms=True, spent=accepted)
    ],
    "/schoolloket/leerids/taak/<token>": [PageSpec(schoolloket_job, path_arg="token", forms=False)],
    "/schoolloket/kaartje": [PageSpec(schoolloket_card, query=("serial",), forms=False)],
    "/schoolloket/static/<path:filename>": [
        PageSpec(anonymous("/schoolloket/static/schoolloket.css"), path_arg="filename", forms=False)
    ],
}


# Valid protocol requests. Codes and refresh tokens are made for each request (a refused
# exchange may use them up); sessions and access tokens are kept while they last.


def _signed_in(world: World, cache: Cache, sticky: bool = True) -> Browser:
    browser: Browser = cache.get("browser", world.signed_in, sticky)
    return browser


def refused_early(response: Any) -> bool:
    """Refused before a code or token was looked up: by the guard, or client authentication."""
    if response is None or response.status_code not in (400, 401):
        return False
    document = response.get_json(silent=True) or {}
    guard = str(document.get("error_description", "")).startswith(GUARD_DESCRIPTION)
    return response.status_code == 401 or guard


def unless_refused_early(response: Any) -> bool:
    """Codes and tokens last until a request got past the guard and the client check."""
    return not refused_early(response)


def _post_auth(world: World) -> dict[str, str]:
    return {"client_id": world.post_app.client_id, "client_secret": world.post_app.client_secret}


def authorize_signed_in(world: World, cache: Cache) -> tuple[Any, Request]:
    query = encoded(world.authorize_params())
    return _signed_in(world, cache).client, Request("GET", "/authorize", query)


def authorize_anonymous(world: World, cache: Cache) -> tuple[Any, Request]:
    return world.browser().client, Request("GET", "/authorize", encoded(world.authorize_params()))


def code_grant(world: World, cache: Cache, basic: bool = False) -> tuple[Any, Request]:
    app = world.basic_app if basic else world.post_app
    code, verifier = cache.get("code", lambda: world.code(_signed_in(world, cache), app))
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    form["code_verifier"] = verifier
    if basic:
        request = Request("POST", "/token", form=encoded(form))
        request.headers["Authorization"] = app_basic(app)
        return world.browser().client, request
    return world.browser().client, Request("POST", "/token", form=encoded(form | _post_auth(world)))


def refresh_grant(world: World, cache: Cache) -> tuple[Any, Request]:
    tokens = cache.get("tokens", lambda: world.tokens(_signed_in(world, cache)))
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    return world.browser().client, Request("POST", "/token", form=encoded(form | _post_auth(world)))


def token_request(path: str, basic: bool = False) -> Prepare:
    """Revocation or introspection of a live access token."""

    def prepare(world: World, cache: Cache) -> tuple[Any, Request]:
        app = world.basic_app if basic else world.post_app
        browser = _signed_in(world, cache)
        tokens = cache.get(f"tokens {basic}", lambda: world.tokens(browser, app))
        form = {"token": tokens["access_token"], "token_type_hint": "access_token"}
        request = Request("POST", path, form=encoded(form if basic else form | _post_auth(world)))
        if basic:
            request.headers["Authorization"] = app_basic(app)
        return world.browser().client, request

    return prepare


def userinfo(method: str) -> Prepare:
    """The access token in the header (RFC 6750 §2.1); hostile parameters go to the query
    (GET) or to the form (POST)."""

    def prepare(world: World, cache: Cache) -> tuple[Any, Request]:
        tokens = cache.get("tokens", lambda: world.tokens(_signed_in(world, cache)))
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        form = [] if method == "POST" else None
        return world.browser().client, Request(method, "/userinfo", form=form, headers=headers)

    return prepare


def logout(world: World, cache: Cache) -> tuple[Any, Request]:
    browser = _signed_in(world, cache, sticky=False)
    tokens = cache.get("tokens", lambda: world.tokens(browser))
    query = {
        "id_token_hint": tokens["id_token"],
        "post_logout_redirect_uri": LOGOUT_URI,
        "state": "af0ifjsldkj",
        "client_id": world.post_app.client_id,
        "ui_locales": "nl-BE",
        "logout_hint": "x",
    }
    return browser.client, Request("GET", "/logout", encoded(query))


Spec = PageSpec | ProtocolSpec
ROUTES: dict[str, list[Spec]] = {
    "/": [PageSpec(anonymous("/"), forms=False)],
    "/healthz": [PageSpec(anonymous("/healthz"), forms=False)],
    "/toepassingen": [PageSpec(anonymous("/toepassingen"), forms=False)],
    "/throttle/metrics": [PageSpec(anonymous("/throttle/metrics"), forms=False)],
    "/favicon.ico": [PageSpec(anonymous("/favicon.ico"), forms=False)],
    "/static/<path:filename>": [
        PageSpec(anonymous("/static/leerid.css"), path_arg="filename", forms=False)
    ],
    "/.well-known/openid-configuration": [
        PageSpec(anonymous("/.well-known/openid-configuration"), forms=False, json=True)
    ],
    "/jwks": [PageSpec(anonymous("/jwks"), forms=False, json=True)],
    "/authorize": [
        # An authorization request never ends the pupil's session.
        ProtocolSpec(authorize_signed_in, AUTHORIZE + GLOBAL_QUERY, json=False, spent=server_error),
        ProtocolSpec(authorize_anonymous, AUTHORIZE + GLOBAL_QUERY, json=False),
    ],
    "/token": [
        ProtocolSpec(
            code_grant,
            TOKEN,
            prepare_header=lambda w, c: code_grant(w, c, basic=True),
            spent=unless_refused_early,
        ),
        # The refresh grant's own parameters; the code grant above has every one.
        ProtocolSpec(
            refresh_grant,
            ("grant_type", "refresh_token", "scope", "client_id"),
            spent=unless_refused_early,
        ),
    ],
    "/userinfo": [
        ProtocolSpec(userinfo("POST"), ("access_token",)),
        ProtocolSpec(userinfo("GET"), ("access_token",), prepare_header=userinfo("GET")),
    ],
    "/revoke": [
        ProtocolSpec(
            token_request("/revoke"),
            ("token", "token_type_hint", *CLIENT_AUTH),
            prepare_header=token_request("/revoke", basic=True),
            spent=unless_refused_early,
        )
    ],
    "/introspect": [
        ProtocolSpec(
            token_request("/introspect"),
            ("token", "token_type_hint", *CLIENT_AUTH),
            prepare_header=token_request("/introspect", basic=True),
        )
    ],
    "/logout": [
        ProtocolSpec(logout, LOGOUT + GLOBAL_QUERY, json=False),
        PageSpec(logout_confirmation),
    ],
    "/login": [PageSpec(signing_in, query=("login_hint",)), PageSpec(parked)],
    "/login/continue": [PageSpec(continue_as)],
    "/login/consent": [PageSpec(consent)],
    "/login/switch": [PageSpec(switch, forms=False)],
    "/login/password": [PageSpec(second_step("own"))],
    "/login/pictures": [
        PageSpec(second_step("picture")),
        PageSpec(one_picture_picked, only_forms=True),
    ],
    "/login/new-password": [PageSpec(new_password)],
    "/k/<token>": [PageSpec(card, path_arg="token", forms=False)],
    "/K/<token>": [PageSpec(card_in_capitals, path_arg="token", forms=False)],
    "/portal/": [PageSpec(portal("/portal/"))],
    "/portal/data": [PageSpec(portal("/portal/data"), forms=False)],
    "/portal/password": [PageSpec(portal("/portal/password", changes_account=True))],
    "/portal/email": [PageSpec(portal("/portal/email"))],
    # Each address gets few reset mails an hour: a new one once a request was accepted.
    "/password/forgot": [PageSpec(forgot, spent=accepted)],
    "/password/reset/<token>": [PageSpec(reset, path_arg="token", spent=accepted)],
    "/email/confirm/<token>": [PageSpec(confirm, path_arg="token", spent=accepted)],
    **SCHOOLLOKET,
}


def generic(rule: str) -> PageSpec:
    """A route nobody listed: fuzzed anonymously, with the forms its page renders."""
    url = rule.replace("<", "").replace(">", "")
    return PageSpec(anonymous(url), forms=False)
