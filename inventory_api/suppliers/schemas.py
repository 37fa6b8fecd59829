from marshmallow import fields

from ..common.fields import StrictInt
from ..common.inputs import Email, StrictBoolean, Trimmed
from ..common.pagination import sort_field
from ..common.schema import Schema


class SupplierSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    tax_id = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    lead_time_days = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    active = StrictBoolean()
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class SupplierUpdateSchema(Schema):
    name = Trimmed(max_length=160)
    tax_id = Trimmed(max_length=40, blank_as_none=True,
                     metadata={"description": "Kept as written; unique whatever its case."})
    email = Email(allow_none=True)
    phone = Trimmed(max_length=40, blank_as_none=True)
    address = Trimmed(max_length=255, blank_as_none=True, multiline=True)
    contact_name = Trimmed(max_length=120, blank_as_none=True)
    lead_time_days = StrictInt(minimum=0, maximum=3650, allow_none=True)
    notes = Trimmed(max_length=5000, blank_as_none=True, multiline=True)
    active = StrictBoolean()


class SupplierCreateSchema(SupplierUpdateSchema):
    name = Trimmed(required=True, max_length=160)


class SupplierQuerySchema(Schema):
    q = Trimmed(
        max_length=100,
        blank_as_none=True,
        metadata={"description": "Name, tax id or email contains."}
    )
    active = fields.Boolean()
    sort = sort_field({"id", "name", "created_at"}, "name")
