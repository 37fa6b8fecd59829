"""Query args every report shares, and the store scope of the caller.

`date_from` / `date_to` are the business's days (common/dates.py), both
included; `store_id` narrows to one store; `format` picks JSON (default),
CSV or, on the reports that offer it, PDF.
"""

from marshmallow import ValidationError, fields, validate, validates_schema
from werkzeug.exceptions import Forbidden

from ..common.inputs import IdArg
from ..common.schema import Schema

FORMATS = ("json", "csv")
FORMATS_WITH_PDF = ("json", "csv", "pdf")


class ReportQuerySchema(Schema):
    """`date_from`, `date_to`, `store_id`, `format` (json or csv)."""

    formats = FORMATS

    date_from = fields.Date(metadata={"description": "From this day on (business time zone)."})
    date_to = fields.Date(metadata={"description": "Up to and including this day."})
    store_id = IdArg(metadata={"description": "Only this store."})
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS),
                           metadata={"description": "json (default) or csv."})

    @validates_schema
    def _period_in_order(self, data, **_):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("Must not be after date_to.", field_name="date_from")


class PdfReportQuerySchema(ReportQuerySchema):
    """The shared args of a report that is also printable: `format` json, csv or pdf."""

    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS_WITH_PDF),
                           metadata={"description": "json (default), csv or pdf."})


class UndatedReportQuerySchema(ReportQuerySchema):
    """For reports of the present state (no period): `store_id` and `format`."""

    class Meta:
        exclude = ("date_from", "date_to")


def store_scope(principal, store_id=None):
    """The stores a report may read: None for every store, else a list of ids.

    A store-scoped manager reads only their stores (another store named in
    `store_id`: 403); `store_id` narrows to that one store.
    """
    if store_id is not None:
        if not principal.may_use_store(store_id):
            raise Forbidden(f"You may not read reports of store {store_id}.")
        return [store_id]
    return list(principal.store_ids) or None


def within_stores(column, stores):
    """SQL conditions limiting `column` to `stores` (from `store_scope`); [] for all."""
    return [] if stores is None else [column.in_(stores)]
