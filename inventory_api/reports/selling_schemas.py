"""Query args and bodies of the selling reports (dashboard, sales, top products)."""

from marshmallow import fields, validate

from ..common.fields import MoneyField, QuantityField, QueryInt
from ..common.schema import Schema
from ..orders.models import STATUSES as ORDER_STATUSES
from .args import PdfReportQuerySchema, ReportQuerySchema

GROUP_BY = ("day", "week", "month", "product", "category", "store", "employee")
RANK_BY = ("amount", "quantity")
# --------------------------------------------------------------------------- query args


class SalesQuerySchema(PdfReportQuerySchema):
    group_by = fields.String(load_default="day", validate=validate.OneOf(GROUP_BY), metadata={
        "description": "The rows' key (default day)."})


class TopProductsQuerySchema(ReportQuerySchema):
    by = fields.String(load_default="amount", validate=validate.OneOf(RANK_BY), metadata={
        "description": "Rank by net amount (default) or net quantity."})
    limit = QueryInt(load_default=10, validate=validate.Range(min=1, max=100), metadata={
        "description": "How many products (1–100, default 10)."})


# --------------------------------------------------------------------------- bodies


class SalesFiguresSchema(Schema):
    """The figures of a group of sales (and of all of them, as `totals`)."""

    sales_count = fields.Integer(metadata={"description": "Sales, each counted once."})
    quantity = QuantityField(metadata={
        "description": "Net of returns; only when grouped by product or category."})
    subtotal = MoneyField(metadata={"description": "Σ quantity × unit price, as sold."})
    discount_total = MoneyField()
    returned_total = MoneyField(metadata={"description": "Value of what came back."})
    total = MoneyField(metadata={
        "description": "Net of returns: subtotal − discount_total − returned_total."})


class SalesRowSchema(SalesFiguresSchema):
    """One group; only the key fields of the chosen `group_by` are present."""

    date = fields.Date(metadata={"description": "group_by=day"})
    week_start = fields.Date(metadata={"description": "group_by=week: its Monday"})
    month = fields.String(metadata={"description": "group_by=month: YYYY-MM",
                                    "pattern": r"^[0-9]{4}-[0-9]{2}$"})
    product_id = fields.Integer()
    sku = fields.String()
    category_id = fields.Integer(allow_none=True, metadata={
        "description": "null: products without a category"})
    store_id = fields.Integer()
    user_id = fields.Integer(allow_none=True, metadata={
        "description": "Who sold; null for sales made with an API key"})
    name = fields.String(allow_none=True, metadata={
        "description": "The product's, category's, store's or user's name"})
    email = fields.String(allow_none=True)


class SalesReportSchema(Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    store_id = fields.Integer(allow_none=True)
    group_by = fields.String()
    rows = fields.List(fields.Nested(SalesRowSchema))
    totals = fields.Nested(SalesFiguresSchema)


class RankedProductSchema(Schema):
    rank = fields.Integer()
    product_id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    quantity = QuantityField(metadata={"description": "Net of returns."})
    amount = MoneyField(metadata={"description": "Net of returns."})


class TopProductsReportSchema(Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    store_id = fields.Integer(allow_none=True)
    by = fields.String()
    limit = fields.Integer()
    rows = fields.List(fields.Nested(RankedProductSchema))


class DaySalesSchema(Schema):
    date = fields.Date()
    sales_count = fields.Integer()
    sales_amount = MoneyField(metadata={"description": "Net of returns."})


class MonthSalesSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="from", metadata={
        "description": "The month's first day; the figures run up to today."})
    sales_count = fields.Integer()
    sales_amount = MoneyField(metadata={"description": "Net of returns."})


class DashboardSchema(Schema):
    store_id = fields.Integer(allow_none=True)
    today = fields.Nested(DaySalesSchema)
    month = fields.Nested(MonthSalesSchema)
    orders_by_status = fields.Dict(
        keys=fields.String(validate=validate.OneOf(ORDER_STATUSES)), values=fields.Integer(),
        metadata={"description": "Every order by its current status; each status present."})
    open_debt_total = MoneyField()
    low_stock_count = fields.Integer(metadata={
        "description": "The (product, store) rows /alerts/low-stock lists."})
    stock_value = MoneyField(metadata={"description": "Σ on hand × current cost."})
    top_products = fields.List(fields.Nested(RankedProductSchema), metadata={
        "description": "This month's five best by net amount."})
