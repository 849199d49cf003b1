"""How the app shows the claims it received: a Dutch label and a readable value each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

LABELS = {
    "given_name": "Voornaam",
    "family_name": "Familienaam",
    "name": "Naam",
    "preferred_username": "Gebruikersnaam",
    "locale": "Taal",
    "school_number": "Instellingsnummer van de school",
    "school_name": "School",
    "class": "Klas",
    "grade": "Leerjaar",
    "education_type": "Onderwijsvorm",
    "ov_orgcode": "Instellingsnummer (oude naam)",
    "ov_orgnaam": "School (oude naam)",
    "ov_leerid_uuid": "LeerID-UUID voor deze app",
    "sub": "Pseudoniem voor deze app",
    "sid": "LeerID-sessie",
    "auth_time": "Aangemeld om",
    "amr": "Aangemeld met",
    "acr": "Zekerheidsniveau",
    "iss": "Uitgegeven door",
    "aud": "Bestemd voor",
    "iat": "Uitgegeven om",
    "exp": "Geldig tot",
    "nonce": "Nonce",
    "at_hash": "Hash van het toegangstoken",
}
TIMES = ("auth_time", "iat", "exp")


class Row(NamedTuple):
    """One claim as shown: its name, a Dutch label and its value as text."""

    claim: str
    label: str
    value: str


def show(value: Any, claim: str = "") -> str:
    """A claim value as text: times in UTC, lists joined, booleans in Dutch."""
    if claim in TIMES and isinstance(value, int):
        return f"{dt.datetime.fromtimestamp(value, dt.UTC):%d-%m-%Y %H:%M:%S} UTC"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value)
    return str(value)


def rows(claims: Mapping[str, Any]) -> list[Row]:
    """The claims in a stable order: the known ones as listed above, then the rest."""
    order = {name: i for i, name in enumerate(LABELS)}
    names = sorted(claims, key=lambda n: (order.get(n, len(order)), n))
    return [Row(n, LABELS.get(n, n), show(claims[n], n)) for n in names]
