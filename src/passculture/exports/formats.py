"""The three file formats: xlsx, csv, ods. Each writer streams an iterator of rows.

A writer takes the chosen columns (in the pro's order), an iterator of rows (mappings
keyed by column key) and a binary file; it never holds all rows in memory:
- xlsx: xlsxwriter in constant_memory mode (rows flushed to a temp file as written);
- csv: rows written as they come;
- ods: written by hand as a zip whose content.xml is streamed row by row (odfpy builds the
  whole document tree in memory, which would defeat the point for 200,000 rows).
Text is always written as text (never a formula); Unicode is kept as is.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

import xlsxwriter

from passculture.exports.registry import Column, Row

PARIS = ZoneInfo("Europe/Paris")
# Stored in Excel's locale-independent syntax; shown "1 234,50 €" by a French Excel.
XLSX_MONEY_FORMAT = '#,##0.00\\ "€"'
XLSX_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
XLSX_DATE_FORMAT = "dd/mm/yyyy"
XLSX_PERCENT_FORMAT = "0.0%"
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 forbids: dropped so a stray control character cannot break the file.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def paris(value: dt.datetime) -> dt.datetime:
    """Aware → naive Paris wall-clock time (what spreadsheets store)."""
    if value.tzinfo is not None:
        value = value.astimezone(PARIS)
    return value.replace(tzinfo=None)


def money_text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100},{cents % 100:02d}"


def pct_text(ratio: float) -> str:
    return f"{ratio * 100:.1f}".replace(".", ",") + " %"


def guard(text: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# --- csv --------------------------------------------------------------------------------


def _csv_cell(kind: str) -> Callable[[Any], str]:
    def money(v: Any) -> str:
        return "" if v is None else money_text(int(v))

    def datetime(v: Any) -> str:
        return "" if v is None else paris(v).strftime("%d/%m/%Y %H:%M")

    def date(v: Any) -> str:
        return "" if v is None else v.strftime("%d/%m/%Y")

    def percent(v: Any) -> str:
        return "" if v is None else pct_text(v)

    def integer(v: Any) -> str:
        return "" if v is None else str(int(v))

    def text(v: Any) -> str:
        return guard(_text(v))

    return {
        "money": money,
        "datetime": datetime,
        "date": date,
        "percent": percent,
        "int": integer,
    }.get(kind, text)


def csv_chunks(columns: Sequence[Column], rows: Iterable[Row]) -> Iterator[bytes]:
    """The CSV file as byte chunks (for a streaming response or a file)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    keys = [c.key for c in columns]
    cells = [_csv_cell(c.kind) for c in columns]
    writer.writerow([guard(c.label) for c in columns])
    yield b"\xef\xbb\xbf" + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, 1):
        writer.writerow([cell(row.get(key)) for key, cell in zip(keys, cells, strict=True)])
        if n % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_csv(columns: Sequence[Column], rows: Iterable[Row], out: IO[bytes]) -> None:
    for chunk in csv_chunks(columns, rows):
        out.write(chunk)


# --- xlsx -------------------------------------------------------------------------------

_WIDTHS = {"text": 24, "int": 10, "money": 12, "percent": 10, "datetime": 17, "date": 12}


def write_xlsx(columns: Sequence[Column], rows: Iterable[Row], out: IO[bytes]) -> None:
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            # Text stays text: no formula, number or URL guessed from a name or a comment.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet("Export")
    header = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": XLSX_MONEY_FORMAT})
    stamp = workbook.add_format({"num_format": XLSX_DATETIME_FORMAT})
    day = workbook.add_format({"num_format": XLSX_DATE_FORMAT})
    pct = workbook.add_format({"num_format": XLSX_PERCENT_FORMAT})
    for i, column in enumerate(columns):
        width = max(_WIDTHS[column.kind], min(len(column.label) + 2, 40))
        sheet.set_column(i, i, width)
        sheet.write_string(0, i, column.label, header)
    sheet.freeze_panes(1, 0)

    write_string, write_number = sheet.write_string, sheet.write_number
    write_datetime = sheet.write_datetime
    # One small closure per column, chosen once: the per-cell cost stays a call and a test.
    writers: list[Callable[[int, int, Any], Any]] = []
    for column in columns:
        if column.kind == "money":
            writers.append(lambda r, c, v: write_number(r, c, v / 100, money))
        elif column.kind == "int":
            writers.append(lambda r, c, v: write_number(r, c, v))
        elif column.kind == "percent":
            writers.append(lambda r, c, v: write_number(r, c, v, pct))
        elif column.kind == "datetime":
            writers.append(lambda r, c, v: write_datetime(r, c, paris(v), stamp))
        elif column.kind == "date":
            writers.append(lambda r, c, v: write_datetime(r, c, v, day))
        else:
            writers.append(lambda r, c, v: write_string(r, c, str(v)))
    plan = [(i, c.key, w) for i, (c, w) in enumerate(zip(columns, writers, strict=True))]
    for r, row in enumerate(rows, 1):
        for c, key, write in plan:
            value = row.get(key)
            if value is not None and value != "":
                write(r, c, value)
    workbook.close()


