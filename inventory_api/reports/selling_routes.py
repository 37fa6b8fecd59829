"""`/reports/dashboard`, `/reports/sales` and `/reports/top-products` (manager+).

What counts and how (cancelled sales left out, amounts and quantities net of
returns, business days, the default 30-day period) is in `selling.py`.
Query args a report does not know are ignored, as on every list of the API.
"""

from flask.views import MethodView

from ..auth import current_principal, require
from . import selling
from .args import UndatedReportQuerySchema
from .export import document_formats, render
from .routes import blp
from .selling_schemas import (
    DashboardSchema,
    SalesQuerySchema,
    SalesReportSchema,
    TopProductsQuerySchema,
    TopProductsReportSchema,
)


@blp.route("/dashboard")
class Dashboard(MethodView):
    @require("reports:read")
    @blp.arguments(UndatedReportQuerySchema, location="query")
    @blp.response(200, DashboardSchema)
    @document_formats(blp)
    def get(self, args):
        """Today and this month at a glance: sales, orders, open debt, stock

        Sales count and amount (net of returns, cancelled sales left out)
        today and since the first of the month; orders by their current
        status; the total of open debts; how many rows `/alerts/low-stock`
        lists; the stock's value at current cost; the month's five best
        products by amount. `format=csv` gives one `metric,value` line per
        figure.
        """
        return render(selling.dashboard(args, current_principal()), args["format"])


@blp.route("/sales")
class SalesReport(MethodView):
    @require("reports:read")
    @blp.arguments(SalesQuerySchema, location="query")
    @blp.response(200, SalesReportSchema)
    @document_formats(blp, pdf=True)
    def get(self, args):
        """Sales totals grouped by day, week, month, product, category, store or employee

        Cancelled sales are left out; `total` is net of returns (`subtotal −
        discount_total − returned_total`). The period defaults to the 30 days
        ending today (business time zone); day, week and month rows appear
        only where there were sales. Also as CSV or PDF.
        """
        return render(selling.sales(args, current_principal()), args["format"])


@blp.route("/top-products")
class TopProducts(MethodView):
    @require("reports:read")
    @blp.arguments(TopProductsQuerySchema, location="query")
    @blp.response(200, TopProductsReportSchema)
    @document_formats(blp)
    def get(self, args):
        """The period's best-selling products by net amount or net quantity

        Ties go to the lower product id; a product whose whole quantity came
        back is left out.
        """
        return render(selling.top_products(args, current_principal()), args["format"])
