"""Claims in words a pupil understands, for "Mijn gegevens" (docs/claims.md has the list)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

# Protocol claims (auth_time, acr, amr, sid, nonce) say how, not who: they are not shown.
_LABELS: dict[str, LazyString] = {
    "sub": _l("a code that recognises you in this app only"),
    "given_name": _l("your name"),
    "family_name": _l("your name"),
    "name": _l("your name"),
    "preferred_username": _l("your username"),
    "locale": _l("your language"),
    "school_number": _l("your school"),
    "school_name": _l("your school"),
    "ov_orgcode": _l("your school"),
    "ov_orgnaam": _l("your school"),
    "class": _l("your class"),
    "grade": _l("your grade"),
    "education_type": _l("your kind of education"),
    "ov_leerid_uuid": _l("a code that recognises you in this app only"),
    "email": _l("your e-mail address"),
    "email_verified": _l("your e-mail address"),
}


def claim_labels(claims: Iterable[str]) -> list[str]:
    """The distinct descriptions of these claims, in a stable order."""
    order = list(_LABELS)
    known = sorted((c for c in claims if c in _LABELS), key=order.index)
    return list(dict.fromkeys(str(_LABELS[c]) for c in known))
