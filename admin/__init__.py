"""The Schoolloket: the console where a school's LeerID-beheerder finds pupils, creates
their accounts, prints cards and resets passwords (the administrators' manual).

Routes and forms only: every query and change is a service in `idp.services`, scoped by
the administrator's schools (idp.services.scope). `idp.create_app` registers the
blueprint; nothing in `idp` imports this package otherwise.
"""

from __future__ import annotations

from flask import Blueprint
from flask.sansio.blueprints import BlueprintSetupState

from idp.input_guard import BODY_LIMITS
from idp.views.errors import ERROR_PAGES

from . import audit_details, messages, state

blueprint = Blueprint(
    "schoolloket",
    __name__,
    url_prefix="/schoolloket",
    template_folder="templates",
    static_folder="static",
)
blueprint.before_request(state.load_session)
blueprint.after_request(state.finish)


@blueprint.record_once
def _error_pages(setup: BlueprintSetupState) -> None:
    # A mistyped address, a refused form, unreadable input or a fault under /schoolloket/
    # keeps the Schoolloket's look and leads back into it, not to the pupils' sign-in.
    setup.app.extensions.setdefault(ERROR_PAGES, {})["/schoolloket/"] = {
        "not_found": "schoolloket/not_found.html",
        "form_expired": "schoolloket/form_expired.html",
        "too_large": "schoolloket/too_large.html",
        "server_error": "schoolloket/server_error.html",
        "unreadable": "schoolloket/unreadable.html",
    }
    # Its largest form, 2,000 pupils' lines on the create screen, is some 300 KB: a body
    # far above that is refused before anything reads it, so that no field is echoed
    # back at a size that costs more than the page (a 30 MB "username").
    setup.app.extensions.setdefault(BODY_LIMITS, {})["/schoolloket/"] = state.FORM_LIMIT


@blueprint.context_processor
def _template_helpers() -> dict[str, object]:
    return {
        "admin_csrf_field": state.csrf_field,
        "action_label": messages.action_label,
        "detail_lines": audit_details.detail_lines,
    }


# The views register their routes on the blueprint.
from . import accounts, actions, audit, department, home, pupils, signin, statistics  # noqa: E402, F401
