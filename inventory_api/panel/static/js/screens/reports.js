// Reports (managers): one tab per /reports/* endpoint, each with its own
// parameters, the rows and totals as the API computes them, and CSV / PDF
// downloads fetched with the session's token (a plain link would carry none).

import { get, request, withQuery } from "../api.js";
import { useCategories, useMyStores } from "../data.js";
import { html, useState } from "../lib.js";
import { href, navigate } from "../router.js";
import { ErrorBox, Input, ListState, PageHeader, Select, TableWrap, useForm, useLoad } from "../ui.js";

const SHOWN_ROWS = 200; // more than this: the table is cut, the downloads hold every row

const GROUPS = [["day", "Day"], ["week", "Week"], ["month", "Month"], ["product", "Product"],
  ["category", "Category"], ["store", "Store"], ["employee", "Employee"]];
const BY = [["amount", "Amount"], ["quantity", "Quantity"]];

// Each report: its tab title, query parameters (in form order), whether it
// offers a PDF, and its columns as [field path, header, numeric?]; a column
// no row has is left out (the sales report's group columns vary).
const REPORTS = {
  sales: {
    title: "Sales", pdf: true, params: ["group_by", "date_from", "date_to", "store_id"],
    columns: [["date", "Day"], ["week_start", "Week from"], ["month", "Month"], ["sku", "SKU"],
      ["name", "Name"], ["email", "Email"], ["sales_count", "Sales", true],
      ["quantity", "Quantity", true], ["subtotal", "Subtotal", true],
      ["discount_total", "Discounts", true], ["returned_total", "Returned", true],
      ["total", "Total", true]],
  },
  "top-products": {
    title: "Top products", params: ["by", "limit", "date_from", "date_to", "store_id"],
    columns: [["rank", "Rank", true], ["sku", "SKU"], ["name", "Product"],
      ["quantity", "Quantity", true], ["amount", "Amount", true]],
  },
  "inventory-valuation": {
    title: "Inventory valuation", pdf: true, params: ["store_id", "category_id"],
    columns: [["sku", "SKU"], ["name", "Product"], ["store_name", "Store"],
      ["quantity", "Quantity", true], ["unit_cost", "Unit cost", true], ["value", "Value", true]],
  },
  "stock-turnover": {
    title: "Stock turnover", params: ["date_from", "date_to", "store_id"],
    columns: [["sku", "SKU"], ["name", "Product"], ["units_sold", "Units sold", true],
      ["opening_stock", "Opening stock", true], ["closing_stock", "Closing stock", true],
      ["average_stock", "Average stock", true], ["turnover", "Turnover", true],
      ["days_of_cover", "Days of cover", true]],
  },
  debtors: {
    title: "Debtors", pdf: true, params: ["as_of", "store_id"],
    columns: [["name", "Client"], ["buckets.0-30", "0–30 days", true],
      ["buckets.31-60", "31–60 days", true], ["buckets.61-90", "61–90 days", true],
      ["buckets.90+", "Over 90 days", true], ["balance", "Balance", true]],
  },
  forecast: {
    title: "Forecast", params: ["window_days", "cover_days", "store_id"],
    columns: [["sku", "SKU"], ["name", "Product"], ["store_name", "Store"],
      ["avg_daily_demand", "Daily demand", true], ["trend", "Trend"],
      ["available", "Available", true], ["on_order", "On order", true],
      ["days_until_stockout", "Days to stock-out", true],
      ["suggested_reorder_date", "Reorder by"], ["suggested_quantity", "Reorder quantity", true]],
  },
};
const NAMES = Object.keys(REPORTS);

function valueAt(record, path) {
  const [head, ...rest] = path.split(".");
  const value = record?.[head];
  return rest.length ? valueAt(value, rest.join(".")) : value;
}

function shown(value) {
  return value === null || value === undefined ? "" : String(value);
}

function ParamField({ name, form, stores, categories }) {
  const bind = form.bind(name);
  switch (name) {
    case "group_by": return html`<${Select} label="Group by" options=${GROUPS} empty="Day (default)" ...${bind} />`;
    case "by": return html`<${Select} label="Rank by" options=${BY} empty="Amount (default)" ...${bind} />`;
    case "limit": return html`<${Input} label="How many" inputmode="numeric" placeholder="10" ...${bind} />`;
    case "date_from": return html`<${Input} label="From" type="date" ...${bind} />`;
    case "date_to": return html`<${Input} label="To" type="date" ...${bind} />`;
    case "as_of": return html`<${Input} label="As of" type="date" ...${bind} />`;
    case "window_days": return html`<${Input} label="Window (days)" inputmode="numeric" placeholder="30" ...${bind} />`;
    case "cover_days": return html`<${Input} label="Cover (days)" inputmode="numeric" placeholder="30" ...${bind} />`;
    case "store_id": return html`<${Select} label="Store" empty="All stores" ...${bind}
      options=${(stores || []).map((store) => [String(store.id), store.name])} />`;
    case "category_id": return html`<${Select} label="Category" empty="All categories" ...${bind}
      options=${(categories || []).map((category) => [String(category.id), category.name])} />`;
    default: return null;
  }
}

