"""Reading CSV and XLSX files row by row: encodings, separators, headers, row numbers."""

from __future__ import annotations

import codecs
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from idp.services.tabular import TableError, cell_text, header_key, open_table, source_name

NAMES = ["Çelik", "Noëlla", "Éléonore", "Øyvind", "Šárka"]


def _read(source):
    with open_table(source) as table:
        header = table.header.values if table.header else None
        return header, [(row.line, row.values) for row in table.rows]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_in_every_encoding_and_separator(tmp_path, encoding, delimiter):
    text = "\r\n".join([delimiter.join(["naam", "voornaam"])] + [f"X{delimiter}{n}" for n in NAMES])
    path = tmp_path / "leerlingen.csv"
    path.write_bytes((text + "\r\n").encode(encoding))
    header, rows = _read(path)
    assert header == ("naam", "voornaam")
    assert rows == [(line, ("X", name)) for line, name in enumerate(NAMES, start=2)]


def test_windows_1252_detected_after_many_ascii_lines(tmp_path):
    lines = ["naam;voornaam"] + [f"A;B{i}" for i in range(5000)] + ["Çelik;Noëlla"]
    path = tmp_path / "late.csv"
    path.write_bytes("\n".join(lines).encode("cp1252"))
    _, rows = _read(path)
    assert rows[-1] == (5002, ("Çelik", "Noëlla"))


def test_a_file_mixing_utf8_and_windows_1252_is_refused_with_its_line(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("naam\nNoëlla\n".encode() + "Çelik\n".encode("cp1252"))
    with pytest.raises(TableError) as error:
        _read(path)
    assert (error.value.code, error.value.line) == ("bad_encoding", 3)


def test_utf16_is_explained(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("naam\tvoornaam\r\n".encode("utf-16"))
    with pytest.raises(TableError, match="utf16_file"):
        _read(path)


def test_blank_rows_are_skipped_but_counted_and_quoted_newlines_stay_in_one_row(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text('naam;opmerking\r\nA;"twee\r\nregels"\r\n;\r\n\r\nB;x\r\n', encoding="utf-8")
    _, rows = _read(path)
    assert rows == [(2, ("A", "twee\r\nregels")), (5, ("B", "x"))]


def test_empty_file_has_no_header(tmp_path):
    path = tmp_path / "leeg.csv"
    path.write_bytes(codecs.BOM_UTF8)
    assert _read(path) == (None, [])


def test_xlsx_rows_keep_types_and_spreadsheet_row_numbers(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["naam", "geboortedatum", "stamnummer"])
    sheet.append(["Éléonore", dt.datetime(2012, 3, 5), 1001])
    sheet.append([])
    sheet.append(["Øyvind", dt.date(2013, 12, 31), 1002.0])
    path = tmp_path / "leerlingen.xlsx"
    book.save(path)
    header, rows = _read(path)
    assert header == ("naam", "geboortedatum", "stamnummer")
    assert rows[0] == (2, ("Éléonore", dt.datetime(2012, 3, 5), 1001))
    assert rows[1][0] == 4
    assert cell_text(rows[1][1][2]) == "1002"


def test_a_file_object_with_a_name_is_read_and_a_workbook_is_recognised_by_content(tmp_path):
    book = Workbook()
    book.active.append(["naam"])
    book.active.append(["Çelik"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    assert _read(data) == (("naam",), [(2, ("Çelik",))])
    renamed = tmp_path / "eigenlijk-excel.csv"
    renamed.write_bytes(data.getvalue())
    assert _read(renamed)[1] == [(2, ("Çelik",))]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("leerlingen.xls", b"\xd0\xcf\x11\xe0", "unsupported_extension"),
        ("leerlingen.pdf", b"%PDF", "unsupported_extension"),
        ("kapot.xlsx", b"not a zip at all", "unreadable_file"),
    ],
)
def test_unsupported_and_unreadable_files(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TableError) as error:
        _read(path)
    assert error.value.code == code


def test_a_missing_file_is_missing_and_a_folder_unreadable(tmp_path):
    with pytest.raises(TableError, match="missing_file") as error:
        _read(tmp_path / "bestaat-niet.csv")
    assert error.value.params == {"file": str(tmp_path / "bestaat-niet.csv")}
    with pytest.raises(TableError, match="unreadable_file"):
        _read(tmp_path)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("\ufeffInstellingsnummer", "instellingsnummer"),
        ("  Administratieve_Groep ", "administratieve groep"),
        ("ADMINISTRATIEVE   GROEP", "administratieve groep"),
        (None, ""),
    ],
)
def test_header_key_ignores_case_spaces_bom_and_underscores(raw, key):
    assert header_key(raw) == key


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  3A ", "3A"),
        (12.0, "12"),
        (1.5, "1.5"),
        (dt.datetime(2012, 3, 5), "2012-03-05"),
        ("Noe\u0308lla", "Noëlla"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_source_name_drops_directories(tmp_path):
    assert source_name(tmp_path / "a" / "b.csv") == "b.csv"
    assert source_name(io.BytesIO()) == ""
