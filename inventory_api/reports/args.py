"""Query args every report shares, and the store scope of the caller.

`date_from` / `date_to` are the business's days (common/dates.py), both
included; `store_id` narrows to one store; `format` picks JSON (default),
CSV or, on the reports that offer it, PDF.
"""

from datetime import date, timedelta

from marshmallow import ValidationError, fields, validate, validates_schema
from werkzeug.exceptions import Forbidden

from ..common import dates
from ..common.inputs import IdArg
from ..common.schema import Schema

FORMATS = ("json", "csv")
FORMATS_WITH_PDF = ("json", "csv", "pdf")
DEFAULT_PERIOD_DAYS = 30
# the days a report may name: day arithmetic (a default period, 90 days back for
# aging) and time zone shifts stay inside Python's calendar, and the day-by-day
# offset lookup of a period (common/dates.py) stays short
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)
MAX_PERIOD_DAYS = 3660


def check_day(value, field_name=None):
    """422 for a day outside FIRST_DAY..LAST_DAY."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(f"Must be between {FIRST_DAY} and {LAST_DAY}.",
                              field_name=field_name)


def period(args):
    """The effective (date_from, date_to) of a period report, both included.

    Missing bounds make a DEFAULT_PERIOD_DAYS-day period: ending today
    (business time) when neither is given, else ending or starting at the
    one given.
    """
    span = timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    date_from, date_to = args.get("date_from"), args.get("date_to")
    if date_to is None:
        date_to = date_from + span if date_from is not None else dates.today()
    if date_from is None:
        date_from = date_to - span
    return date_from, date_to


class ReportQuerySchema(Schema):
    """`date_from`, `date_to`, `store_id`, `format` (json or csv)."""

    formats = FORMATS

    date_from = fields.Date(metadata={"description": "From this day on (business time zone)."})
    date_to = fields.Date(metadata={"description": "Up to and including this day."})
    store_id = IdArg(metadata={"description": "Only this store."})
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS),
                           metadata={"description": "json (default) or csv."})

    @validates_schema
    def _period_in_bounds(self, data, **_):
        for name in ("date_from", "date_to"):
            if data.get(name) is not None:
                check_day(data[name], name)
        if data.get("date_from") and data.get("date_to"):
            if data["date_from"] > data["date_to"]:
                raise ValidationError("Must not be after date_to.", field_name="date_from")
            if (data["date_to"] - data["date_from"]).days >= MAX_PERIOD_DAYS:
                raise ValidationError(f"A period is at most {MAX_PERIOD_DAYS} days.",
                                      field_name="date_to")


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
