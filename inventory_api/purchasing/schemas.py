"""Purchase order input and output schemas."""

from marshmallow import fields, validate

from ..common.fields import Id, MoneyField, QuantityField
from ..common.inputs import IdArg, Trimmed
from ..common.schema import Schema
from ..stock.schemas import LotCode, MovementSchema
from .models import PO_STATUSES

# --------------------------------------------------------------------------- input


class POLineInSchema(Schema):
    product_id = Id(required=True)
    quantity = QuantityField(required=True, positive=True)
    unit_cost = MoneyField(required=True, minimum=0)


def _lines(**kwargs):
    return fields.List(fields.Nested(POLineInSchema), validate=validate.Length(min=1, max=200),
                       **kwargs)


class POCreateSchema(Schema):
    supplier_id = Id(required=True)
    store_id = Id(required=True)
    expected_date = fields.Date(allow_none=True)
    notes = Trimmed(max_length=2000, blank_as_none=True, multiline=True, allow_none=True)
    lines = _lines(required=True)


class POUpdateSchema(Schema):
    supplier_id = Id()
    store_id = Id()
    expected_date = fields.Date(allow_none=True)
    notes = Trimmed(max_length=2000, blank_as_none=True, multiline=True, allow_none=True)
    lines = _lines(metadata={"description": "Replaces every line."})


class POReceiveLineInSchema(Schema):
    line_id = Id(required=True)
    quantity = QuantityField(required=True, positive=True)
    lot = LotCode(metadata={"description": "Required for lot-tracked products."})
    expiry_date = fields.Date()


class POReceiveSchema(Schema):
    lines = fields.List(fields.Nested(POReceiveLineInSchema), required=True,
                        validate=validate.Length(min=1, max=200))


class POReturnLineInSchema(Schema):
    line_id = Id(required=True)
    quantity = QuantityField(required=True, positive=True)
    lot = LotCode(metadata={"description": "Default: the lots received last go back first."})


class POReturnSchema(Schema):
    lines = fields.List(fields.Nested(POReturnLineInSchema), required=True,
                        validate=validate.Length(min=1, max=200))
    reason = Trimmed(max_length=255, blank_as_none=True)


class POQuerySchema(Schema):
    supplier_id = IdArg()
    store_id = IdArg()
    status = fields.String(validate=validate.OneOf(PO_STATUSES))
    date_from = fields.Date(metadata={"description": "Created on or after."})
    date_to = fields.Date(metadata={"description": "Created on or before."})


class SupplierPOQuerySchema(POQuerySchema):
    class Meta:
        exclude = ("supplier_id",)


# --------------------------------------------------------------------------- output


class POLineSchema(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    quantity = QuantityField()
    unit_cost = MoneyField()
    line_total = MoneyField(metadata={"description": "round(quantity × unit_cost, 2)."})
    received_quantity = QuantityField()
    returned_quantity = QuantityField()
    outstanding_quantity = QuantityField(metadata={"description": "quantity − received."})


class POSchema(Schema):
    id = fields.Integer()
    supplier_id = fields.Integer()
    store_id = fields.Integer()
    status = fields.String()
    expected_date = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)
    total = MoneyField(metadata={"description": "Σ line_total."})
    ordered_at = fields.DateTime(allow_none=True)
    received_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    created_by = fields.Integer(attribute="created_by_id", allow_none=True)
    api_key_id = fields.Integer(attribute="created_by_api_key_id", allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    lines = fields.List(fields.Nested(POLineSchema))


class POReceiptLineSchema(Schema):
    id = fields.Integer()
    line_id = fields.Integer()
    product_id = fields.Integer()
    lot_id = fields.Integer(allow_none=True)
    quantity = QuantityField()
    unit_cost = MoneyField()
    movement_id = fields.Integer()


class POReceiptSchema(Schema):
    id = fields.Integer()
    received_at = fields.DateTime()
    created_by = fields.Integer(attribute="created_by_id", allow_none=True)
    api_key_id = fields.Integer(attribute="created_by_api_key_id", allow_none=True)
    lines = fields.List(fields.Nested(POReceiptLineSchema))


class POReturnLineSchema(POReceiptLineSchema):
    pass


class POReturnRecordSchema(Schema):
    id = fields.Integer()
    purchase_order_id = fields.Integer()
    reason = fields.String(allow_none=True)
    created_by = fields.Integer(attribute="created_by_id", allow_none=True)
    api_key_id = fields.Integer(attribute="created_by_api_key_id", allow_none=True)
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(POReturnLineSchema))


class PODetailSchema(POSchema):
    receipts = fields.List(fields.Nested(POReceiptSchema))
    returns = fields.List(fields.Nested(POReturnRecordSchema))
    movements = fields.List(fields.Nested(MovementSchema))


class POReturnCreatedSchema(POReturnRecordSchema):
    movements = fields.List(fields.Nested(MovementSchema))
    purchase_order = fields.Nested(POSchema)
