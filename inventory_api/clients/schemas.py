from marshmallow import fields

from ..common.fields import MoneyField, QuantityField, StrictInt
from ..common.inputs import Email, Trimmed
from ..common.pagination import sort_field
from ..common.schema import Schema
from .insights import SEGMENTS


class ClientSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    tax_id = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    credit_limit = MoneyField(metadata={"description": "0 = no credit."})
    payment_terms_days = fields.Integer()
    notes = fields.String(allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class ClientUpdateSchema(Schema):
    name = Trimmed(max_length=160)
    email = Email(allow_none=True, metadata={"description": "Stored lower-case; unique."})
    phone = Trimmed(max_length=40, blank_as_none=True)
    tax_id = Trimmed(max_length=40, blank_as_none=True)
    address = Trimmed(max_length=255, blank_as_none=True, multiline=True)
    credit_limit = MoneyField(minimum=0)
    payment_terms_days = StrictInt(minimum=0, maximum=3650)
    notes = Trimmed(max_length=5000, blank_as_none=True, multiline=True)


class ClientCreateSchema(ClientUpdateSchema):
    name = Trimmed(required=True, max_length=160)


class ClientQuerySchema(Schema):
    q = Trimmed(
        max_length=100,
        blank_as_none=True,
        metadata={"description": "Name, email, phone or tax id contains."}
    )
    frequent = fields.Boolean(
        metadata={"description": "Bought at least 3 times in the last 90 days (needs sales)."}
    )
    has_debt = fields.Boolean(metadata={"description": "Has an open debt (needs debts)."})
    sort = sort_field({"id", "name", "total_spent", "last_purchase_at"}, "name")


class TopProductSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    quantity = QuantityField(metadata={"description": "Units bought, net of returns."})
    amount = MoneyField(metadata={"description": "Spent on it, net of returns."})


class RfmSchema(Schema):
    recency_days = fields.Integer(allow_none=True, metadata={
        "description": "Business days since the latest purchase (null: never bought)."})
    frequency = fields.Integer(metadata={"description": "Purchases in the last 365 days."})
    monetary = MoneyField(metadata={
        "description": "Spent in the last 365 days, net of returns."})


class ClientInsightsSchema(Schema):
    client_id = fields.Integer()
    purchases_count = fields.Integer(metadata={
        "description": "Sales to the client that were not cancelled."})
    total_spent = MoneyField(metadata={"description": "Σ (total − returned_total)."})
    avg_ticket = MoneyField(allow_none=True, metadata={
        "description": "total_spent / purchases_count (null without purchases)."})
    first_purchase_at = fields.DateTime(allow_none=True)
    last_purchase_at = fields.DateTime(allow_none=True)
    avg_days_between_purchases = fields.Float(allow_none=True, metadata={
        "description": "(last − first) / (purchases_count − 1) in days, 2 places; "
                       "null with fewer than 2 purchases."})
    top_products = fields.List(fields.Nested(TopProductSchema), metadata={
        "description": "The 5 products with the highest net amount."})
    segment = fields.String(metadata={
        "enum": list(SEGMENTS),
        "description": "RFM segment: the first rule that holds of new (no purchase), lost "
                       "(recency > 180), at_risk (recency > 90), champion (frequency ≥ 10 "
                       "and monetary ≥ 1000.00), loyal (frequency ≥ 3), else new."})
    rfm = fields.Nested(RfmSchema)
