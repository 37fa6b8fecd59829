from marshmallow import fields, validate

from ..common.fields import Id, MoneyField, QuantityField
from ..common.inputs import IdArg, Trimmed
from ..common.schema import Schema
from .models import STATUSES


def Note(**kwargs):  # noqa: N802 - field factory
    return Trimmed(max_length=200, blank_as_none=True, multiline=True, **kwargs)


class OrderLineInSchema(Schema):
    product_id = Id(required=True)
    quantity = QuantityField(required=True, positive=True)


class OrderCreateSchema(Schema):
    client_id = Id(metadata={"description": "Staff: required. Customers: their own client "
                                            "(omit it; another client is 403)."})
    store_id = Id(metadata={"description": "Default: the configured default order store "
                                           "(DEFAULT_ORDER_STORE_ID), else the active store "
                                           "with the lowest id."})
    lines = fields.List(fields.Nested(OrderLineInSchema), required=True,
                        validate=validate.Length(min=1, max=200))
    notes = Trimmed(max_length=2000, blank_as_none=True, multiline=True)


class OrderConfirmSchema(Schema):
    amount_paid = MoneyField(minimum=0, metadata={
        "description": "Paid now (default 0, at most the total); the rest of the total "
                       "becomes the client's debt."})
    note = Note()


class OrderTransitionSchema(Schema):
    note = Note(metadata={"description": "Kept in the status history."})


class OrderLineSchema(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    quantity = QuantityField()
    unit_price = MoneyField(metadata={"description": "The product's price when ordered."})
    line_total = MoneyField(metadata={"description": "quantity × unit_price, 2 places."})


class OrderReservationSchema(Schema):
    product_id = fields.Integer()
    store_id = fields.Integer()
    lot_id = fields.Integer(allow_none=True)
    quantity = QuantityField()


class StatusChangeSchema(Schema):
    from_status = fields.String(allow_none=True,
                                metadata={"description": "null for the order's creation."})
    to_status = fields.String()
    user_id = fields.Integer(allow_none=True,
                             metadata={"description": "null for the expiry command."})
    api_key_id = fields.Integer(allow_none=True)
    at = fields.DateTime()
    note = fields.String(allow_none=True)


class OrderSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    store_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(STATUSES))
    total = MoneyField(metadata={"description": "Σ line_total."})
    paid = MoneyField(metadata={"description": "Paid at confirmation; the rest of the "
                                               "total became a debt."})
    notes = fields.String(allow_none=True)
    created_by = fields.Integer(attribute="created_by_id", allow_none=True)
    api_key_id = fields.Integer(attribute="created_by_api_key_id", allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    lines = fields.List(fields.Nested(OrderLineSchema))


class OrderDetailSchema(OrderSchema):
    reservations = fields.List(fields.Nested(OrderReservationSchema), metadata={
        "description": "The stock held for the lines (per lot): live while pending."})
    status_history = fields.List(fields.Nested(StatusChangeSchema))


class OrderQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    client_id = IdArg(metadata={"description": "Customers: ignored (always their own)."})
    store_id = IdArg()
    date_from = fields.Date(metadata={"description": "Created on or after (UTC day)."})
    date_to = fields.Date(metadata={"description": "Created on or before (UTC day)."})
