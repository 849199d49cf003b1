"""Languages: Dutch (nl-BE) by default, English on request (?lang=en or Accept-Language)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, get_locale

LANGUAGES = ("nl", "en")
# Dates and times as the schools live them: pages and printed documents (IANA name).
TIMEZONE = "Europe/Brussels"


# The locale whose formats a language's dates and numbers take: Dutch as written in
# Belgium (1/12/2026, not the Netherlands' 01-12-2026, also when chosen with ?lang=nl),
# English as in Belgium and Europe (30/11/2026, 14:05), not the United States' 11/30/26.
FORMATS = {"nl": "nl_BE", "en": "en_GB"}


def select_locale() -> str:
    """The page's locale: its language (below) with the formats of FORMATS."""
    language = _language()
    return FORMATS.get(language, language)


def _language() -> str:
    """?lang= (remembered in the session), else the browser's preference, else the default."""
    default: str = current_app.config["LEERID"]["server"]["default_locale"]
    if not has_request_context():
        return default
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    if session.get("lang") in LANGUAGES:
        return str(session["lang"])
    best = request.accept_languages.best_match(LANGUAGES)
    if best is None or best == "nl":
        return default
    return best


def preferred_language(ui_locales: str) -> str | None:
    """The first of LeerID's languages in a space-separated preference list of BCP 47 tags
    (OpenID Connect Core §3.1.2.1 `ui_locales`): "fr-BE en" gives "en"; None if none fits."""
    for tag in ui_locales.split():
        language = tag.split("-")[0].lower()
        if language in LANGUAGES:
            return language
    return None


# Parameters a page in another language must keep: the waiting app request of a sign-in.
# Nothing else is echoed back, so a crafted request cannot place its values in our links.
KEPT_PARAMETERS = ("interaction",)


def language_url(language: str) -> str | None:
    """This page in another language, keeping the sign-in's waiting app request; None
    where the page answers a form that only POST reaches (a confirmation, a secret shown
    once): a link there would meet 405 Method Not Allowed, and sending the form again
    could repeat its action. The language chosen on the next page is remembered."""
    rule = request.url_rule
    if rule is None or rule.methods is None or "GET" not in rule.methods:
        return None
    args = [(name, request.args[name]) for name in KEPT_PARAMETERS if name in request.args]
    return request.path + "?" + urlencode([*args, ("lang", language)])


def init_app(app: Flask) -> None:
    """Attach Flask-Babel with our locale selector."""
    Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories="translations",
        default_timezone=TIMEZONE,
    )
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["language_url"] = language_url
