"""Holdings reports: inventory valuation, stock turnover, debtors, forecast.

Each answers JSON (the effective filters, then `rows`, and `totals` where
they add up), or the same rows as CSV (`format=csv`) and, for valuation and
debtors, PDF (`format=pdf`). The figures are defined in `holdings.py`,
`debtors.py` and `forecast.py`.
"""

from flask.views import MethodView

from ..auth import current_principal, require
from ..common import dates
from . import debtors, forecast, holdings
from .args import period, store_scope
from .export import document_formats, render
from .holdings_schemas import (
    DebtorsQuerySchema,
    DebtorsSchema,
    ForecastQuerySchema,
    ForecastSchema,
    TurnoverQuerySchema,
    TurnoverSchema,
    ValuationQuerySchema,
    ValuationSchema,
)
from .routes import blp


def _stores(args):
    return store_scope(current_principal(), args.get("store_id"))


@blp.route("/inventory-valuation")
class InventoryValuation(MethodView):
    @require("reports:read")
    @blp.arguments(ValuationQuerySchema, location="query")
    @blp.response(200, ValuationSchema)
    @document_formats(blp, pdf=True)
    def get(self, args):
        """Stock on hand valued at moving-average cost, per product and store

        One row per (product, store) holding stock (lots summed): `quantity`
        on hand, the product's `unit_cost` and `value` = quantity × unit cost
        (to the cent); `totals` holds Σ value and Σ quantity. `category_id`
        includes its subcategories.
        """
        report = holdings.inventory_valuation(_stores(args), args.get("category_id"))
        return render(report, args["format"])


@blp.route("/stock-turnover")
class StockTurnover(MethodView):
    @require("reports:read")
    @blp.arguments(TurnoverQuerySchema, location="query")
    @blp.response(200, TurnoverSchema)
    @document_formats(blp)
    def get(self, args):
        """Units sold, average stock, turnover and days of cover per product, over a period

        The period defaults to the last 30 days ending today. `units_sold` is
        the sales and order movements net of their returns; `average_stock`
        the mean of the on-hand stock at the start and at the end of the
        period (from the ledger); `turnover` = units_sold ÷ average_stock;
        `days_of_cover` = closing stock ÷ units sold per day of the period.
        """
        date_from, date_to = period(args)
        return render(holdings.stock_turnover(_stores(args), date_from, date_to),
                      args["format"])


@blp.route("/debtors")
class Debtors(MethodView):
    @require("reports:read")
    @blp.arguments(DebtorsQuerySchema, location="query")
    @blp.response(200, DebtorsSchema)
    @document_formats(blp, pdf=True)
    def get(self, args):
        """Open client balances by age of debt: 0-30, 31-60, 61-90 and 90+ days

        The age is the days from the business day a debt arose to `as_of`
        (default today); the balances are as they stood at the end of that
        day. With `store_id` (or a store-scoped manager) only debts of that
        store's sales and orders count.
        """
        report = debtors.debtors(_stores(args), args.get("as_of") or dates.today())
        return render(report, args["format"])


@blp.route("/forecast")
class Forecast(MethodView):
    @require("reports:read")
    @blp.arguments(ForecastQuerySchema, location="query")
    @blp.response(200, ForecastSchema)
    @document_formats(blp)
    def get(self, args):
        """Demand forecast per product and store: daily demand, trend, stock-out and reorder

        Over the last `window_days` (default 30, today included): average
        daily demand (sales and orders net of returns), its trend (second
        half of the window against the first: `rising`/`falling` beyond
        ±10 %, else `flat`), days until the available stock runs out, the
        date to reorder (stock-out less the supplier's lead time, not before
        today) and a quantity covering the lead time plus `cover_days`,
        less available and on-order stock (at least the product's
        `reorder_quantity`).
        """
        report = forecast.forecast(_stores(args), args["window_days"], args.get("cover_days"),
                                   args.get("product_id"))
        return render(report, args["format"])