// The file name the API suggests (Content-Disposition), else a made-up one.
function fileName(headers, fallback) {
  const found = /filename="?([^";]+)"?/.exec(headers.get("Content-Disposition") || "");
  return found ? found[1] : fallback;
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Downloads({ report, params }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(null);
  const download = async (format) => {
    setError(null);
    setBusy(format);
    try {
      const { data, headers } = await request("GET", withQuery(`/reports/${report}`, { ...params, format }));
      saveBlob(data, fileName(headers, `${report}.${format}`));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  };
  const button = (format, label) => html`<button type="button" class="secondary"
    aria-busy=${busy === format ? "true" : undefined} disabled=${busy !== null}
    onClick=${() => download(format)}>${label}</button>`;
  return html`<div class="actions report-downloads">
    ${button("csv", "Download CSV")}
    ${REPORTS[report].pdf && button("pdf", "Download PDF")}
  </div><${ErrorBox} error=${error} />`;
}

function ReportTable({ report, data }) {
  const rows = data.rows || [];
  const columns = REPORTS[report].columns.filter(([path]) =>
    rows.some((row) => valueAt(row, path) !== undefined));
  if (rows.length === 0) return html`<p>No rows for these parameters.</p>`;
  const totals = data.totals;
  const period = data.date_from ? `${data.date_from} to ${data.date_to}` : data.as_of ? `as of ${data.as_of}` : "";
  return html`
    ${rows.length > SHOWN_ROWS && html`<p role="note">Showing the first ${SHOWN_ROWS} of ${rows.length}
      rows; the downloads hold all of them.</p>`}
    <${TableWrap} label=${REPORTS[report].title}><table class="striped report">
      <caption>${REPORTS[report].title}${period && ` · ${period}`} · ${rows.length} rows</caption>
      <thead><tr>${columns.map(([path, label, num]) => html`<th key=${path} scope="col"
        class=${num ? "num" : undefined}>${label}</th>`)}</tr></thead>
      <tbody>${rows.slice(0, SHOWN_ROWS).map((row, index) => html`<tr key=${index}>
        ${columns.map(([path, , num]) => html`<td key=${path} class=${num ? "num" : undefined}>
          ${shown(valueAt(row, path))}</td>`)}</tr>`)}</tbody>
      ${totals && html`<tfoot><tr>${columns.map(([path, , num], index) => {
        const value = valueAt(totals, path);
        if (index === 0 && value === undefined) return html`<th key=${path} scope="row">Totals</th>`;
        return html`<td key=${path} class=${num ? "num" : undefined}>${shown(value)}</td>`;
      })}</tr></tfoot>`}
    </table><//>`;
}

// The tab shown keeps its own form (`key`): switching tabs starts from the query.
export function Reports({ query }) {
  const report = NAMES.includes(query.report) ? query.report : "sales";
  return html`<${ReportScreen} key=${report} report=${report} query=${query} />`;
}

function ReportScreen({ report, query }) {
  const spec = REPORTS[report];
  const params = Object.fromEntries(spec.params.map((name) => [name, query[name] || ""]));
  const stores = useMyStores();
  const categories = useCategories();
  const state = useLoad(() => get(`/reports/${report}`, params), [report, JSON.stringify(params)]);
  const form = useForm(Object.fromEntries(spec.params.map((name) => [name, query[name] || ""])));
  const apply = (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries(spec.params.map((name) => [name, form.values[name]]));
    navigate("reports", { report, ...Object.fromEntries(Object.entries(chosen).filter(([, v]) => v !== "")) });
  };
  return html`
    <${PageHeader} title="Reports" />
    <nav aria-label="Reports" class="report-tabs"><ul>${NAMES.map((name) => html`<li key=${name}>
      <a href=${href(`reports?report=${name}`)} aria-current=${name === report ? "page" : undefined}>
        ${REPORTS[name].title}</a></li>`)}</ul></nav>
    <h2>${spec.title}</h2>
    <form class="filters" aria-label=${`${spec.title} parameters`} onSubmit=${apply}>
      ${spec.params.map((name) => html`<${ParamField} key=${name} name=${name} form=${form}
        stores=${stores.data} categories=${categories.data} />`)}
      <button type="submit">Show</button>
    </form>
    <${Downloads} report=${report} params=${params} />
    ${state.data ? html`<${ReportTable} report=${report} data=${state.data} />`
      : html`<${ListState} state=${state} />`}`;
}
