"""Creating LeerIDs: "Maak een LeerID aan" (one pupil) and "Maak LeerID's aan" (a
selection) open the same screen; "Bewaren én afdrukken" saves and offers the zip once."""

from __future__ import annotations

import io

from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from idp.credentials import TEMPORARY_PASSWORD_MAX_LENGTH
from idp.db import get_database, get_session
from idp.models import School
from idp.models.account import USERNAME_MAX_LENGTH
from idp.services import account_jobs, account_runs, bundles, pupils
from idp.services.account_runs import RunError, Selection
from idp.services.accounts import NewAccount

from . import blueprint, state
from .messages import message
from .pupils import current_filter


def _screen(selection: Selection, error: str | None = None, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "schoolloket/create.html",
            selection=selection,
            error=error,
            message=message,
            username_max=USERNAME_MAX_LENGTH,
            password_max=TEMPORARY_PASSWORD_MAX_LENGTH,
            username_problems=account_runs.USERNAME_PROBLEMS,
        ),
        status,
    )


def _refused(error: RunError) -> tuple[str, int]:
    return render_template("schoolloket/refused.html", error=message(error.code, error.params)), 400


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 10]


@blueprint.route("/leerlingen/<id:enrollment_id>/leerid")
def new_account(enrollment_id: int) -> tuple[str, int]:
    """ "Maak een LeerID aan" on a pupil's page."""
    if pupils.pupil(get_session(), state.scope(), enrollment_id) is None:
        abort(404)
    try:
        return _screen(account_runs.select_pupils(get_session(), state.scope(), [enrollment_id]))
    except RunError as error:
        return _refused(error)


@blueprint.route("/leerids/nieuw", methods=["POST"])
def new_accounts() -> tuple[str, int]:
    """ "Maak LeerID's aan" under the list: the ticked pupils, or with the box beside
    "Stamnummer" every pupil of the filter."""
    session = get_session()
    if request.form.get("all") == "1":
        ids = pupils.matching_enrollment_ids(
            session, state.scope(), current_filter(), account_runs.SCREEN_LIMIT + 1
        )
    else:
        ids = _ids(request.form.getlist("pupil"))
    try:
        return _screen(account_runs.select_pupils(session, state.scope(), ids))
    except RunError as error:
        return _refused(error)


@blueprint.route("/leerids/bewaren", methods=["POST"])
def save_accounts() -> WerkzeugResponse | tuple[str, int]:
    """ "Bewaren én afdrukken", or "Toepassen" of a choice for the whole selection."""
    session = get_session()
    form = request.form
    posted = _ids(form.getlist("pupil"))
    try:
        selection = account_runs.select_pupils(session, state.scope(), posted)
    except RunError as error:
        return _refused(error)
    # Each line's fields are numbered in the order of the posted pupils (row 0, 1, ...).
    choices = {
        enrollment_id: (
            form.get(f"username-{row}", ""),
            form.get(f"credential-{row}", ""),
            form.get(f"password-{row}", ""),
        )
        for row, enrollment_id in enumerate(posted)
    }
    for p in selection.proposals:
        choices.setdefault(p.enrollment_id, ("", str(p.credential), ""))
    if form.get("action") == "apply":
        account_runs.choose_for_all(selection, choices, form.get("whole", ""))
        account_runs.apply_choices(session, selection, choices)
        return _screen(selection)
    if not selection.proposals:
        # A second click, or all of them created by someone else since: nothing to do,
        # and the screen lists each pupil's existing LeerID.
        return _screen(selection, status=409)
    if not account_runs.apply_choices(session, selection, choices):
        return _screen(selection, status=400)
    if len(selection.proposals) > account_jobs.DIRECT_LIMIT:
        token = account_jobs.start(session, state.secrets_(), selection, state.admin())
        # The run starts when its progress page is first shown, after this commit.
        return redirect(url_for("schoolloket.job", token=token))
    try:
        created = account_runs.save(session, selection, state.admin())
    except RunError as error:
        # Nothing of the run is kept (the 409 rolls back too); the screen is shown again.
        session.rollback()
        return _screen(selection, error=message(error.code, error.params), status=409)
    return offer_bundle(
        selection.school, created.accounts, created.file_name, created.zip_data, "created"
    )


def offer_bundle(
    school: School, made: list[NewAccount], file_name: str, data: bytes, purpose: str
) -> tuple[str, int]:
    """Keep a run's zip for one download and show the page with its download button;
    `purpose` ("created", "password" or "card") picks the heading."""
    token = bundles.keep(
        get_session(),
        state.secrets_(),
        school=school,
        admin=state.admin(),
        data=data,
        file_name=file_name,
        usernames=[new.created.account.username for new in made],
        lifetime=state.settings()["credential_download_lifetime"],
    )
    return (
        render_template(
            "schoolloket/created.html",
            made=made,
            purpose=purpose,
            school=school,
            download=url_for("schoolloket.download", token=token),
            minutes=state.settings()["credential_download_lifetime"] // 60,
        ),
        200,
    )


@blueprint.route("/leerids/taak/<token>")
def job(token: str) -> tuple[str, int]:
    """A run's progress (the page reloads itself until it is done), then its download.
    Looking at the page resumes a run whose worker stopped (an instance restart)."""
    found = account_jobs.find(get_session(), state.scope(), token[:100])
    if found is None:
        abort(404)
    if account_jobs.needs_worker(found):
        account_jobs.start_worker(current_app._get_current_object(), found.id)  # type: ignore[attr-defined]
    download_token = account_jobs.bundle_token(found, state.secrets_())
    # Only the administrator who started the run takes its zip (idp.services.bundles).
    own = found.created_by_id == state.admin().id
    download = (
        url_for("schoolloket.download", token=download_token) if download_token and own else None
    )
    page = render_template(
        "schoolloket/job.html",
        job=found,
        download=download,
        someone_elses=bool(download_token) and not own,
        minutes=state.settings()["credential_download_lifetime"] // 60,
    )
    return page, 200


@blueprint.route("/downloads/<token>", methods=["POST"])
def download(token: str) -> WerkzeugResponse | tuple[str, int]:
    """The zip, once: a POST, so that no link preview or prefetch can use it up."""
    # In a transaction of its own: a refused download (410) must not undo the purge.
    with get_database().transaction() as housekeeping:
        bundles.purge_expired(housekeeping)
    session = get_session()
    bundle = bundles.find(session, state.scope(), state.admin(), token[:100])
    if bundle is None:
        abort(404)
    taken = bundles.take(session, state.secrets_(), bundle, state.admin())
    if taken is None:
        return render_template("schoolloket/refused.html", error=message("download_gone")), 410
    return send_file(
        io.BytesIO(taken.data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=taken.file_name,
        max_age=0,
    )
