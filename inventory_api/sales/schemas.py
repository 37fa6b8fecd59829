from marshmallow import fields, validate

from ..common.fields import Id, MoneyField, QuantityField
from ..common.inputs import IdArg, Trimmed
from ..common.schema import Schema
from ..stock.schemas import MovementSchema
from .models import PAYMENT_METHODS, SALE_STATUSES

# --------------------------------------------------------------------------- input


class SaleLineInSchema(Schema):
    product_id = Id(required=True)
    quantity = QuantityField(required=True, positive=True)
    unit_price = MoneyField(minimum=0, metadata={"description": "Default: the product's price."})
    discount = MoneyField(minimum=0, metadata={
        "description": "Money off the line; at most round(quantity × unit_price, 2)."})


class SaleCreateSchema(Schema):
    store_id = Id(required=True)
    client_id = Id(allow_none=True, metadata={
        "description": "Optional for sales paid in full; required for credit."})
    lines = fields.List(fields.Nested(SaleLineInSchema), required=True,
                        validate=validate.Length(min=1, max=200))
    payment_method = fields.String(required=True, validate=validate.OneOf(PAYMENT_METHODS))
    amount_paid = MoneyField(minimum=0, metadata={
        "description": "Default: the total (credit: 0). The unpaid part becomes a debt."})
    notes = Trimmed(max_length=2000, blank_as_none=True, multiline=True)


class ReturnLineInSchema(Schema):
    sale_line_id = Id(required=True)
    quantity = QuantityField(required=True, positive=True)


class ReturnCreateSchema(Schema):
    lines = fields.List(fields.Nested(ReturnLineInSchema), required=True,
                        validate=validate.Length(min=1, max=200))
    reason = Trimmed(max_length=255, blank_as_none=True)


class SaleQuerySchema(Schema):
    client_id = IdArg()
    store_id = IdArg()
    status = fields.String(validate=validate.OneOf(SALE_STATUSES))
    payment_method = fields.String(validate=validate.OneOf(PAYMENT_METHODS))
    created_by = IdArg(metadata={"description": "User id."})
    date_from = fields.Date()
    date_to = fields.Date()


class ClientSaleQuerySchema(SaleQuerySchema):
    class Meta:
        exclude = ("client_id",)


# --------------------------------------------------------------------------- output


class SaleLineLotSchema(Schema):
    lot_id = fields.Integer()
    lot = fields.Function(lambda row: row.lot.code, metadata={"type": "string"})
    quantity = QuantityField()
    returned_quantity = QuantityField()


class SaleLineSchema(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    quantity = QuantityField()
    unit_price = MoneyField()
    discount = MoneyField()
    line_total = MoneyField(metadata={"description": "round(quantity × unit_price, 2) − "
                                                     "discount."})
    returned_quantity = QuantityField()
    lots = fields.List(fields.Nested(SaleLineLotSchema),
                       metadata={"description": "Lot-tracked products: the lots it left from."})


class SaleSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "Human sequence, e.g. S-000123."})
    store_id = fields.Integer()
    client_id = fields.Integer(allow_none=True)
    payment_method = fields.String()
    subtotal = MoneyField(metadata={"description": "Σ round(quantity × unit_price, 2)."})
    discount_total = MoneyField()
    total = MoneyField(metadata={"description": "subtotal − discount_total."})
    paid = MoneyField(metadata={"description": "Paid at the time of the sale."})
    balance_due = MoneyField(metadata={"description": "total − paid: the sale's debt when it "
                                                      "arose (see /debts for its balance now)."})
    returned_total = MoneyField(metadata={"description": "Value of the goods returned."})
    refunded = MoneyField(metadata={"description": "Money given back by returns or a cancel."})
    status = fields.String()
    notes = fields.String(allow_none=True)
    created_by = fields.Integer(attribute="created_by_id", allow_none=True)
    api_key_id = fields.Integer(attribute="created_by_api_key_id", allow_none=True)
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(SaleLineSchema))


class SaleReturnLineSchema(Schema):
    id = fields.Integer()
    sale_line_id = fields.Integer()
    product_id = fields.Integer()
    quantity = QuantityField()
    value = MoneyField()


class SaleReturnSchema(Schema):
    id = fields.Integer()
    sale_id = fields.Integer()
    reason = fields.String(allow_none=True)
    value = MoneyField(metadata={"description": "What the returned goods were worth."})
    credited = MoneyField(metadata={"description": "Taken off the sale's open debt."})
    refund = MoneyField(metadata={"description": "To give back to the client."})
    created_by = fields.Integer(attribute="created_by_id", allow_none=True)
    api_key_id = fields.Integer(attribute="created_by_api_key_id", allow_none=True)
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(SaleReturnLineSchema))


class SaleDetailSchema(SaleSchema):
    movements = fields.List(fields.Nested(MovementSchema))
    returns = fields.List(fields.Nested(SaleReturnSchema))


class SaleReturnCreatedSchema(SaleReturnSchema):
    movements = fields.List(fields.Nested(MovementSchema))
    sale = fields.Nested(SaleSchema)
