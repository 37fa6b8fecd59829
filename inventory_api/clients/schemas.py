from marshmallow import fields

from ..common.fields import MoneyField, StrictInt
from ..common.inputs import Email, Trimmed
from ..common.pagination import sort_field
from ..common.schema import Schema


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
