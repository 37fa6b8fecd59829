"""Debts, payments and statements on the wire (money as decimal strings)."""

from marshmallow import ValidationError, fields, validate, validates_schema

from ..common.fields import Id, MoneyField
from ..common.inputs import IdArg, Trimmed
from ..common.pagination import sort_field
from ..common.schema import Schema
from .models import DEBT_STATUSES, PAYMENT_METHODS
from .service import today

SOURCE_TYPES = ("sale", "order")


class AllocationSchema(Schema):
    id = fields.Integer()
    debt_id = fields.Integer()
    payment_id = fields.Integer(allow_none=True)
    kind = fields.String(metadata={"description": "`payment`, `credit` (a return) or `void`."})
    amount = MoneyField()
    created_at = fields.DateTime()


class DebtSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    source_type = fields.String(metadata={"description": "`sale` or `order`."})
    source_id = fields.Integer()
    amount = MoneyField(metadata={"description": "What was owed when the debt arose."})
    paid_amount = MoneyField(
        metadata={"description": "Settled so far: payments, credits from returns, voids."})
    balance = MoneyField(metadata={"description": "amount − paid_amount."})
    status = fields.String(metadata={"description": "`open`, `paid` or `void`."})
    due_date = fields.Date()
    overdue = fields.Function(lambda d: d.status == "open" and d.due_date < today(),
                              metadata={"type": "boolean"})
    created_by = fields.Integer(attribute="created_by_id", allow_none=True)
    created_at = fields.DateTime()


class DebtDetailSchema(DebtSchema):
    allocations = fields.List(fields.Nested(AllocationSchema))


class DebtQuerySchema(Schema):
    client_id = IdArg()
    status = fields.String(validate=validate.OneOf(DEBT_STATUSES))
    overdue = fields.Boolean(
        metadata={"description": "true: open and past its due date; false: the others."})
    source_type = fields.String(validate=validate.OneOf(SOURCE_TYPES))
    source_id = IdArg()
    sort = sort_field(["due_date", "created_at", "amount"], "due_date")


class PaymentAllocationSchema(Schema):
    id = fields.Integer()
    debt_id = fields.Integer()
    amount = MoneyField()


class PaymentSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    amount = MoneyField()
    method = fields.String()
    reference = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    allocations = fields.List(fields.Nested(PaymentAllocationSchema))
    created_by = fields.Integer(attribute="created_by_id", allow_none=True)
    api_key_id = fields.Integer(attribute="created_by_api_key_id", allow_none=True)
    created_at = fields.DateTime()


class PaymentCreateSchema(Schema):
    client_id = Id(required=True)
    amount = MoneyField(required=True, positive=True)
    method = fields.String(required=True, validate=validate.OneOf(PAYMENT_METHODS))
    debt_id = Id(metadata={"description": "Settle this debt only; else the client's oldest "
                                          "open debts first (by due date, then id)."})
    reference = Trimmed(max_length=120, blank_as_none=True)
    notes = Trimmed(max_length=5000, blank_as_none=True, multiline=True)


class PaymentQuerySchema(Schema):
    client_id = IdArg()
    method = fields.String(validate=validate.OneOf(PAYMENT_METHODS))
    debt_id = IdArg(metadata={"description": "Payments allocated to this debt."})
    date_from = fields.Date()
    date_to = fields.Date()

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("Must not be before date_from.", "date_to")


class StatementQuerySchema(Schema):
    date_from = fields.Date(metadata={"description": "Payments from this date (UTC)."})
    date_to = fields.Date(metadata={"description": "Payments up to this date (UTC)."})

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("Must not be before date_from.", "date_to")


class StatementSchema(Schema):
    client_id = fields.Integer()
    name = fields.String()
    credit_limit = MoneyField()
    balance = MoneyField(metadata={"description": "Σ balance of the open debts."})
    overdue_balance = MoneyField(metadata={"description": "Σ balance of the overdue debts."})
    open_debts = fields.List(fields.Nested(DebtSchema))
    payments = fields.List(fields.Nested(PaymentSchema), metadata={"description": "Newest "
                                                                   "first."})
