"""idp/cli/files.py: a command's output file is new, and written whole or not at all.

`leerid accounts create --out FILE.zip` checks the name first (`check_new_file`) and writes
the zip much later (`write_new_file`), after the accounts are built: another program may
create the file in between, and the disk may fill up or fail while the zip is written.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import click
import pytest

from idp.cli import files
from idp.cli.files import check_new_file, write_new_file

DATA = b"PK\x03\x04" + bytes(range(256)) * 64  # 16 KiB, as a zip's first bytes


def leftovers(folder: Path, *keep: str) -> list[str]:
    """Every entry of `folder` (hidden ones too) but those in `keep`: a `.part` file, or a
    half-written target, would show here."""
    return sorted(name for name in os.listdir(folder) if name not in keep)


def test_a_new_file_is_written_whole_readable_by_its_owner_only(tmp_path):
    target = tmp_path / "leerid-012345-2026-09-01.zip"
    check_new_file(target)
    write_new_file(target, DATA)
    assert target.read_bytes() == DATA
    # The documents hold passwords.
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.stat().st_nlink == 1  # the temporary name is gone, not a second link
    assert leftovers(tmp_path, target.name) == []


def test_an_existing_file_is_refused_and_kept(tmp_path):
    target = tmp_path / "b.zip"
    target.write_bytes(b"the school's own file")
    with pytest.raises(click.ClickException, match="already exists"):
        check_new_file(target)
    with pytest.raises(click.ClickException, match="already exists"):
        write_new_file(target, DATA)
    assert target.read_bytes() == b"the school's own file"
    assert leftovers(tmp_path, target.name) == []


def test_a_dangling_symlink_is_refused_and_nothing_is_written_through_it(tmp_path):
    # Writing through the link would create a file elsewhere (its target).
    elsewhere = tmp_path / "elsewhere.zip"
    target = tmp_path / "b.zip"
    target.symlink_to(elsewhere)
    with pytest.raises(click.ClickException, match="already exists"):
        check_new_file(target)
    with pytest.raises(click.ClickException, match="already exists"):
        write_new_file(target, DATA)
    assert target.is_symlink() and not elsewhere.exists()
    assert leftovers(tmp_path, target.name) == []


def test_a_file_that_appears_between_the_check_and_the_write_is_kept(tmp_path, monkeypatch):
    # The check passes; then, while the zip is being written (after the bytes reach the
    # disk and before they get their name), another program creates the file.
    target = tmp_path / "b.zip"
    check_new_file(target)
    real_fsync = os.fsync
    raced = []

    def fsync_then_someone_else_writes(descriptor: int) -> None:
        real_fsync(descriptor)
        target.write_bytes(b"written meanwhile by another program")
        raced.append(descriptor)

    monkeypatch.setattr(files.os, "fsync", fsync_then_someone_else_writes)
    with pytest.raises(click.ClickException, match="already exists"):
        write_new_file(target, DATA)
    assert raced  # the race happened inside write_new_file
    assert target.read_bytes() == b"written meanwhile by another program"
    assert leftovers(tmp_path, target.name) == []


def test_a_file_that_appears_after_the_check_before_the_write_is_kept(tmp_path):
    target = tmp_path / "b.zip"
    check_new_file(target)
    target.write_bytes(b"written meanwhile by another program")
    with pytest.raises(click.ClickException, match="already exists"):
        write_new_file(target, DATA)
    assert target.read_bytes() == b"written meanwhile by another program"
    assert leftovers(tmp_path, target.name) == []


class _FullDisk:
    """A file object that takes `room` bytes, then fails as a full disk does."""

    def __init__(self, handle: Any, room: int) -> None:
        self._handle = handle
        self._room = room

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def write(self, data: bytes) -> int:
        self._handle.write(data[: self._room])
        self._handle.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def test_a_write_that_fails_midway_leaves_neither_the_file_nor_a_part_file(tmp_path, monkeypatch):
    target = tmp_path / "b.zip"
    real_fdopen = os.fdopen
    partial: list[Path] = []

    def half_full(descriptor: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        partial.extend(p for p in tmp_path.iterdir() if p.name.endswith(".part"))
        return _FullDisk(real_fdopen(descriptor, mode, *args, **kwargs), len(DATA) // 2)

    monkeypatch.setattr(files.os, "fdopen", half_full)
    with pytest.raises(click.ClickException, match="No space left on device"):
        write_new_file(target, DATA)
    assert partial  # a temporary .part file was there while writing, and now is gone
    assert not target.exists() and not target.is_symlink()
    assert leftovers(tmp_path) == []


def _no_hard_links(*args: object) -> None:
    raise OSError(errno.EPERM, os.strerror(errno.EPERM))  # as FAT on a USB stick answers


def test_without_hard_links_the_file_is_still_written_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(files.os, "link", _no_hard_links)
    target = tmp_path / "b.zip"
    write_new_file(target, DATA)
    assert target.read_bytes() == DATA
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert leftovers(tmp_path, "b.zip") == []


def test_without_hard_links_an_existing_file_is_still_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(files.os, "link", _no_hard_links)
    target = tmp_path / "b.zip"
    target.write_bytes(b"the teacher's own file")
    with pytest.raises(click.ClickException, match="already exists"):
        write_new_file(target, DATA)
    assert target.read_bytes() == b"the teacher's own file"
    assert leftovers(tmp_path, "b.zip") == []


def test_without_hard_links_a_failed_rename_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(files.os, "link", _no_hard_links)

    def fail(*args: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(click.ClickException, match="cannot write"):
        write_new_file(tmp_path / "b.zip", DATA)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("failing", ["fsync", "link"])
def test_a_failure_after_the_bytes_leaves_nothing_either(failing, tmp_path, monkeypatch):
    # fsync: an I/O error as the bytes reach the disk. link: an I/O error as the name is
    # made (a file system without hard links is tested above).
    target = tmp_path / "b.zip"
    code = errno.EIO

    def fail(*args: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(files.os, failing, fail)
    with pytest.raises(click.ClickException, match=f"cannot write {target}"):
        write_new_file(target, DATA)
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_a_missing_folder_is_refused_before_and_at_the_write(tmp_path):
    target = tmp_path / "geen-map" / "b.zip"
    with pytest.raises(click.ClickException, match="does not exist"):
        check_new_file(target)
    with pytest.raises(click.ClickException, match="cannot write in"):
        write_new_file(target, DATA)
    assert leftovers(tmp_path) == []
