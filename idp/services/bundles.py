"""The zip of a creation run, kept encrypted for one download (manual, §2-3: "Download
ZIP bestand (Excel, A4 PDF, sticker PDF's)").

The plain passwords exist in that zip only: it is sealed with the deployment's key,
handed out once, to an administrator of its school, before it expires. Its bytes are
deleted at the download; once expired they can no longer be taken, and are deleted at
the next download attempt or new zip of any school (no scheduler is needed for it).
Services flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..hashing import secret_hash
from ..keystore import Secrets
from ..models import AdminUser, CredentialBundle, School, utcnow
from .admins import record_event
from .scope import Scope

_PURPOSE = b"leerid credential bundle"
TOKEN_BYTES = 24


@dataclass(frozen=True)
class Download:
    """A zip handed out: its file name and bytes."""

    file_name: str
    data: bytes


def keep(
    session: Session,
    secrets_: Secrets,
    *,
    school: School,
    admin: AdminUser,
    data: bytes,
    file_name: str,
    usernames: list[str],
    lifetime: int,
) -> str:
    """Keep a run's zip for `lifetime` seconds; returns the token of its download address.
    The expired zips of every school are purged in the same transaction."""
    purge_expired(session)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        CredentialBundle(
            token_hash=secret_hash(token),
            school_id=school.id,
            created_by_id=admin.id,
            file_name=file_name,
            account_count=len(usernames),
            sealed=secrets_.seal(data, _PURPOSE),
            usernames=usernames,
            expires_at=utcnow() + dt.timedelta(seconds=lifetime),
        )
    )
    session.flush()
    return token


def find(session: Session, scope: Scope, admin: AdminUser, token: str) -> CredentialBundle | None:
    """The bundle behind a download address, if `admin` made it and their scope still
    holds its school. Nobody else takes it: one download, by the one who printed (not the
    department, nor a colleague, who would leave the maker with nothing to hand out)."""
    bundle = session.scalar(
        select(CredentialBundle).where(CredentialBundle.token_hash == secret_hash(token))
    )
    if bundle is None or bundle.created_by_id != admin.id or not scope.allows(bundle.school_id):
        return None
    return bundle


def take(
    session: Session, secrets_: Secrets, bundle: CredentialBundle, admin: AdminUser
) -> Download | None:
    """Hand out the zip once: None when it was downloaded already or expired. Its bytes
    are deleted in the same transaction, and the download is audited."""
    now = utcnow()
    if bundle.sealed is None or bundle.downloaded_at is not None or bundle.expires_at <= now:
        return None
    data = secrets_.unseal(bundle.sealed, _PURPOSE)
    # The bytes are taken by a conditional UPDATE: of two downloads at once, on any
    # database, only one finds them still there (the other waits for it, then matches
    # no row), so only one gets the zip.
    taken = session.execute(
        update(CredentialBundle)
        .where(CredentialBundle.id == bundle.id, CredentialBundle.sealed.is_not(None))
        .values(sealed=None, downloaded_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(taken, "rowcount", 0):
        return None
    session.expire(bundle)
    record_event(
        session,
        admin,
        "bundle.download",
        school_id=bundle.school_id,
        details={"bundle_id": bundle.id, "accounts": bundle.account_count},
    )
    return Download(bundle.file_name, data)


def purge_expired(session: Session) -> int:
    """Delete the bytes of every expired bundle; returns how many were purged."""
    result = session.execute(
        update(CredentialBundle)
        .where(CredentialBundle.sealed.is_not(None), CredentialBundle.expires_at <= utcnow())
        .values(sealed=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
