from marshmallow import ValidationError, fields, validate, validates_schema

from ..common.fields import Id, MoneyField, QuantityField
from ..common.inputs import IdArg, Trimmed
from ..common.schema import Schema
from .types import MANUAL_TYPES, MOVEMENT_TYPES, REFERENCE_TYPES

STOCK_STATUSES = ("out", "low", "in_stock")


def LotCode(**kwargs):  # noqa: N802 - field factory
    return Trimmed(max_length=64, **kwargs)


# --------------------------------------------------------------------------- movements


class MovementSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    product_id = fields.Integer()
    store_id = fields.Integer()
    lot_id = fields.Integer(allow_none=True)
    lot = fields.Function(lambda m: m.lot.code if m.lot else None, allow_none=True,
                          metadata={"type": "string", "nullable": True})
    quantity = QuantityField(metadata={"description": "Signed: + in, - out."})
    balance_after = QuantityField(
        metadata={"description": "Quantity of this stock level (product, store, lot) after it."})
    unit_cost = MoneyField(allow_none=True)
    reason = fields.String(allow_none=True)
    reference_type = fields.String(allow_none=True)
    reference_id = fields.Integer(allow_none=True)
    created_by = fields.Integer(attribute="created_by_id", allow_none=True,
                                metadata={"description": "The user who acted."})
    api_key_id = fields.Integer(attribute="created_by_api_key_id", allow_none=True,
                                metadata={"description": "The API key that acted."})
    created_at = fields.DateTime()


class MovementsCreatedSchema(Schema):
    movements = fields.List(fields.Nested(MovementSchema))


class MovementCreateSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(MANUAL_TYPES))
    product_id = Id(required=True)
    store_id = Id(required=True)
    quantity = QuantityField(
        required=True, allow_zero=False,
        metadata={"description": "Positive for receipt and issue; signed, non-zero, for "
                                 "adjustment."})
    unit_cost = MoneyField(minimum=0, metadata={"description": "Receipts only."})
    supplier_id = Id(metadata={"description": "Receipts only: the supplier the goods came "
                                              "from, kept on a lot the receipt creates."})
    lot = LotCode(metadata={"description": "Required for lot-tracked products on receipts."})
    expiry_date = fields.Date()
    reason = Trimmed(max_length=255, metadata={"description": "Required for adjustments."})

    @validates_schema
    def _rules(self, data, **kwargs):
        kind = data.get("type")
        if kind in ("receipt", "issue") and data.get("quantity") is not None \
                and data["quantity"] <= 0:
            raise ValidationError("Must be positive for receipts and issues.", "quantity")
        if kind == "adjustment" and not data.get("reason"):
            raise ValidationError("Adjustments need a reason.", "reason")
        if kind != "receipt" and "unit_cost" in data:
            raise ValidationError("Only receipts carry a unit cost.", "unit_cost")
        if kind != "receipt" and "supplier_id" in data:
            raise ValidationError("Only receipts name a supplier.", "supplier_id")


class MovementQuerySchema(Schema):
    product_id = IdArg()
    store_id = IdArg()
    type = fields.String(validate=validate.OneOf(list(MOVEMENT_TYPES)))
    lot = LotCode()
    reference_type = fields.String(validate=validate.OneOf(REFERENCE_TYPES))
    reference_id = IdArg()
    created_by = IdArg(metadata={"description": "User id."})
    date_from = fields.Date()
    date_to = fields.Date()
    before_id = IdArg(metadata={"description": "Keyset paging: only movements with a smaller "
                                               "id (pass the last id of the previous page)."})


class ProductMovementQuerySchema(MovementQuerySchema):
    class Meta:
        exclude = ("product_id",)


# --------------------------------------------------------------------------- levels


class LotStockSchema(Schema):
    lot_id = fields.Integer()
    lot = fields.String()
    expiry_date = fields.Date(allow_none=True)
    on_hand = QuantityField()
    reserved = QuantityField()
    available = QuantityField()


