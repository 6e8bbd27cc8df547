"""Each format opened back: columns in order, Unicode intact, typed money and Paris times,
formulas neutralised. Writers fed a generator (they must not need a list)."""

import datetime as dt
import io

from passculture.exports.formats import csv_chunks, guard, write_csv, write_ods, write_xlsx
from passculture.exports.registry import Column
from tests.exports.factories import ods_cells, read_csv, read_ods, read_xlsx

COLUMNS = [
    Column("name", "Nom"),
    Column("venue", "Lieu"),
    Column("amount", "Prix", "money"),
    Column("at", "Date", "datetime"),
    Column("seats", "Places", "int"),
    Column("rate", "Remplissage", "percent"),
]
# 19:30 UTC on 14 January = 20:30 in Paris; 18:00 UTC on 1 July = 20:00 in Paris (summer).
ROWS = [
    {"name": "Zoé Lefèvre-Nguyễn", "venue": "Théâtre de l'Échangeur", "amount": 1250,
     "at": dt.datetime(2027, 1, 14, 19, 30, tzinfo=dt.UTC), "seats": 2, "rate": 0.25},
    {"name": "=HYPERLINK(\"http://x\")", "venue": "+33 6", "amount": 0,
     "at": dt.datetime(2027, 7, 1, 18, 0, tzinfo=dt.UTC), "seats": 1, "rate": None},
    {"name": "@SUM(A1)", "venue": "-2", "amount": None, "at": None, "seats": None},
]  # fmt: skip


def _write(writer) -> bytes:
    out = io.BytesIO()
    writer(COLUMNS, (row for row in ROWS), out)
    return out.getvalue()


def test_guard_prefixes_formula_starters_only():
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert guard(text) == "'" + text
    assert guard("Zoé") == "Zoé"
    assert guard("a=b") == "a=b"
    assert guard("") == ""


def test_xlsx_round_trip():
    import openpyxl

    data = _write(write_xlsx)
    assert read_xlsx(data) == [
        ["Nom", "Lieu", "Prix", "Date", "Places", "Remplissage"],
        ["Zoé Lefèvre-Nguyễn", "Théâtre de l'Échangeur", 12.5, dt.datetime(2027, 1, 14, 20, 30), 2, 0.25],
        ["=HYPERLINK(\"http://x\")", "+33 6", 0, dt.datetime(2027, 7, 1, 20, 0), 1, None],
        ["@SUM(A1)", "-2", None, None, None, None],
    ]  # fmt: skip
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    # Text that looks like a formula is a string cell, never a formula.
    assert sheet["A3"].data_type == "s"
    assert sheet["C2"].number_format == '#,##0.00\\ "€"'
    assert sheet["D2"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet["F2"].number_format == "0.0%"
    assert sheet["A1"].font.b is True


def test_csv_round_trip_bom_semicolon_guard():
    data = _write(write_csv)
    assert data.startswith(b"\xef\xbb\xbfNom;Lieu;Prix;")
    assert read_csv(data) == [
        ["Nom", "Lieu", "Prix", "Date", "Places", "Remplissage"],
        ["Zoé Lefèvre-Nguyễn", "Théâtre de l'Échangeur", "12,50", "14/01/2027 20:30", "2", "25,0 %"],
        ["'=HYPERLINK(\"http://x\")", "'+33 6", "0,00", "01/07/2027 20:00", "1", ""],
        ["'@SUM(A1)", "'-2", "", "", "", ""],
    ]  # fmt: skip


def test_csv_streams_in_chunks():
    rows = ({"name": f"Zoé {i}"} for i in range(1200))
    chunks = list(csv_chunks([Column("name", "Nom")], rows))
    # header, then a chunk every 500 rows, then the rest: never one big string.
    assert len(chunks) == 4
    assert b"".join(chunks).decode("utf-8-sig").count("\r\n") == 1201


def test_ods_round_trip_typed_cells():
    data = _write(write_ods)
    assert read_ods(data) == [
        ["Nom", "Lieu", "Prix", "Date", "Places", "Remplissage"],
        ["Zoé Lefèvre-Nguyễn", "Théâtre de l'Échangeur", "12,50 €", "14/01/2027 20:30", "2", "25,0 %"],
        ["=HYPERLINK(\"http://x\")", "+33 6", "0,00 €", "01/07/2027 20:00", "1", ""],
        ["@SUM(A1)", "-2", "", "", "", ""],
    ]  # fmt: skip
    first = ods_cells(data)[1]
    assert first[0][1] == "string"
    assert first[2] == ("12,50 €", "currency", "12.5")
    assert first[3] == ("14/01/2027 20:30", "date", "2027-01-14T20:30:00")
    assert first[4] == ("2", "float", "2")
    assert first[5] == ("25,0 %", "percentage", "0.25")
    with __import__("zipfile").ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist()[0] == "mimetype"
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"


def test_control_characters_do_not_break_xml_formats():
    rows = [{"name": "Zoé\x0bNguyễn\x00"}]
    out = io.BytesIO()
    write_ods([Column("name", "Nom")], iter(rows), out)
    assert read_ods(out.getvalue())[1] == ["ZoéNguyễn"]
