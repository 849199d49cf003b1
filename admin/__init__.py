"""The Schoolloket: the console where a school's LeerID-beheerder finds pupils, creates
their accounts, prints cards and resets passwords (the administrators' manual).

Routes and forms only: every query and change is a service in `idp.services`, scoped by
the administrator's schools (idp.services.scope). `idp.create_app` registers the
blueprint; nothing in `idp` imports this package otherwise.
"""

from __future__ import annotations

from flask import Blueprint

from . import messages, state

blueprint = Blueprint(
    "schoolloket",
    __name__,
    url_prefix="/schoolloket",
    template_folder="templates",
    static_folder="static",
)
blueprint.before_request(state.load_session)
blueprint.after_request(state.finish)


@blueprint.context_processor
def _template_helpers() -> dict[str, object]:
    return {"admin_csrf_field": state.csrf_field, "action_label": messages.action_label}


# The views register their routes on the blueprint.
from . import accounts, actions, audit, department, home, pupils, signin, statistics  # noqa: E402, F401
