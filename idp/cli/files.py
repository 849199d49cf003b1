"""Files a command writes for the user: new files only, never half-written."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

import click


def check_new_file(path: Path) -> None:
    """Refuse up front (click.ClickException) a path that exists or whose folder does not,
    so that nothing is done for a file that cannot be written."""
    if path.exists() or path.is_symlink():
        raise click.ClickException(f"{path} already exists; choose a new file name")
    if not path.parent.is_dir():
        raise click.ClickException(f"the folder {path.parent} does not exist")


# What a file system without hard links answers to os.link (FAT or exFAT on a USB stick,
# some network shares).
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK})


def write_new_file(path: Path, data: bytes) -> None:
    """Write `data` to `path`, which must not exist, whole or not at all.

    The bytes go to a temporary file beside it first (readable by the owner only: the
    documents hold passwords), which is then linked to `path`; linking fails if `path`
    appeared meanwhile, so an existing file is never replaced. Where the file system has
    no hard links, `path` is claimed as a new empty file instead and the temporary file
    renamed over it. Raises click.ClickException when the file exists or cannot be
    written.
    """
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".leerid-", suffix=".part")
    except OSError as error:
        raise click.ClickException(f"cannot write in {path.parent}: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except OSError as error:
            if error.errno not in _NO_HARD_LINKS:
                raise
            _claim_and_rename(temporary, path)
    except FileExistsError:
        raise click.ClickException(f"{path} already exists; choose a new file name") from None
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _claim_and_rename(temporary: str, path: Path) -> None:
    # O_EXCL refuses a name that exists (FileExistsError); the name claimed, the rename
    # replaces only our own empty file. A crash in between leaves an empty file, never a
    # half-written one.
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        os.replace(temporary, path)
    except OSError:
        os.unlink(path)
        raise
