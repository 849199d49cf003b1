"""LeerID Beheer: the pupil list with its filter, and the pupil page (manual, §2, §3)."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request

from idp.db import get_session
from idp.models import AccountKind
from idp.models.account import ADVANCED_EDUCATION_TYPES
from idp.services import pupils
from idp.services.pupils import AccountState, PupilFilter

from . import blueprint, state
from .forms import whole_number

FILTER_PARAMETERS = ("q", "school", "instellingsnummer", "group", "account", "kind")


def _choice(enum_class: Any, text: str) -> Any:
    """An enum member from a query parameter, or None for anything else."""
    try:
        return enum_class(text)
    except ValueError:
        return None


def current_filter() -> PupilFilter:
    """The filter in the query string; values that mean nothing filter nothing."""
    args = request.values
    school_id = whole_number(args.get("school", ""))
    number = args.get("instellingsnummer", "").strip()[:20]
    if number:
        # The department names a school by its instellingsnummer; one it cannot see, or
        # that does not exist, finds nobody (0 is no school's id).
        school_id = pupils.school_id_of(get_session(), state.scope(), number) or 0
    return PupilFilter(
        query=args.get("q", "")[: pupils.QUERY_MAX_LENGTH],
        school_id=school_id,
        group=args.get("group", "")[:40],
        account=_choice(AccountState, args.get("account", "")),
        kind=_choice(AccountKind, args.get("kind", "")),
    )


@blueprint.route("/leerlingen")
def pupils_list() -> str:
    """The pupil list; the filter's values stay in the address, so a reload keeps them."""
    session = get_session()
    scope = state.scope()
    wanted = current_filter()
    page = pupils.search_pupils(
        session, scope, wanted, whole_number(request.args.get("page", "")) or 1
    )
    # A school administrator picks among their schools and their groups; the department
    # (every school) types an instellingsnummer and a group instead of
    # scrolling through thousands.
    schools = [] if scope.is_everything else pupils.schools(session, scope)
    single = wanted.school_id is not None or len(schools) == 1
    return render_template(
        "schoolloket/pupils.html",
        page=page,
        wanted=wanted,
        schools=schools,
        groups=pupils.groups(session, scope, wanted.school_id) if single else None,
        # Only the filter's own parameters go into the pager's links: url_for would take
        # any other name (_method, endpoint...) as its own argument.
        args={k: v for k, v in request.args.items() if k in FILTER_PARAMETERS},
    )


@blueprint.route("/leerlingen/<id:enrollment_id>")
def pupil(enrollment_id: int) -> str:
    """A pupil's enrollment data, account, card and history."""
    found = pupils.pupil(get_session(), state.scope(), enrollment_id)
    if found is None:
        abort(404)
    return render_template(
        "schoolloket/pupil.html", pupil=found, advanced_types=ADVANCED_EDUCATION_TYPES
    )
