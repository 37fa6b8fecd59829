// The dashboard (GET /reports/dashboard, managers and admins): today's and
// this month's sales, orders by status, debt, low stock, stock value, top
// products. Where the server has no dashboard (404), a short note instead.

import { get } from "../api.js";
import { html, useEffect, useRef } from "../lib.js";
import { href } from "../router.js";
import { ErrorBox, ListState, PageHeader, TableWrap, useLoad } from "../ui.js";

const CHART_SCRIPT = "/app/vendor/chart.js/chart.umd.min.js";
let chartLoading = null;

// Chart.js (a classic script, global `Chart`), loaded on first use.
function loadChart() {
  chartLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = CHART_SCRIPT;
    script.onload = () => resolve(window.Chart);
    script.onerror = () => {
      chartLoading = null;
      reject(new Error("The chart library could not be loaded."));
    };
    document.head.append(script);
  });
  return chartLoading;
}

async function loadDashboard() {
  try {
    return await get("/reports/dashboard");
  } catch (error) {
    if (error.status === 404) return { missing: true };
    throw error;
  }
}

function OrdersChart({ counts }) {
  const canvas = useRef(null);
  useEffect(() => {
    let chart = null;
    loadChart().then((Chart) => {
      if (!canvas.current) return;
      chart = new Chart(canvas.current, {
        type: "bar",
        data: {
          labels: Object.keys(counts),
          datasets: [{ label: "Orders", data: Object.values(counts), backgroundColor: "#174d8c" }],
        },
        options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } } },
      });
    }, () => {});
    return () => chart?.destroy();
  }, [counts]);
  const summary = Object.entries(counts).map(([status, count]) => `${status} ${count}`).join(", ");
  return html`<div class="chart-box"><canvas class="chart" ref=${canvas} role="img"
    aria-label=${`Orders by status: ${summary}`}></canvas></div>`;
}

function Figure({ label, value, note }) {
  return html`<article><small>${label}</small><span class="figure">${value}</span>
    ${note && html`<small>${note}</small>`}</article>`;
}

export function Dashboard() {
  const state = useLoad(loadDashboard, []);
  if (!state.data) return html`<${PageHeader} title="Dashboard" /><${ListState} state=${state} />`;
  const data = state.data;
  if (data.missing) {
    return html`<${PageHeader} title="Dashboard" />
      <p>This server has no dashboard yet. See <a href=${href("products")}>products</a> or the
      <a href=${href("pos")}>point of sale</a>.</p>`;
  }
  return html`
    <${PageHeader} title="Dashboard">
      <button type="button" class="secondary" onClick=${state.reload}>Refresh</button>
    <//>
    <${ErrorBox} error=${state.error} />
    <section class="cards" aria-label="Key figures">
      <${Figure} label="Sales today" value=${data.today.sales_amount}
        note=${`${data.today.sales_count} sales`} />
      <${Figure} label="Sales this month" value=${data.month.sales_amount}
        note=${`${data.month.sales_count} sales since ${data.month.from}`} />
      <${Figure} label="Open debt" value=${data.open_debt_total} />
      <${Figure} label="Stock value" value=${data.stock_value} />
      <${Figure} label="Low-stock rows" value=${data.low_stock_count} />
    </section>
    <div class="grid">
      <section>
        <h2>Orders by status</h2>
        <${OrdersChart} counts=${data.orders_by_status} />
      </section>
      <section>
        <h2>Top products this month</h2>
        ${data.top_products.length === 0 ? html`<p>No sales this month yet.</p>` : html`
          <${TableWrap} label="Top products"><table>
            <thead><tr><th scope="col">#</th><th scope="col">Product</th>
              <th scope="col" class="num">Quantity</th><th scope="col" class="num">Amount</th></tr></thead>
            <tbody>${data.top_products.map((row) => html`<tr key=${row.product_id}>
              <td>${row.rank}</td><td><a href=${href(`products/${row.product_id}`)}>${row.sku} · ${row.name}</a></td>
              <td class="num">${row.quantity}</td><td class="num">${row.amount}</td></tr>`)}</tbody>
          </table><//>`}
      </section>
    </div>`;
}
