"""Sales over HTTP: `/sales`, cancel, returns, the receipt, and `/clients/{id}/sales`.

Every POST runs under `@unit_of_work` (one transaction with its optional
`Idempotency-Key`, deadlock retries) and calls `sales.service`. Store-scoped
users get 403 for sales in other stores and see only their stores' sales
(another store's sale reads as 404, as stock documents do; so does its receipt).
"""

from flask import url_for
from flask.views import MethodView

from ..auth import current_principal, require
from ..common.blueprint import Blueprint
from ..common.idempotency import unit_of_work
from ..common.pagination import SelectPage
from . import receipt, service
from .schemas import (
    ClientSaleQuerySchema,
    ReturnCreateSchema,
    SaleCreateSchema,
    SaleDetailSchema,
    SaleQuerySchema,
    SaleReturnCreatedSchema,
    SaleSchema,
)

blp = Blueprint("sales", __name__, url_prefix="/api/v1",
                description="Sales at the point of sale: totals, returns, cancellations")


def _location(sale):
    return {"Location": url_for("sales.SaleDetail", sale_id=sale.id)}


@blp.route("/sales", strict_slashes=False)
class SaleList(MethodView):
    @require("sales:read")
    @blp.arguments(SaleQuerySchema, location="query")
    @blp.response(200, SaleSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """Sales, newest first (filters by client, store, status, dates, seller, method)"""
        return service.sales_select(args, current_principal())

    @require("sales:create")
    @unit_of_work
    @blp.arguments(SaleCreateSchema)
    @blp.response(201, SaleDetailSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Sell: a `sale` movement per line, totals, and a debt for any unpaid part

        `line_total = round(quantity × unit_price, 2) − discount`, `subtotal`
        = Σ round(quantity × unit_price, 2), `total = subtotal −
        discount_total`, `balance_due = total − paid`. 409 on short stock
        (every short line listed) or when the debt would take the client over
        its `credit_limit`.
        """
        sale = service.create_sale(data, current_principal())
        return sale, 201, _location(sale)


@blp.route("/sales/<int:sale_id>")
class SaleDetail(MethodView):
    @require("sales:read")
    @blp.response(200, SaleDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, sale_id):
        """A sale with its lines, movements and returns"""
        return service.get_sale(sale_id, current_principal())


@blp.route("/sales/<int:sale_id>/receipt")
class SaleReceipt(MethodView):
    @require("sales:read")
    @blp.arguments(receipt.ReceiptQuerySchema, location="query")
    @receipt.document_pdf(blp)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args, sale_id):
        """The sale's printable receipt (PDF, A5), shown inline

        Store, number, date and time in the business's time zone, client,
        lines, totals, payment method, paid, balance due and any returns.
        """
        return receipt.receipt_response(service.get_sale(sale_id, current_principal()))


@blp.route("/sales/<int:sale_id>/cancel")
class SaleCancel(MethodView):
    @require("sales:cancel")
    @unit_of_work
    @blp.response(200, SaleDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, sale_id):
        """Cancel a completed sale: restock every line and void its debt

        409 (naming the current status) when the sale is already cancelled
        or (partly) returned. `refunded` says what the client had paid.
        """
        return service.cancel_sale(sale_id, current_principal())


@blp.route("/sales/<int:sale_id>/returns")
class SaleReturns(MethodView):
    @require("sales:return")
    @unit_of_work
    @blp.arguments(ReturnCreateSchema)
    @blp.response(201, SaleReturnCreatedSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, sale_id):
        """Take goods back: restock, credit the sale's open debt first, report any `refund`

        409 when a line returns more than was sold less earlier returns, or
        the sale is cancelled or already fully returned.
        """
        sale_return = service.return_items(sale_id, data, current_principal())
        return sale_return, 201, _location(sale_return.sale)


@blp.route("/clients/<int:client_id>/sales")
class ClientSales(MethodView):
    @require("sales:read")
    @blp.arguments(ClientSaleQuerySchema, location="query")
    @blp.response(200, SaleSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate(SelectPage)
    def get(self, args, client_id):
        """A client's purchase history, newest first"""
        return service.client_sales_select(client_id, args, current_principal())

