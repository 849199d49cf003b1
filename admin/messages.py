"""The Schoolloket's messages: services report codes with parameters, worded here in the
administrator's language (Dutch by default, English)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

from idp.credentials import TEMPORARY_PASSWORD_LENGTH, TEMPORARY_PASSWORD_MAX_LENGTH
from idp.models.account import USERNAME_MAX_LENGTH

_MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "nothing_selected": lambda p: _("Select at least one pupil of your schools first."),
    "several_schools": lambda p: _(
        "The selection holds pupils of several schools. Choose one school in the filter "
        "first: each school gets its own cards."
    ),
    "too_many": lambda p: _("Select at most %(limit)s pupils at a time.", **p),
    "changed_meanwhile": lambda p: _(
        "Nothing was created: some of these pupils got a LeerID, or a username was taken, "
        "since this screen was opened. Check the list again."
    ),
    "username_missing": lambda p: _("Username is required."),
    "username_too_long": lambda p: _(
        "A username has at most %(max)s characters.", max=USERNAME_MAX_LENGTH
    ),
    "username_at": lambda p: _("A username cannot contain @."),
    "username_characters": lambda p: _(
        "Use only letters a-z, digits and . _ - (not at the start or the end)."
    ),
    "username_taken": lambda p: _("This username is already taken. Add a number, for example."),
    "username_twice": lambda p: _("This username is proposed twice in this selection."),
    "credential_not_allowed": lambda p: _("This kind of password is not for this account."),
    "password_missing": lambda p: _("Password is required."),
    "password_form": lambda p: _(
        "This password does not follow the rules: a word password is a word from the list "
        "with digits (6 characters); a temporary password has %(min)d to %(max)d characters, "
        "only letters without accents, digits, spaces and punctuation found on every keyboard.",
        min=TEMPORARY_PASSWORD_LENGTH,
        max=TEMPORARY_PASSWORD_MAX_LENGTH,
    ),
    "has_account": lambda p: _("already has a LeerID"),
    "card_not_found": lambda p: _(
        "No pupil of your schools has a card with this serial. Check the serial on the "
        "card (two groups of 4 characters, such as K7RE-9XHM)."
    ),
    "status_unchanged": lambda p: _("The account already has this status."),
    "account_deactivated": lambda p: _("This account is deactivated: reactivate it first."),
    "done_blokkeren": lambda p: _(
        "The account is blocked: the pupil is signed out of every app and cannot sign in."
    ),
    "done_deblokkeren": lambda p: _("The account is active again: the pupil can sign in."),
    "done_deactiveren": lambda p: _(
        "The account is deactivated: the pupil is signed out of every app and cannot sign in."
    ),
    "no_official_data": lambda p: _(
        "no official data: no valid rijksregister- or bisnummer is known yet. The school's "
        "administration adds it in the pupil administration package; a day later the "
        "account can be created."
    ),
    # Applications (super administrators).
    "uri_not_https": lambda p: _(
        "The address %(uri)s must start with https:// (http:// only on 127.0.0.1 or "
        "localhost, for testing).",
        **p,
    ),
    "uri_not_absolute": lambda p: _(
        "The address %(uri)s must be a whole address (https://...) without a # part.", **p
    ),
    "uri_invalid": lambda p: _(
        "The address %(uri)s is not a valid web address: check the host name and the port.",
        **p,
    ),
    "too_many_uris": lambda p: _("Give at most %(limit)s addresses.", **p),
    "name_missing": lambda p: _("Give the application a name."),
    "role_unknown": lambda p: _("Choose the role: school administrator or super administrator."),
    "kind_missing": lambda p: _(
        "Choose the kind of application: a web application with a server, or an app "
        "without a server."
    ),
    "too_long": lambda p: _(
        "%(field)s is too long: at most %(limit)d characters.",
        field=_field(p["field"]),
        limit=p["limit"],
    ),
    "listed_needs_client_uri": lambda p: _(
        "An application shown to pupils needs the address of its start page."
    ),
    "no_redirect_uri": lambda p: _("Give at least one redirect URI, one per line."),
    "unknown_auth_method": lambda p: _("Choose how the application authenticates."),
    "public_method": lambda p: _("Choose how the application authenticates."),
    "jwks_uri_missing": lambda p: _("Choose how the application authenticates."),
    "jwks_uri_unexpected": lambda p: _("Choose how the application authenticates."),
    "unknown_scopes": lambda p: _("Unknown scopes: %(scopes)s.", **p),
    "unknown_algorithm": lambda p: _("Choose a known signing algorithm."),
    "several_hosts": lambda p: _(
        "The redirect URIs are on several hosts. Register the application on the command "
        "line with leerid client add --sector, which fixes the pupils' identifiers for all "
        "of them (see the README)."
    ),
    "no_secret": lambda p: _("This application authenticates without a client secret."),
    # Administrators (super administrators).
    "admin_username_invalid": lambda p: _(
        "Use 1 to 100 lower-case letters, digits and . _ @ -, starting with a letter or digit."
    ),
    "admin_username_taken": lambda p: _("An administrator with this username exists already."),
    "super_admin_schools": lambda p: _(
        "A super administrator manages every school: leave the schools empty."
    ),
    "no_school": lambda p: _("A school administrator needs at least one instellingsnummer."),
    "unknown_school": lambda p: _("No school has instellingsnummer %(numbers)s.", **p),
    "deactivate_self": lambda p: _("You cannot deactivate yourself."),
    "download_gone": lambda p: _(
        "This file can no longer be downloaded: it was downloaded already or it expired, "
        "and the passwords in it were deleted. Give the pupils a new password to print "
        "new cards."
    ),
}


# The department's forms' fields, as their labels name them (the services name the
# field of a "too_long" by its column).
_FIELDS: dict[str, Callable[[], str]] = {
    "name": lambda: _("Name"),
    "display_name": lambda: _("Name"),
    "vendor": lambda: _("Vendor"),
    "description": lambda: _("Description (Dutch)"),
    "description_en": lambda: _("Description (English)"),
    "client_uri": lambda: _("Start page (for pupils)"),
}


def _words(table: Mapping[str, Callable[[], str]], code: str) -> str:
    """`code` in words from `table`; a code without words yet, as itself."""
    label = table.get(code)
    return label() if label else code


def _field(field: str) -> str:
    return _words(_FIELDS, field)


def message(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The text for a code, in the current language."""
    return _MESSAGES[code](params or {})


