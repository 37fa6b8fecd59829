"""One report, three renderings: JSON (the default), CSV and PDF.

A report function returns a `Report`: its JSON body (dumped by the route's
schema) and the same figures as a table (`columns`, `rows`, `totals`) with a
title and the filters used. `render(report, format)` answers with the body,
or with a download:

* CSV: `text/csv; charset=utf-8`, a header row of the column keys, one line
  per row, decimals written as in JSON ("12.50"), empty cells for nulls; a
  text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`
  first) is prefixed with `'`. Totals are not a CSV line (every line is a
  row of the same kind); they are in the JSON and PDF renderings.
* PDF (reportlab): the title, the filters, the table (headers repeated on
  every page, long text wrapped), a totals line, and the time it was made
  in the business's time zone with page numbers at the foot of every page.

Both carry `Content-Disposition: attachment; filename="<name>-<date>.<ext>"`.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from flask import Response

from ..common import dates

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MIME = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


@dataclass
class Column:
    key: str
    label: str
    numeric: bool = False  # right-aligned in the PDF; never formula-guarded in CSV


@dataclass
class Report:
    name: str  # the file name's stem, e.g. "sales-by-day"
    title: str
    columns: list
    rows: list  # dicts keyed by column key
    body: dict  # the JSON answer
    totals: dict | None = None  # keyed by column key; the first column holds "Total"
    filters: dict = field(default_factory=dict)  # shown under the title of the PDF


def render(report, fmt):
    """The route's answer: the JSON body, or a CSV / PDF download of the table."""
    if fmt == "csv":
        return _download(report, "csv", _csv_bytes(report))
    if fmt == "pdf":
        return _download(report, "pdf", _pdf_bytes(report))
    return report.body


def document_formats(blp, pdf=False):
    """Decorator: the OpenAPI document lists the CSV (and PDF) answers beside JSON."""
    content = {"text/csv": {"schema": {"type": "string"}}}
    if pdf:
        content["application/pdf"] = {"schema": {"type": "string", "format": "binary"}}
    return blp.doc(responses={200: {"content": content}})


def text(value):
    """A cell as text, written the way the JSON answer writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _download(report, extension, payload):
    filename = f"{report.name}-{dates.today().isoformat()}.{extension}"
    return Response(payload, status=200, mimetype=None, content_type=MIME[extension],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _csv_cell(column, value):
    cell = text(value)
    if not column.numeric and isinstance(value, str) and cell.startswith(FORMULA_PREFIXES):
        cell = "'" + cell
    return cell


def _csv_bytes(report):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.key for column in report.columns])
    for row in report.rows:
        writer.writerow([_csv_cell(column, row.get(column.key)) for column in report.columns])
    return out.getvalue().encode("utf-8")


def _filters_line(filters):
    shown = [f"{name}: {text(value)}" for name, value in filters.items() if value is not None]
    return "; ".join(shown) if shown else "no filters"


def _pdf_bytes(report):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    cell, right = styles["BodyText"].clone("cell"), styles["BodyText"].clone("right")
    cell.fontSize = right.fontSize = 8
    cell.leading = right.leading = 10
    right.alignment = 2
    bold = cell.clone("bold", fontName="Helvetica-Bold")
    bold_right = right.clone("bold_right", fontName="Helvetica-Bold")

    def paragraph(column, value, strong=False):
        style = (bold_right if strong else right) if column.numeric else (bold if strong else cell)
        return Paragraph(escape(text(value)), style)

    header = [Paragraph(escape(column.label), bold if not column.numeric else bold_right)
              for column in report.columns]
    body = [[paragraph(column, row.get(column.key)) for column in report.columns]
            for row in report.rows]
    table_rows = [header, *body]
    if report.totals is not None:
        totals = dict(report.totals)
        totals.setdefault(report.columns[0].key, "Total")
        table_rows.append([paragraph(column, totals.get(column.key), strong=True)
                           for column in report.columns])
    if not body:
        table_rows.insert(1, [Paragraph("No rows for these filters.", cell)]
                          + [""] * (len(report.columns) - 1))

    page = landscape(A4) if len(report.columns) > 6 else A4
    generated = dates.now().astimezone(dates.business_zone())
    stamp = f"Generated {generated:%Y-%m-%d %H:%M} ({generated.tzname()})"

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(15 * mm, 8 * mm, f"{report.title} - {stamp}")
        canvas.drawRightString(page[0] - 15 * mm, 8 * mm, f"Page {doc.page}")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=page, title=report.title, author="Inventory API",
                            leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=18 * mm)
    table = Table(table_rows, repeatRows=1, colWidths=[doc.width / len(report.columns)]
                  * len(report.columns))
    style = [("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
             ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if report.totals is not None:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 1, colors.black))
    table.setStyle(TableStyle(style))
    story = [Paragraph(escape(report.title), styles["Title"]),
             Paragraph(escape("Filters: " + _filters_line(report.filters)), styles["Normal"]),
             Paragraph(escape(stamp), styles["Normal"]),
             Spacer(1, 4 * mm), table]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
