"""Purchase orders over HTTP: `/purchase-orders`, submit, receive, cancel, returns,
and `/suppliers/{id}/purchase-orders`.

Every write runs under `@unit_of_work` (one transaction with its optional
`Idempotency-Key`, deadlock retries) and calls `purchasing.service`.
Store-scoped users get 403 for orders of other stores and see only their
stores' orders (another store's order reads as 404).
"""

from flask import url_for
from flask.views import MethodView

from ..auth import current_principal, require
from ..common.blueprint import Blueprint
from ..common.idempotency import unit_of_work
from ..common.pagination import SelectPage
from . import service
from .schemas import (
    POCreateSchema,
    PODetailSchema,
    POQuerySchema,
    POReceiveSchema,
    POReturnCreatedSchema,
    POReturnSchema,
    POSchema,
    POUpdateSchema,
    SupplierPOQuerySchema,
)

blp = Blueprint("purchasing", __name__, url_prefix="/api/v1",
                description="Purchase orders: drafts, receiving, returns to suppliers")


def _location(po):
    return {"Location": url_for("purchasing.PurchaseOrderDetail", po_id=po.id)}


@blp.route("/purchase-orders", strict_slashes=False)
class PurchaseOrderList(MethodView):
    @require("purchasing:read")
    @blp.arguments(POQuerySchema, location="query")
    @blp.response(200, POSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """Purchase orders, newest first (filters: supplier, store, status, created dates)"""
        return service.purchase_orders_select(args, current_principal())

    @require("purchasing:write")
    @unit_of_work
    @blp.arguments(POCreateSchema)
    @blp.response(201, PODetailSchema)
    def post(self, data):
        """Create a draft purchase order"""
        po = service.create_purchase_order(data, current_principal())
        return po, 201, _location(po)


@blp.route("/purchase-orders/<int:po_id>")
class PurchaseOrderDetail(MethodView):
    @require("purchasing:read")
    @blp.response(200, PODetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, po_id):
        """A purchase order with its lines, receipts, returns and movements"""
        return service.get_purchase_order(po_id, current_principal())

    @require("purchasing:write")
    @unit_of_work
    @blp.arguments(POUpdateSchema)
    @blp.response(200, PODetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, po_id):
        """Edit a draft (`lines` replaces every line); 409 naming the status otherwise"""
        return service.update_purchase_order(po_id, data, current_principal())


@blp.route("/purchase-orders/<int:po_id>/submit")
class PurchaseOrderSubmit(MethodView):
    @require("purchasing:write")
    @unit_of_work
    @blp.response(200, PODetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, po_id):
        """draft → ordered (records `ordered_at`)"""
        return service.submit_purchase_order(po_id, current_principal())


@blp.route("/purchase-orders/<int:po_id>/receive")
class PurchaseOrderReceive(MethodView):
    @require("purchasing:receive")
    @unit_of_work
    @blp.arguments(POReceiveSchema)
    @blp.response(200, PODetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, po_id):
        """Receive goods: `purchase_receipt` movements at each line's unit cost

        Updates the moving-average cost; lots created here remember the
        supplier and the order. Partly received → `partially_received`,
        everything → `received` (`received_at`). 409 when an item exceeds
        what is outstanding, or the order is draft, received or cancelled.
        """
        return service.receive(po_id, data, current_principal())


@blp.route("/purchase-orders/<int:po_id>/cancel")
class PurchaseOrderCancel(MethodView):
    @require("purchasing:write")
    @unit_of_work
    @blp.response(200, PODetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, po_id):
        """Cancel a draft, ordered or partially received order (received goods stay)"""
        return service.cancel_purchase_order(po_id, current_principal())


@blp.route("/purchase-orders/<int:po_id>/returns")
class PurchaseOrderReturns(MethodView):
    @require("purchasing:write")
    @unit_of_work
    @blp.arguments(POReturnSchema)
    @blp.response(201, POReturnCreatedSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, po_id):
        """Send goods back to the supplier: `purchase_return` movements

        409 when a line (or a named lot) returns more than was received less
        earlier returns, or the stock is no longer there.
        """
        record = service.return_to_supplier(po_id, data, current_principal())
        return record, 201, _location(record.purchase_order)


@blp.route("/suppliers/<int:supplier_id>/purchase-orders")
class SupplierPurchaseOrders(MethodView):
    @require("purchasing:read")
    @blp.arguments(SupplierPOQuerySchema, location="query")
    @blp.response(200, POSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate(SelectPage)
    def get(self, args, supplier_id):
        """A supplier's purchase orders, newest first"""
        return service.supplier_purchase_orders_select(supplier_id, args, current_principal())