# --- ods --------------------------------------------------------------------------------

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"'
)
_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
    f'manifest:media-type="{_ODS_MIME}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_STYLES = (
    '<office:automatic-styles><number:currency-style style:name="N_EUR">'
    '<number:number number:decimal-places="2" number:min-integer-digits="1" '
    'number:grouping="true"/><number:text> </number:text>'
    '<number:currency-symbol number:language="fr" number:country="FR">€</number:currency-symbol>'
    "</number:currency-style>"
    '<number:date-style style:name="N_DT"><number:day number:style="long"/>'
    '<number:text>/</number:text><number:month number:style="long"/>'
    '<number:text>/</number:text><number:year number:style="long"/><number:text> </number:text>'
    '<number:hours number:style="long"/><number:text>:</number:text>'
    '<number:minutes number:style="long"/></number:date-style>'
    '<number:percentage-style style:name="N_PCT"><number:number number:decimal-places="1" '
    'number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>'
    '<style:style style:name="ce_eur" style:family="table-cell" style:data-style-name="N_EUR"/>'
    '<style:style style:name="ce_dt" style:family="table-cell" style:data-style-name="N_DT"/>'
    '<style:style style:name="ce_pct" style:family="table-cell" style:data-style-name="N_PCT"/>'
    '<style:style style:name="ce_head" style:family="table-cell">'
    '<style:text-properties fo:font-weight="bold"/></style:style>'
    "</office:automatic-styles>"
)


def _xml(text: str) -> str:
    return escape(_XML_INVALID.sub("", text))


def _ods_string(value: Any, style: str = "") -> str:
    text = _xml(_text(value))
    attr = f' table:style-name="{style}"' if style else ""
    return (
        f'<table:table-cell{attr} office:value-type="string">'
        f"<text:p>{text}</text:p></table:table-cell>"
    )


def _ods_cell(kind: str) -> Callable[[Any], str]:
    def money(v: Any) -> str:
        return (
            '<table:table-cell table:style-name="ce_eur" office:value-type="currency" '
            f'office:currency="EUR" office:value="{v / 100}">'
            f"<text:p>{money_text(int(v))} €</text:p></table:table-cell>"
        )

    def datetime(v: Any) -> str:
        local = paris(v)
        return (
            '<table:table-cell table:style-name="ce_dt" office:value-type="date" '
            f'office:date-value="{local.isoformat(timespec="seconds")}">'
            f"<text:p>{local:%d/%m/%Y %H:%M}</text:p></table:table-cell>"
        )

    def date(v: Any) -> str:
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{v.isoformat()}">'
            f"<text:p>{v:%d/%m/%Y}</text:p></table:table-cell>"
        )

    def percent(v: Any) -> str:
        return (
            '<table:table-cell table:style-name="ce_pct" office:value-type="percentage" '
            f'office:value="{v}"><text:p>{pct_text(v)}</text:p></table:table-cell>'
        )

    def integer(v: Any) -> str:
        return (
            f'<table:table-cell office:value-type="float" office:value="{int(v)}">'
            f"<text:p>{int(v)}</text:p></table:table-cell>"
        )

    return {
        "money": money,
        "datetime": datetime,
        "date": date,
        "percent": percent,
        "int": integer,
    }.get(kind, _ods_string)


def write_ods(columns: Sequence[Column], rows: Iterable[Row], out: IO[bytes]) -> None:
    keys = [c.key for c in columns]
    cells = [_ods_cell(c.kind) for c in columns]
    empty = "<table:table-cell/>"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # The mimetype entry must come first and be stored uncompressed (ODF spec §3.3).
        archive.writestr(zipfile.ZipInfo("mimetype"), _ODS_MIME, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        with archive.open("content.xml", "w", force_zip64=True) as raw:
            content = io.TextIOWrapper(raw, encoding="utf-8", write_through=False)
            content.write(
                f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS} '
                f'office:version="1.2">{_STYLES}<office:body><office:spreadsheet>'
                f"<table:table table:name={quoteattr('Export')}>"
            )
            for _ in columns:
                content.write("<table:table-column/>")
            head = "".join(_ods_string(c.label, "ce_head") for c in columns)
            content.write(f"<table:table-row>{head}</table:table-row>")
            for row in rows:
                parts = ["<table:table-row>"]
                for key, cell in zip(keys, cells, strict=True):
                    value = row.get(key)
                    parts.append(empty if value is None or value == "" else cell(value))
                parts.append("</table:table-row>")
                content.write("".join(parts))
            content.write(
                "</table:table></office:spreadsheet></office:body></office:document-content>"
            )
            content.flush()
            content.detach()


# --- registry of formats ----------------------------------------------------------------

Writer = Callable[[Sequence[Column], Iterable[Row], IO[bytes]], None]
FORMATS: dict[str, tuple[str, Writer, str]] = {
    # key: (label, writer, content type)
    "xlsx": (
        "Excel (.xlsx)",
        write_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": ("CSV (.csv, séparateur point-virgule)", write_csv, "text/csv; charset=utf-8"),
    "ods": ("OpenDocument (.ods)", write_ods, _ODS_MIME),
}
