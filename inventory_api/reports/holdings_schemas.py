"""Query args and answers of the holdings reports (valuation, turnover, debtors, forecast).

Money and quantities are decimal strings; turnover, rates and trend change
are JSON numbers rounded to 4 places, day counts to 2.
"""

from marshmallow import ValidationError, fields, validate, validates

from ..common import dates
from ..common.fields import MoneyField, QuantityField, QueryInt
from ..common.inputs import IdArg
from ..common.schema import Schema
from .args import FORMATS_WITH_PDF, ReportQuerySchema, UndatedReportQuerySchema, check_day
from .debtors import BUCKETS
from .forecast import DEFAULT_WINDOW_DAYS

PDF_FORMAT = {"load_default": "json", "validate": validate.OneOf(FORMATS_WITH_PDF),
              "metadata": {"description": "json (default), csv or pdf."}}


# --------------------------------------------------------------------------- query args


class TurnoverQuerySchema(ReportQuerySchema):
    """The period args (`date_from`, `date_to`), `store_id`, `format` json or csv."""


class ValuationQuerySchema(UndatedReportQuerySchema):
    """`store_id`, `category_id` (with its subcategories), `format` json, csv or pdf."""

    format = fields.String(**PDF_FORMAT)
    category_id = IdArg(metadata={"description": "Only this category and its subcategories."})


class DebtorsQuerySchema(UndatedReportQuerySchema):
    """`as_of` (default today), `store_id`, `format` json, csv or pdf."""

    format = fields.String(**PDF_FORMAT)
    as_of = fields.Date(metadata={
        "description": "Balances as they stood at the end of this day (business time "
                       "zone); default today. Not after today."})

    @validates("as_of")
    def _not_in_future(self, value, **_):
        check_day(value)
        if value > dates.today():
            raise ValidationError("Must not be after today.")


class ForecastQuerySchema(UndatedReportQuerySchema):
    """`window_days`, `cover_days`, `store_id`, `product_id`, `format` json or csv."""

    window_days = QueryInt(load_default=DEFAULT_WINDOW_DAYS, validate=validate.Range(7, 365),
                           metadata={"description": "Days of demand ending today, 7-365 "
                                                    f"(default {DEFAULT_WINDOW_DAYS})."})
    cover_days = QueryInt(validate=validate.Range(1, 365), metadata={
        "description": "Days of demand a reorder should cover beyond the lead time, 1-365 "
                       "(default window_days)."})
    product_id = IdArg(metadata={"description": "Only this product."})


# --------------------------------------------------------------------------- answers


class ValuationRowSchema(Schema):
    product_id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    store_id = fields.Integer()
    store_name = fields.String()
    quantity = QuantityField(metadata={"description": "On hand (reserved units included)."})
    unit_cost = MoneyField(metadata={"description": "The product's moving-average cost."})
    value = MoneyField(metadata={"description": "quantity × unit_cost, to the cent."})


class ValuationTotalsSchema(Schema):
    quantity = QuantityField()
    value = MoneyField()


class ValuationSchema(Schema):
    store_id = fields.Integer(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    rows = fields.List(fields.Nested(ValuationRowSchema))
    totals = fields.Nested(ValuationTotalsSchema)


class TurnoverRowSchema(Schema):
    product_id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    units_sold = QuantityField(metadata={
        "description": "Sales and order movements net of their returns in the period."})
    opening_stock = QuantityField(metadata={"description": "On hand as the period began."})
    closing_stock = QuantityField(metadata={"description": "On hand as the period ended."})
    average_stock = QuantityField(metadata={"description": "Mean of opening and closing."})
    turnover = fields.Float(allow_none=True, metadata={
        "description": "units_sold ÷ average_stock; null when the average is 0."})
    days_of_cover = fields.Float(allow_none=True, metadata={
        "description": "closing_stock ÷ daily units sold; null when nothing was sold."})


class TurnoverSchema(Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    store_id = fields.Integer(allow_none=True)
    rows = fields.List(fields.Nested(TurnoverRowSchema))


BucketsSchema = Schema.from_dict({key: MoneyField() for key, _ in BUCKETS},
                                 name="DebtorBucketsSchema")


class DebtorRowSchema(Schema):
    client_id = fields.Integer()
    name = fields.String()
    balance = MoneyField()
    buckets = fields.Nested(BucketsSchema, metadata={
        "description": "Open balance by days since the debt arose: 0-30, 31-60, 61-90, "
                       "90+ (91 and more)."})


class DebtorTotalsSchema(Schema):
    balance = MoneyField()
    buckets = fields.Nested(BucketsSchema)


class DebtorsSchema(Schema):
    as_of = fields.Date()
    store_id = fields.Integer(allow_none=True)
    rows = fields.List(fields.Nested(DebtorRowSchema))
    totals = fields.Nested(DebtorTotalsSchema)


class ForecastRowSchema(Schema):
    product_id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    store_id = fields.Integer()
    store_name = fields.String()
    demand = QuantityField(metadata={"description": "Units taken in the window, net of returns."})
    avg_daily_demand = fields.Float()
    trend = fields.String(metadata={"enum": ["rising", "falling", "flat"]})
    trend_change = fields.Float(allow_none=True, metadata={
        "description": "Daily demand of the window's second half ÷ its first − 1."})
    available = QuantityField()
    on_order = QuantityField(metadata={"description": "Still due on open purchase orders."})
    days_until_stockout = fields.Float(allow_none=True)
    lead_time_days = fields.Integer(metadata={
        "description": "The preferred supplier's lead time (0 when unknown)."})
    suggested_reorder_date = fields.Date(allow_none=True)
    suggested_quantity = QuantityField()


class ForecastSchema(Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    window_days = fields.Integer()
    cover_days = fields.Integer()
    store_id = fields.Integer(allow_none=True)
    product_id = fields.Integer(allow_none=True)
    rows = fields.List(fields.Nested(ForecastRowSchema))
