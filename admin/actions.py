"""Actions on a pupil's account (manual, §1): new password with a new card, a new card
alone, block, unblock, deactivate; and finding a pupil by the serial of a found card."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from idp.db import get_session
from idp.models import Account, AccountStatus, CredentialType
from idp.oauth.logout import end_other_sessions
from idp.services import account_actions, pupils
from idp.services.account_actions import ActionError
from idp.services.account_runs import bundle_file_name
from idp.services.accounts import NewAccount
from idp.services.printing import credential_bundle, school_day
from idp.services.pupils import PupilDetail

from . import blueprint, state
from .accounts import offer_bundle
from .confirm import confirm_first
from .messages import message

_STATUSES = {
    "blokkeren": AccountStatus.BLOCKED,
    "deblokkeren": AccountStatus.ACTIVE,
    "deactiveren": AccountStatus.DEACTIVATED,
}


def _pupil_with_account(enrollment_id: int) -> tuple[PupilDetail, Account]:
    """The pupil (of the administrator's schools) and their account, or 404."""
    found = pupils.pupil(get_session(), state.scope(), enrollment_id)
    if found is None or found.account is None:
        abort(404)
    return found, found.account


def _back_to_pupil(enrollment_id: int, **_args: str) -> str:
    return url_for("schoolloket.pupil", enrollment_id=enrollment_id)


def _pupil_name(enrollment_id: int) -> str:
    """The name a confirmation asks about (404 for a pupil the administrator may not see)."""
    found, _account = _pupil_with_account(enrollment_id)
    return f"{found.person.first_name} {found.person.last_name}"


def _explain_new_password(enrollment_id: int) -> tuple[str, str, str]:
    name = _pupil_name(enrollment_id)
    return (
        _("A new password and card for %(name)s?", name=name),
        _(
            "The present password and card stop working at once, and %(name)s is signed out "
            "of every app. Give the new card to %(name)s before the next lesson.",
            name=name,
        ),
        _("Yes, a new password and card"),
    )


def _explain_status(enrollment_id: int, action: str) -> tuple[str, str, str] | None:
    if action == "deblokkeren":
        return None  # opens the account again: nothing to regret
    name = _pupil_name(enrollment_id)
    if action == "blokkeren":
        return (
            _("Block the LeerID of %(name)s?", name=name),
            _(
                "%(name)s is signed out of every app at once and cannot sign in until the "
                "account is unblocked.",
                name=name,
            ),
            _("Yes, block"),
        )
    return (
        _("Deactivate the LeerID of %(name)s?", name=name),
        _(
            "%(name)s is signed out of every app at once and cannot sign in any more; the "
            "account no longer counts in the statistics. Only reactivating it opens it again.",
            name=name,
        ),
        _("Yes, deactivate"),
    )


def _end_sessions(account: Account) -> None:
    # Last, once nothing else can fail: end_other_sessions commits (with the action, its
    # audit and its zip) and tells the apps.
    timeout = current_app.config["LEERID"]["tokens"]["backchannel_logout_timeout"]
    end_other_sessions(account, None, timeout)


def _print(found: PupilDetail, made: NewAccount, purpose: str) -> tuple[str, int]:
    day = school_day()
    data = credential_bundle([made.printed], day)
    name = bundle_file_name(found.school, day)
    return offer_bundle(found.school, [made], name, data, purpose)


@blueprint.route("/leerlingen/<id:enrollment_id>/nieuw-wachtwoord", methods=["POST"])
@confirm_first(_explain_new_password, _back_to_pupil)
def pupil_new_password(enrollment_id: int) -> tuple[str, int]:
    """A new password and card; the old password, card, sessions and tokens stop working."""
    found, account = _pupil_with_account(enrollment_id)
    chosen = request.form.get("credential", "")
    credential = CredentialType(chosen) if chosen in ("word", "picture") else None
    try:
        made = account_actions.new_password(
            get_session(), found.school, found.enrollment, account, state.admin(), credential
        )
    except ActionError as error:
        return render_template("schoolloket/refused.html", error=message(error.code)), 400
    page = _print(found, made, "password")
    _end_sessions(account)
    return page


@blueprint.route("/leerlingen/<id:enrollment_id>/nieuw-kaartje", methods=["POST"])
def pupil_new_card(enrollment_id: int) -> tuple[str, int]:
    """A new card: the old card's QR code stops working; the password stays."""
    found, account = _pupil_with_account(enrollment_id)
    try:
        made = account_actions.new_card(
            get_session(), found.school, found.enrollment, account, state.admin()
        )
    except ActionError as error:
        return render_template("schoolloket/refused.html", error=message(error.code)), 409
    return _print(found, made, "card")


@blueprint.route(
    "/leerlingen/<id:enrollment_id>/<any(blokkeren,deblokkeren,deactiveren):action>",
    methods=["POST"],
)
@confirm_first(_explain_status, _back_to_pupil)
def pupil_status(enrollment_id: int, action: str) -> Response | tuple[str, int]:
    """Block (sessions and tokens end at once), unblock or deactivate."""
    found, account = _pupil_with_account(enrollment_id)
    status = _STATUSES[action]
    try:
        account_actions.set_status(get_session(), found.enrollment, account, status, state.admin())
    except ActionError as error:
        return render_template("schoolloket/refused.html", error=message(error.code)), 409
    if status is not AccountStatus.ACTIVE:
        _end_sessions(account)
    flash(message(f"done_{action}"))
    return redirect(url_for("schoolloket.pupil", enrollment_id=enrollment_id))


@blueprint.route("/kaartje")
def find_card() -> Response | tuple[str, int]:
    """The pupil whose current card has this serial (a found card), if of one's schools."""
    serial = request.args.get("serial", "")[:20]
    enrollment_id = pupils.enrollment_by_card_serial(get_session(), state.scope(), serial)
    if enrollment_id is None:
        return render_template("schoolloket/refused.html", error=message("card_not_found")), 404
    return redirect(url_for("schoolloket.pupil", enrollment_id=enrollment_id))
