"""Files a command writes for the user: new files only, never half-written."""

from __future__ import annotations

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


def write_new_file(path: Path, data: bytes) -> None:
    """Write `data` to `path`, which must not exist, whole or not at all.

    The bytes go to a temporary file beside it first (readable by the owner only: the
    documents hold passwords), which is then linked to `path`; linking fails if `path`
    appeared meanwhile, so an existing file is never replaced. Raises
    click.ClickException when the file exists or cannot be written.
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
        os.link(temporary, path)
    except FileExistsError:
        raise click.ClickException(f"{path} already exists; choose a new file name") from None
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror}") from None
    finally:
        os.unlink(temporary)
