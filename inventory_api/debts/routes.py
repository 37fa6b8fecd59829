"""Debts, payments and client statements over HTTP.

`POST /payments` runs under `@unit_of_work` (one transaction with its
`Idempotency-Key`, deadlock retries) and calls `debts.service.record_payment`.
Customers read only their own client's debts, payments and statement.
"""

from flask import url_for
from flask.views import MethodView

from ..auth import current_principal, require
from ..common.blueprint import Blueprint
from ..common.idempotency import unit_of_work
from ..common.pagination import SelectPage
from . import queries, service
from .schemas import (
    DebtDetailSchema,
    DebtQuerySchema,
    DebtSchema,
    PaymentCreateSchema,
    PaymentQuerySchema,
    PaymentSchema,
    StatementQuerySchema,
    StatementSchema,
)

blp = Blueprint("debts", __name__, url_prefix="/api/v1",
                description="Debts of clients, payments and statements")


@blp.route("/debts", strict_slashes=False)
class DebtList(MethodView):
    @require("debts:read", "debts:read_own")
    @blp.arguments(DebtQuerySchema, location="query")
    @blp.response(200, DebtSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """Debts (customers: their own), oldest due first"""
        return queries.debts_select(args, current_principal())


@blp.route("/debts/<int:debt_id>")
class DebtDetail(MethodView):
    @require("debts:read", "debts:read_own")
    @blp.response(200, DebtDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, debt_id):
        """One debt with its allocations (payments, credits, void)"""
        return queries.get_debt(debt_id, current_principal())


@blp.route("/payments", strict_slashes=False)
class PaymentList(MethodView):
    @require("payments:read", "payments:read_own")
    @blp.arguments(PaymentQuerySchema, location="query")
    @blp.response(200, PaymentSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """Payments (customers: their own), newest first"""
        return queries.payments_select(args, current_principal())

    @require("payments:create")
    @unit_of_work
    @blp.arguments(PaymentCreateSchema)
    @blp.response(201, PaymentSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Record a payment and allocate it to open debts

        To `debt_id` when given, else to the client's oldest open debts
        first (by due date, then id). 409 naming the open balance when
        `amount` exceeds it; nothing is recorded then.
        """
        payment = service.record_payment(data, current_principal())
        return payment, 201, {"Location": url_for("debts.PaymentDetail", payment_id=payment.id)}


@blp.route("/payments/<int:payment_id>")
class PaymentDetail(MethodView):
    @require("payments:read", "payments:read_own")
    @blp.response(200, PaymentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, payment_id):
        """One payment with its allocations"""
        return queries.get_payment(payment_id, current_principal())


@blp.route("/clients/<int:client_id>/statement")
class ClientStatement(MethodView):
    @require("debts:read", "clients:statement_own")
    @blp.arguments(StatementQuerySchema, location="query")
    @blp.response(200, StatementSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args, client_id):
        """A client's open debts, payments and balance (customers: their own)"""
        return queries.statement(client_id, args, current_principal())
