"""Customer orders over HTTP: list, create (reserves stock), read, and the
transitions confirm, ship, deliver and cancel.

Every write runs under `@unit_of_work` (one transaction, deadlock retries,
optional `Idempotency-Key`) and calls `orders.service`.
"""

from flask import url_for
from flask.views import MethodView

from ..auth import current_principal, require
from ..common.blueprint import Blueprint
from ..common.idempotency import unit_of_work
from ..common.pagination import SelectPage
from . import service
from .schemas import (
    OrderConfirmSchema,
    OrderCreateSchema,
    OrderDetailSchema,
    OrderQuerySchema,
    OrderSchema,
    OrderTransitionSchema,
)

blp = Blueprint("orders", __name__, url_prefix="/api/v1/orders",
                description="Customer orders: reserved while pending, stock and debt on "
                            "confirmation")


@blp.route("", strict_slashes=False)
class OrderList(MethodView):
    @require("orders:read", "orders:read_own")
    @blp.arguments(OrderQuerySchema, location="query")
    @blp.response(200, OrderSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List orders, newest first (customers: their own only)"""
        return service.search_orders(args, current_principal())

    @require("orders:create")
    @unit_of_work
    @blp.arguments(OrderCreateSchema)
    @blp.response(201, OrderDetailSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Place an order: reserves the stock (409 lists every short line)

        Customers order for themselves; staff name `client_id`. Without
        `store_id` the default order store takes it.
        """
        order = service.create_order(data, current_principal())
        return order, 201, {"Location": url_for("orders.OrderDetail", order_id=order.id)}


@blp.route("/<int:order_id>")
class OrderDetail(MethodView):
    @require("orders:read", "orders:read_own")
    @blp.response(200, OrderDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, order_id):
        """One order with its lines, reservations and status history"""
        return service.get_order(order_id, current_principal())


@blp.route("/<int:order_id>/confirm")
class OrderConfirm(MethodView):
    @require("orders:advance")
    @unit_of_work
    @blp.arguments(OrderConfirmSchema)
    @blp.response(200, OrderDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data, order_id):
        """pending → confirmed: the stock leaves and the unpaid total becomes a debt

        The client's credit limit is not checked: confirming is the staff's decision.
        """
        return service.confirm_order(order_id, data, current_principal())


@blp.route("/<int:order_id>/ship")
class OrderShip(MethodView):
    @require("orders:advance")
    @unit_of_work
    @blp.arguments(OrderTransitionSchema)
    @blp.response(200, OrderDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data, order_id):
        """confirmed → shipped"""
        return service.ship_order(order_id, data, current_principal())


@blp.route("/<int:order_id>/deliver")
class OrderDeliver(MethodView):
    @require("orders:advance")
    @unit_of_work
    @blp.arguments(OrderTransitionSchema)
    @blp.response(200, OrderDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data, order_id):
        """shipped → delivered"""
        return service.deliver_order(order_id, data, current_principal())


@blp.route("/<int:order_id>/cancel")
class OrderCancel(MethodView):
    @require("orders:cancel", "orders:cancel_own")
    @unit_of_work
    @blp.arguments(OrderTransitionSchema)
    @blp.response(200, OrderDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data, order_id):
        """Cancel: releases a pending order's stock, or restocks a confirmed one and
        voids its open debt

        The owner may cancel while pending; manager+ while pending or confirmed.
        """
        return service.cancel_order(order_id, data, current_principal())
