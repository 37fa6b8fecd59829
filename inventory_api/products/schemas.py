from flask import g
from marshmallow import fields, validate

from ..common.fields import Id, MoneyField, QuantityField
from ..common.inputs import IdArg, StrictBoolean, Trimmed
from ..common.pagination import sort_field
from ..common.schema import Schema
from .models import KINDS, UNITS

STOCK_STATUSES = ("out", "low", "in_stock")
SKU_PATTERN = r"^\s*[A-Za-z0-9][A-Za-z0-9._/-]{0,63}\s*$"


def Sku(**kwargs):  # noqa: N802 - field factory
    return Trimmed(
        max_length=64, document_length=False,  # the pattern bounds it
        validate=validate.Regexp(
            SKU_PATTERN, error="Letters, digits and . _ / - only (1-64 characters)."
        ),
        metadata={"description": "Kept as written (trimmed); unique whatever its case.",
                  "pattern": SKU_PATTERN},
        **kwargs,
    )


class ProductSchema(Schema):
    """The staff view of a product, internal fields included."""

    id = fields.Integer(dump_only=True)
    sku = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    kind = fields.String(metadata={"enum": list(KINDS)})
    unit = fields.String(metadata={"enum": list(UNITS)})
    price = MoneyField()
    cost = MoneyField()
    min_stock = QuantityField()
    reorder_quantity = QuantityField()
    barcode = fields.String(allow_none=True)
    preferred_supplier_id = fields.Integer(allow_none=True)
    track_lots = StrictBoolean()
    active = StrictBoolean()
    stock_total = QuantityField(
        dump_default="0.000",
        metadata={"description": "Available (on hand - reserved) over all stores and lots."},
    )
    stock_status = fields.String(metadata={"enum": list(STOCK_STATUSES)})
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class CustomerProductSchema(Schema):
    """What a customer sees: no cost, supplier, stock thresholds or other internals."""

    id = fields.Integer(dump_only=True)
    sku = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    kind = fields.String(metadata={"enum": list(KINDS)})
    unit = fields.String(metadata={"enum": list(UNITS)})
    price = MoneyField()
    barcode = fields.String(allow_none=True)
    stock_status = fields.String(metadata={"enum": list(STOCK_STATUSES)})


class ProductPutSchema(Schema):
    """Full replacement: fields left out go back to their defaults."""

    sku = Sku(required=True)
    name = Trimmed(required=True, max_length=200)
    description = Trimmed(max_length=5000, blank_as_none=True, multiline=True, load_default=None)
    category_id = Id(allow_none=True, load_default=None)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    price = MoneyField(required=True, minimum=0)
    cost = MoneyField(minimum=0, metadata={"description": "Only while the product has no stock."})
    min_stock = QuantityField(minimum=0, load_default="0.000")
    reorder_quantity = QuantityField(minimum=0, load_default="0.000")
    barcode = Trimmed(max_length=64, blank_as_none=True, load_default=None,
                      metadata={"description": "Unique whatever its case."})
    preferred_supplier_id = Id(allow_none=True, load_default=None)
    track_lots = StrictBoolean(load_default=False)
    active = StrictBoolean(load_default=True)


class ProductCreateSchema(ProductPutSchema):
    kind = fields.String(load_default="merchandise", validate=validate.OneOf(KINDS))
    unit = fields.String(load_default="unit", validate=validate.OneOf(UNITS))


class ProductUpdateSchema(Schema):
    sku = Sku()
    name = Trimmed(max_length=200)
    description = Trimmed(max_length=5000, blank_as_none=True, multiline=True)
    category_id = Id(allow_none=True)
    kind = fields.String(validate=validate.OneOf(KINDS))
    unit = fields.String(validate=validate.OneOf(UNITS))
    price = MoneyField(minimum=0)
    cost = MoneyField(minimum=0, metadata={"description": "Only while the product has no stock."})
    min_stock = QuantityField(minimum=0)
    reorder_quantity = QuantityField(minimum=0)
    barcode = Trimmed(max_length=64, blank_as_none=True)
    preferred_supplier_id = Id(allow_none=True)
    track_lots = StrictBoolean()
    active = StrictBoolean()


class ProductQuerySchema(Schema):
    q = Trimmed(
        max_length=100,
        blank_as_none=True,
        metadata={"description": "Name, SKU or barcode contains."}
    )
    category_id = IdArg(metadata={"description": "This category and all its subcategories."})
    kind = fields.String(validate=validate.OneOf(KINDS))
    min_price = MoneyField(minimum=0)
    max_price = MoneyField(minimum=0)
    stock_status = fields.String(validate=validate.OneOf(STOCK_STATUSES))
    store_id = IdArg(metadata={"description": "Products with stock on hand in this store."})
    supplier_id = IdArg(metadata={"description": "Products preferring this supplier."})
    active = fields.Boolean(load_default=True)
    sort = sort_field({"name", "sku", "price", "stock_total", "created_at"}, "name")


class ProductOutSchema(ProductSchema):
    """Dumps with `ProductSchema` for staff and `CustomerProductSchema` for customers.

    The OpenAPI document shows the staff shape; customers get the subset
    `CustomerProductSchema` declares (no cost, supplier or stock thresholds).
    """

    def dump(self, obj, *, many=None):
        from ..auth import current_principal

        principal = g.get("principal")
        if principal is not None and current_principal().is_customer:
            many = self.many if many is None else many
            return CustomerProductSchema(many=many).dump(obj)
        return super().dump(obj, many=many)