# What each audited action is called on the audit page and in a pupil's history.
_ACTIONS: dict[str, Callable[[], str]] = {
    "account.create": lambda: _("LeerID created"),
    "account.new_password": lambda: _("New password"),
    "account.block": lambda: _("Account blocked"),
    "account.unblock": lambda: _("Account unblocked"),
    "account.deactivate": lambda: _("Account deactivated"),
    "account.job_start": lambda: _("Creation of LeerIDs started"),
    "account.job_done": lambda: _("Creation of LeerIDs finished"),
    "card.issue": lambda: _("New card"),
    "bundle.download": lambda: _("Print file downloaded"),
    "admin.create": lambda: _("Administrator added"),
    "admin.deactivate": lambda: _("Administrator deactivated"),
    "admin.sign_in": lambda: _("Signed in"),
    "admin.sign_out": lambda: _("Signed out"),
    "admin.password_change": lambda: _("Own password chosen"),
    "admin.totp_enrol": lambda: _("Verification code set up"),
    "client.add": lambda: _("Application added"),
    "client.update": lambda: _("Application changed"),
    "client.rotate_secret": lambda: _("Application secret renewed"),
    "client.disable": lambda: _("Application disabled"),
    "client.enable": lambda: _("Application enabled"),
    "schools.import": lambda: _("School register imported"),
    "enrollments.import": lambda: _("Enrollments imported"),
}


def action_label(code: str) -> str:
    """An audited action in words; an action without words yet, as its code."""
    return _words(_ACTIONS, code)
