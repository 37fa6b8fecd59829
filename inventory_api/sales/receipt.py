"""The printable receipt of a sale: `GET /sales/{id}/receipt` (a PDF, reportlab).

One A5 portrait page per ~30 lines (A5 prints on any office printer, folded
A4 or a receipt tray; a thermal 80 mm roll would need a page as long as the
sale, which reportlab can only guess). The receipt shows:

* the store's name, code and address;
* the sale's number, its date and time in the business's time zone
  (BUSINESS_TIMEZONE, with the zone's abbreviation), the client's name when
  the sale has one, and the status when it is not `completed`;
* one row per line: SKU, name, quantity (with the product's unit unless it
  is `unit`), unit price, discount and line total; the header row is
  repeated on every page;
* subtotal, discount total, total, payment method, paid and balance due,
  then the returned amount and the refund when there were returns.

Text is set in Helvetica (reportlab's built-in font, Latin-1): a character
outside it prints as a blank box. Reading a receipt takes a fixed number of
statements: the sale with its lines, the store, the client and the lines'
products (one query for all of them).
"""

import io
from decimal import Decimal
from xml.sax.saxutils import escape

from flask import Response
from marshmallow import fields, validate
from sqlalchemy import select

from ..clients.models import Client
from ..common import dates
from ..common.schema import Schema
from ..extensions import db
from ..products.models import Product
from ..stores.models import Store

FORMATS = ("pdf",)
STATUS_LABELS = {"partially_returned": "PARTIALLY RETURNED", "returned": "RETURNED",
                 "cancelled": "CANCELLED"}


class ReceiptQuerySchema(Schema):
    format = fields.String(load_default="pdf", validate=validate.OneOf(FORMATS),
                           metadata={"description": "pdf (the default and only format)."})


def document_pdf(blp):
    """Decorator: the OpenAPI document gives the 200 answer as `application/pdf`."""
    return blp.doc(responses={"200": {
        "description": "The receipt as a PDF.",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }})


def receipt_response(sale):
    """The PDF receipt of `sale`, shown inline, named `receipt-<number>.pdf`. Reads only."""
    return Response(receipt_pdf(sale), status=200, content_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="receipt-{sale.number}.pdf"'})


def _quantity(value, unit):
    """`2.125 kg`, `3` (trailing zeros dropped; the unit unless it is `unit`)."""
    text = format(Decimal(value).normalize(), "f")
    return text if unit == "unit" else f"{text} {unit}"


def _money(value):
    return format(Decimal(value), "f")


def _parties(sale):
    """The sale's store, client (or None) and `{product_id: Product}` of its lines."""
    store = db.session.get(Store, sale.store_id)
    client = db.session.get(Client, sale.client_id) if sale.client_id is not None else None
    ids = {line.product_id for line in sale.lines}
    products = {product.id: product for product in
                db.session.scalars(select(Product).where(Product.id.in_(ids)))}
    return store, client, products


def receipt_pdf(sale):
    """The receipt of `sale` as PDF bytes (layout in the module docstring). Reads only."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    store, client, products = _parties(sale)
    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    right = cell.clone("right", alignment=2)
    bold_right = right.clone("bold_right", fontName="Helvetica-Bold")
    normal = styles["Normal"]

    def para(value, style=cell):
        return Paragraph(escape(str(value)), style)

    when = sale.created_at.astimezone(dates.business_zone())
    story = [Paragraph(escape(store.name), styles["Title"]),
             para(f"Store {store.code}", normal)]
    if store.address:
        story.append(para(store.address, normal))
    story += [Spacer(1, 3 * mm), para(f"Receipt {sale.number}", styles["Heading3"]),
              para(f"Date: {when:%Y-%m-%d %H:%M} ({when.tzname()})", normal)]
    if client is not None:
        story.append(para(f"Client: {client.name}", normal))
    if sale.status in STATUS_LABELS:
        story.append(para(f"Status: {STATUS_LABELS[sale.status]}", normal))

    header = [para("SKU"), para("Item"), para("Qty", right), para("Unit price", right),
              para("Discount", right), para("Total", right)]
    rows = [header]
    for line in sale.lines:
        product = products[line.product_id]
        rows.append([para(product.sku), para(product.name),
                     para(_quantity(line.quantity, product.unit), right),
                     para(_money(line.unit_price), right), para(_money(line.discount), right),
                     para(_money(line.line_total), right)])

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A5, title=f"Receipt {sale.number}",
                            author=store.name, leftMargin=10 * mm, rightMargin=10 * mm,
                            topMargin=10 * mm, bottomMargin=14 * mm)
    widths = [0.16, 0.32, 0.13, 0.13, 0.12, 0.14]
    lines_table = Table(rows, repeatRows=1, colWidths=[doc.width * w for w in widths])
    lines_table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
        ("VALIGN", (0, 0), (-1, -1), "TOP")]))

    summary = [("Subtotal", _money(sale.subtotal)), ("Discount", _money(sale.discount_total)),
               ("Total", _money(sale.total)),
               ("Payment method", sale.payment_method.capitalize()),
               ("Paid", _money(sale.paid)), ("Balance due", _money(sale.balance_due))]
    if sale.returned_total:
        summary.append(("Returned", _money(sale.returned_total)))
    if sale.refunded:
        summary.append(("Refunded", _money(sale.refunded)))
    totals_table = Table([[para(label, right), para(value, bold_right)]
                          for label, value in summary],
                         colWidths=[doc.width * 0.75, doc.width * 0.25])
    totals_table.setStyle(TableStyle([("LINEABOVE", (0, 2), (-1, 2), 0.75, colors.black)]))
    story += [Spacer(1, 4 * mm), lines_table, Spacer(1, 3 * mm), totals_table]

    def footer(canvas, page):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(doc.leftMargin, 7 * mm, f"{store.name} - receipt {sale.number}")
        canvas.drawRightString(A5[0] - doc.rightMargin, 7 * mm, f"Page {page.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