class StoreStockSchema(Schema):
    store_id = fields.Integer()
    on_hand = QuantityField()
    reserved = QuantityField()
    available = QuantityField()
    min_stock = QuantityField()
    stock_status = fields.String(validate=validate.OneOf(STOCK_STATUSES))
    lots = fields.List(fields.Nested(LotStockSchema))


class ProductStockSchema(Schema):
    product_id = fields.Integer()
    on_hand = QuantityField()
    reserved = QuantityField()
    available = QuantityField()
    stores = fields.List(fields.Nested(StoreStockSchema))


class InventoryRowSchema(Schema):
    product_id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    on_hand = QuantityField()
    reserved = QuantityField()
    available = QuantityField()
    min_stock = QuantityField(metadata={"description": "Effective: store override, else the "
                                                      "product's."})
    stock_status = fields.String()
    lots = fields.List(fields.Nested(LotStockSchema), allow_none=True,
                       metadata={"description": "Lot-tracked products only."})


class InventoryQuerySchema(Schema):
    q = Trimmed(max_length=100, blank_as_none=True,
                metadata={"description": "SKU or name contains."})
    category_id = IdArg(metadata={"description": "This category and its subcategories."})
    stock_status = fields.String(validate=validate.OneOf(STOCK_STATUSES))


class MinStockSchema(Schema):
    min_stock = QuantityField(required=True, minimum=0, allow_none=True,
                              metadata={"description": "null removes the store's override."})


class MinStockResultSchema(Schema):
    store_id = fields.Integer()
    product_id = fields.Integer()
    min_stock = QuantityField(metadata={"description": "Effective minimum after the change."})


# --------------------------------------------------------------------------- lots


class LotRowSchema(Schema):
    lot_id = fields.Integer()
    lot = fields.String()
    product_id = fields.Integer()
    store_id = fields.Integer()
    expiry_date = fields.Date(allow_none=True)
    quantity = QuantityField(metadata={"description": "On hand in this store."})
    reserved = QuantityField()
    available = QuantityField()


class LotQuerySchema(Schema):
    product_id = IdArg()
    store_id = IdArg()
    expiring_before = fields.Date()


class TraceMovementSchema(MovementSchema):
    details = fields.Dict(allow_none=True, metadata={
        "description": "The document's details: sale `number`, `client_id`; order "
                       "`client_id`, `status`; purchase order `supplier_id`, `supplier`, "
                       "`status`; transfer `from_store_id`, `to_store_id`. Null for "
                       "manual movements."})


class TraceSupplierSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class TracePurchaseOrderSchema(Schema):
    id = fields.Integer()
    supplier_id = fields.Integer()
    supplier = fields.String()
    status = fields.String()


class LotTraceSchema(Schema):
    lot_id = fields.Integer()
    lot = fields.String()
    product_id = fields.Integer()
    expiry_date = fields.Date(allow_none=True)
    supplier_id = fields.Integer(allow_none=True)
    supplier = fields.Nested(TraceSupplierSchema, allow_none=True)
    purchase_order_id = fields.Integer(allow_none=True)
    purchase_order = fields.Nested(TracePurchaseOrderSchema, allow_none=True,
                                   metadata={"description": "The order whose receipt created "
                                                            "the lot."})
    received_at = fields.DateTime(allow_none=True, metadata={
        "description": "When the lot was first received on a purchase order."})
    received_by = fields.Nested(TraceMovementSchema, allow_none=True,
                                metadata={"description": "The first inflow of the lot."})
    movements = fields.List(fields.Nested(TraceMovementSchema))


# --------------------------------------------------------------------------- transfers


class TransferLineInSchema(Schema):
    product_id = Id(required=True)
    quantity = QuantityField(required=True, positive=True)
    lot = LotCode()


