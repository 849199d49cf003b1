"""Pairwise subject identifiers (OpenID Connect Core §8.1): one per pupil per sector.

Derived, not stored: HMAC(pairwise key, sector | person uuid). The person outlives school
changes, so the subject does too; two sectors get unrelated values, so apps cannot
correlate pupils.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from flask import current_app

from ..models import Person


def _digest(sector: str, person: Person, purpose: str) -> bytes:
    key: bytes = current_app.extensions["leerid.secrets"].pairwise_subject_key
    message = f"{purpose}|{sector}|{person.uuid}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def pairwise_subject(sector: str, person: Person) -> str:
    """The `sub` an app of `sector` sees for this pupil."""
    return base64.urlsafe_b64encode(_digest(sector, person, "sub")).rstrip(b"=").decode()


def pairwise_uuid(sector: str, person: Person) -> str:
    """The same kind of identifier in UUID form, for `ov_leerid_uuid` (docs/claims.md)."""
    return str(uuid.UUID(bytes=_digest(sector, person, "uuid")[:16], version=4))
