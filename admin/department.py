"""Pages for super administrators (the department): schools, connected applications and
administrators. To a school administrator these pages do not exist (404)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from idp.db import get_session
from idp.models import AdminRole, AdminUser, Client, School
from idp.oauth.claims import SUPPORTED_SCOPES
from idp.services import admins, clients, report_snapshots
from idp.services.admins import AdminError
from idp.services.clients import ClientError

from . import blueprint, state
from .confirm import confirm_first
from .messages import message


def _lines(name: str) -> list[str]:
    """A textarea's non-empty lines (one URI per line)."""
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


@blueprint.route("/beheer/scholen")
@state.super_admin_only
def schools() -> str:
    """Every school with its pupils, accounts and coverage, as last counted (the
    department's statistics snapshot)."""
    snapshot = report_snapshots.department_report(get_session())
    return render_template(
        "schoolloket/schools.html",
        schools=snapshot.report.schools,
        counted_at=snapshot.computed_at,
        max_age_minutes=int(report_snapshots.MAX_AGE.total_seconds() // 60),
    )


def _client(client_id: int) -> Client:
    found = get_session().get(Client, client_id)
    if found is None:
        abort(404)
    return found


def _apps_page(
    error: str | None = None,
    secret: tuple[str, str] | None = None,
    status: int = 200,
    typed: Mapping[str, Any] | None = None,
) -> tuple[str, int]:
    """The applications; after a refused form, what was typed stays in it."""
    apps = get_session().scalars(select(Client).order_by(Client.name)).all()
    page = render_template(
        "schoolloket/apps.html",
        apps=apps,
        scopes=SUPPORTED_SCOPES,
        error=error,
        secret=secret,
        typed=typed or {},
    )
    return page, status


@blueprint.route("/beheer/toepassingen", methods=["GET", "POST"])
@state.super_admin_only
def apps() -> tuple[str, int]:
    """The connected applications; a new one from the form (its secret is shown once)."""
    if request.method == "GET":
        return _apps_page()
    form = request.form
    # The form's radio buttons start on "confidential"; any other value is not ours.
    kind = form.get("kind", "confidential")
    if kind not in ("confidential", "public"):
        return _apps_page(message("kind_missing"), status=400, typed=form)
    try:
        registered = clients.register_client(
            get_session(),
            name=form.get("name", ""),
            vendor=form.get("vendor", "").strip(),
            redirect_uris=_lines("redirect_uris"),
            scopes=[s for s in form.getlist("scope") if s not in ("openid", "")],
            public=kind == "public",
            client_uri=form.get("client_uri", "").strip(),
            description=form.get("description", ""),
            description_en=form.get("description_en", ""),
            listed=form.get("listed") == "1",
            actor=state.admin(),
        )
    except ClientError as error:
        return _apps_page(message(error.code, error.params), status=400, typed=form)
    made = registered.client
    return _apps_page(secret=(made.client_id, registered.client_secret or ""))


@blueprint.route("/beheer/toepassingen/<id:client_id>", methods=["GET", "POST"])
@state.super_admin_only
def app(client_id: int) -> tuple[str, int]:
    """One application: its redirect URIs and scopes to change."""
    found = _client(client_id)
    error = None
    status = 200
    if request.method == "POST":
        try:
            clients.update_client(
                get_session(),
                found,
                redirect_uris=_lines("redirect_uris"),
                post_logout_redirect_uris=_lines("post_logout_redirect_uris"),
                scopes=[s for s in request.form.getlist("scope") if s not in ("openid", "")],
                actor=state.admin(),
            )
        except ClientError as failure:
            get_session().rollback()
            found = _client(client_id)
            error, status = message(failure.code, failure.params), 400
    page = render_template(
        "schoolloket/app.html",
        app=found,
        scopes=SUPPORTED_SCOPES,
        error=error,
        saved=request.method == "POST" and error is None,
    )
    return page, status


def _to_apps(**_args: object) -> str:
    return url_for("schoolloket.apps")


def _explain_rotate(client_id: int) -> tuple[str, str, str]:
    name = _client(client_id).name
    return (
        _("A new client secret for %(name)s?", name=name),
        _(
            "The present secret stops working at once: %(name)s cannot sign pupils in until "
            "its vendor has put the new secret in place.",
            name=name,
        ),
        _("Yes, a new secret"),
    )


def _explain_toggle(client_id: int, action: str) -> tuple[str, str, str] | None:
    if action != "uitschakelen":
        return None
    name = _client(client_id).name
    return (
        _("Disable %(name)s?", name=name),
        _(
            "Its tokens stop working at once and no pupil can sign in to it until it is "
            "enabled again.",
        ),
        _("Yes, disable"),
    )


@blueprint.route("/beheer/toepassingen/<id:client_id>/geheim", methods=["POST"])
@state.super_admin_only
@confirm_first(_explain_rotate, _to_apps)
def rotate_secret(client_id: int) -> tuple[str, int]:
    """A new client secret, shown once; the old one stops working."""
    found = _client(client_id)
    try:
        secret = clients.rotate_secret(get_session(), found, actor=state.admin())
    except ClientError as error:
        return _apps_page(message(error.code, error.params), status=400)
    return _apps_page(secret=(found.client_id, secret))


@blueprint.route(
    "/beheer/toepassingen/<id:client_id>/<any(uitschakelen,inschakelen):action>", methods=["POST"]
)
@state.super_admin_only
@confirm_first(_explain_toggle, _to_apps)
def toggle_app(client_id: int, action: str) -> tuple[str, int]:
    """Disable an application (its tokens stop working) or enable it again."""
    clients.set_disabled(
        get_session(), _client(client_id), action == "uitschakelen", actor=state.admin()
    )
    return _apps_page()


def _admins_page(
    error: str | None = None,
    created: admins.CreatedAdmin | None = None,
    status: int = 200,
    typed: Mapping[str, Any] | None = None,
) -> tuple[str, int]:
    """The administrators; after a refused form, what was typed stays in it."""
    session = get_session()
    everyone = session.scalars(select(AdminUser).order_by(AdminUser.username)).all()
    all_schools = session.scalars(select(School).order_by(School.name)).all()
    page = render_template(
        "schoolloket/admins.html",
        admins=everyone,
        schools=all_schools,
        error=error,
        created=created,
        typed=typed or {},
    )
    return page, status


@blueprint.route("/beheer/beheerders", methods=["GET", "POST"])
@state.super_admin_only
def administrators() -> tuple[str, int]:
    """The administrators; a new one gets a one-time password, shown once."""
    if request.method == "GET":
        return _admins_page()
    form = request.form
    # The form's choice starts on a school administrator; any other value is not ours.
    chosen = form.get("role", str(AdminRole.SCHOOL_ADMIN))
    if chosen not in {str(r) for r in AdminRole}:
        return _admins_page(message("role_unknown"), status=400, typed=form)
    role = AdminRole(chosen)
    numbers = [n.strip() for n in form.get("schools", "").replace(",", " ").split() if n.strip()]
    try:
        created = admins.create_admin(
            get_session(),
            form.get("username", "")[:120],
            role=role,
            schools=numbers[:100],
            display_name=form.get("display_name", ""),
            actor=state.admin(),
        )
    except AdminError as error:
        get_session().rollback()
        return _admins_page(message(error.code, error.params), status=400, typed=form)
    return _admins_page(created=created)


def _to_admins(**_args: object) -> str:
    return url_for("schoolloket.administrators")


def _explain_deactivate_admin(admin_id: int) -> tuple[str, str, str]:
    found = get_session().get(AdminUser, admin_id)
    if found is None:
        abort(404)
    return (
        _("Deactivate the administrator %(name)s?", name=found.username),
        _(
            "%(name)s is signed out of the Schoolloket at once and can never sign in again; "
            "a new administrator account is needed to come back.",
            name=found.username,
        ),
        _("Yes, deactivate"),
    )


@blueprint.route("/beheer/beheerders/<id:admin_id>/deactiveren", methods=["POST"])
@state.super_admin_only
@confirm_first(_explain_deactivate_admin, _to_admins)
def deactivate_admin(admin_id: int) -> tuple[str, int]:
    """An administrator who leaves: signed out everywhere, no sign-in any more."""
    found = get_session().get(AdminUser, admin_id)
    if found is None:
        abort(404)
    if found.id == state.admin().id:
        return _admins_page(message("deactivate_self"), status=400)
    admins.deactivate_admin(get_session(), found, actor=state.admin())
    return _admins_page()