class TransferCreateSchema(Schema):
    from_store_id = Id(required=True)
    to_store_id = Id(required=True)
    lines = fields.List(fields.Nested(TransferLineInSchema), required=True,
                        validate=validate.Length(min=1, max=200))
    notes = Trimmed(max_length=2000, blank_as_none=True, multiline=True)

    @validates_schema
    def _different_stores(self, data, **kwargs):
        if data.get("from_store_id") and data.get("from_store_id") == data.get("to_store_id"):
            raise ValidationError("Must differ from from_store_id.", "to_store_id")


class TransferLineSchema(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    lot_id = fields.Integer(allow_none=True)
    lot = fields.Function(lambda line: line.lot.code if line.lot else None, allow_none=True,
                          metadata={"type": "string", "nullable": True})
    quantity = QuantityField()


class TransferSchema(Schema):
    id = fields.Integer()
    from_store_id = fields.Integer()
    to_store_id = fields.Integer()
    notes = fields.String(allow_none=True)
    created_by = fields.Integer(attribute="created_by_id", allow_none=True)
    api_key_id = fields.Integer(attribute="created_by_api_key_id", allow_none=True)
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(TransferLineSchema))


class TransferDetailSchema(TransferSchema):
    movements = fields.List(fields.Nested(MovementSchema))


class TransferQuerySchema(Schema):
    store_id = IdArg(metadata={"description": "Either side."})
    from_store_id = IdArg()
    to_store_id = IdArg()


# --------------------------------------------------------------------------- counts


class CountLineInSchema(Schema):
    product_id = Id(required=True)
    counted_quantity = QuantityField(required=True, minimum=0)
    lot = LotCode(metadata={"description": "Required for lot-tracked products."})


class CountCreateSchema(Schema):
    store_id = Id(required=True)
    lines = fields.List(fields.Nested(CountLineInSchema), required=True,
                        validate=validate.Length(min=1, max=500))
    notes = Trimmed(max_length=2000, blank_as_none=True, multiline=True)


class CountLineSchema(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    lot_id = fields.Integer(allow_none=True)
    lot = fields.Function(lambda line: line.lot.code if line.lot else None, allow_none=True,
                          metadata={"type": "string", "nullable": True})
    expected_quantity = QuantityField()
    counted_quantity = QuantityField()
    difference = QuantityField()
    movement_id = fields.Integer(allow_none=True)


class CountSchema(Schema):
    id = fields.Integer()
    store_id = fields.Integer()
    notes = fields.String(allow_none=True)
    created_by = fields.Integer(attribute="created_by_id", allow_none=True)
    api_key_id = fields.Integer(attribute="created_by_api_key_id", allow_none=True)
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(CountLineSchema))


class CountQuerySchema(Schema):
    store_id = IdArg()


# --------------------------------------------------------------------------- alerts


class LowStockRowSchema(Schema):
    product_id = fields.Integer()
    store_id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    available = QuantityField()
    min_stock = QuantityField(metadata={"description": "Effective minimum."})
    shortage = QuantityField(metadata={"description": "min_stock - available."})
    suggested_order_quantity = QuantityField(
        metadata={"description": "The larger of the product's reorder_quantity and the "
                                 "shortage."})
    preferred_supplier_id = fields.Integer(allow_none=True)


class LowStockQuerySchema(Schema):
    store_id = IdArg()
    category_id = IdArg(metadata={"description": "This category and its subcategories."})


class EventSchema(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    store_id = fields.Integer()
    available = QuantityField()
    min_stock = QuantityField()
    movement_id = fields.Integer(
        allow_none=True, metadata={"description": "The movement that crossed the minimum; "
                                                  "null when a reservation (order) did."})
    reference_type = fields.String(
        allow_none=True, metadata={"description": "The document behind it (e.g. `order`); "
                                                  "null for a manual movement."})
    reference_id = fields.Integer(allow_none=True)
    resolved_by_movement_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)


class EventQuerySchema(Schema):
    open = fields.Boolean(metadata={"description": "true: unresolved; false: resolved."})
    product_id = IdArg()
    store_id = IdArg()
