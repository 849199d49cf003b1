"""The zip of a creation run: three documents, named from the school number and the day."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import replace

import pytest

from print_service import (
    PrintError,
    bundle_name,
    bundle_zip,
    cards_a4_pdf,
    credentials_xlsx,
    stickers_pdf,
)
from print_service.zipfiles import FixedDateZip
from tests.print_service.cards import DAY, mixed_cards

SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*")


@pytest.fixture(scope="module")
def cards():  # type: ignore[no-untyped-def]
    return mixed_cards(6)


def test_bundle_name():
    assert bundle_name("012345", dt.date(2026, 9, 1)) == "leerid-012345-2026-09-01.zip"


def test_the_zip_holds_the_three_documents_each_as_built_alone(cards):
    data = bundle_zip(cards, "012345", DAY)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == [
            "leerid-012345-2026-09-01.xlsx",
            "leerid-012345-2026-09-01-kaartjes-a4.pdf",
            "leerid-012345-2026-09-01-stickers-105x48.pdf",
        ]
        assert archive.read(names[0]) == credentials_xlsx(cards)
        assert archive.read(names[1]) == cards_a4_pdf(cards)
        assert archive.read(names[2]) == stickers_pdf(cards)
        for info in archive.infolist():
            assert SAFE_NAME.fullmatch(info.filename), info.filename
            assert info.date_time[:3] == (2026, 9, 1)
    assert bundle_zip(list(reversed(cards)), "012345", DAY) == data


@pytest.mark.parametrize(
    "school_number",
    ["", "../012345", "01 2345", "0123/45", "0123\\45", "01234é", "012345\n", "a" * 21, 12345],
)
def test_a_school_number_that_could_reach_a_file_name_is_refused(school_number, cards):
    with pytest.raises(PrintError, match="letters or digits"):
        bundle_name(school_number, DAY)
    with pytest.raises(PrintError, match="letters or digits"):
        bundle_zip(cards, school_number, DAY)


def test_the_day_is_a_date_and_every_card_is_of_the_school(cards):
    with pytest.raises(PrintError, match="datetime.date"):
        bundle_name("012345", dt.datetime(2026, 9, 1, 12, 0))
    stranger = replace(cards[0], school_number="99999")
    with pytest.raises(PrintError, match="school 99999, not 012345"):
        bundle_zip([stranger, *cards[1:]], "012345", DAY)
    with pytest.raises(PrintError, match="empty"):
        bundle_zip([], "012345", DAY)


def test_members_written_from_files_get_the_fixed_date_too(tmp_path):
    # openpyxl writes each worksheet from a temporary file: its time must not reach the
    # zip, or the same cards a second later would give other bytes.
    sheet = tmp_path / "sheet1.xml"
    sheet.write_bytes(b"<worksheet/>")
    os.utime(sheet, (1_000_000_000, 1_000_000_000))  # 2001
    buffer = io.BytesIO()
    with FixedDateZip(buffer, DAY) as archive:
        archive.write(sheet, "xl/worksheets/sheet1.xml")
        archive.write(sheet)
    with zipfile.ZipFile(buffer) as archive:
        assert [info.date_time for info in archive.infolist()] == [(2026, 9, 1, 0, 0, 0)] * 2
        assert archive.read("xl/worksheets/sheet1.xml") == b"<worksheet/>"
        assert not archive.namelist()[1].startswith("/")
