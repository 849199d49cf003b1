"""An audit event's details in words, for the audit page.

The services record details as plain data (idp.services.admins.record_event): keys in
English, values as stored. Here each known key gets its label in the administrator's
language and each value its reading (an account type, a list, a date). Row numbers and
identifiers that mean nothing to a reader (a person's uuid, a session) stay in the
trail but are not shown; an unknown key is shown as it is, so that nothing recorded is
hidden by accident.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

# Kept in the trail, not shown: internal row numbers and identifiers.
_NOT_SHOWN = frozenset(
    {"account_id", "admin_id", "bundle_id", "job_id", "person", "session", "generation"}
)

_LABELS: dict[str, Callable[[], str]] = {
    "username": lambda: _("Username"),
    "kind": lambda: _("Type"),
    "credential": lambda: _("Password"),
    "before": lambda: _("Before"),
    "after": lambda: _("After"),
    "serial": lambda: _("Card serial"),
    "expires_at": lambda: _("Card valid until"),
    "pupils": lambda: _("Pupils"),
    "accounts": lambda: _("Accounts"),
    "created": lambda: _("New"),
    "updated": lambda: _("Updated"),
    "unchanged": lambda: _("Unchanged"),
    "ended": lambda: _("Unenrolled"),
    "skipped": lambda: _("Skipped"),
    "invalid": lambda: _("Invalid"),
    "file": lambda: _("File"),
    "rows": lambda: _("Lines"),
    "schools": lambda: _("Schools"),
    "role": lambda: _("Role"),
    "name": lambda: _("Name"),
    "redirect_uris": lambda: _("Redirect URIs"),
}

_VALUES: dict[str, Callable[[], str]] = {
    "basic": lambda: _("basic"),
    "advanced": lambda: _("advanced"),
    "word": lambda: _("word password"),
    "picture": lambda: _("picture password"),
    "temporary": lambda: _("temporary password"),
    "own": lambda: _("own password"),
    "active": lambda: _("Active"),
    "blocked": lambda: _("Blocked"),
    "deactivated": lambda: _("Deactivated"),
    "school_admin": lambda: _("school administrator"),
    "super_admin": lambda: _("super administrator"),
}


def detail_lines(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs of the details worth showing, in their recorded order."""
    return list(_lines(details))


def _lines(details: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for key, value in details.items():
        if key in _NOT_SHOWN:
            continue
        label = _LABELS.get(key)
        yield (label() if label else key), _reading(value)


def _reading(value: Any) -> str:
    if isinstance(value, Mapping):
        return "; ".join(f"{label}: {text}" for label, text in _lines(value))
    if isinstance(value, list | tuple):
        return ", ".join(_reading(item) for item in value)
    if isinstance(value, str):
        word = _VALUES.get(value)
        if word is not None:
            return word()
        try:
            moment = dt.datetime.fromisoformat(value) if len(value) >= 10 else None
        except ValueError:
            moment = None
        if moment is not None and value[4:5] == "-":
            return str(format_date(moment, "short"))
    return str(value)
