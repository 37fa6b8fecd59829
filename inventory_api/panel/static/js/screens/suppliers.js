// Suppliers: the list (search, archived), and one supplier with its purchase
// orders and, for managers, its performance figures.

import { get, list } from "../api.js";
import { html, useState } from "../lib.js";
import { MANAGERS } from "../roles.js";
import { href, navigate } from "../router.js";
import { Input, ListState, PageHeader, Pager, Select, TableWrap, useForm, useLoad } from "../ui.js";
import { day, Facts, useNames } from "./clients.js";

const FILTERS = ["q", "active", "page"];
const ACTIVE = [["true", "Active"], ["false", "Archived"]];

// A fraction 0–1 from the API as a percentage with one decimal ("28.6 %").
function percent(fraction) {
  return fraction === null || fraction === undefined ? "" : `${(fraction * 100).toFixed(1)} %`;
}

export function SupplierList({ query }) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query[name] || ""]));
  const state = useLoad(() => list("/suppliers", { ...filters, page_size: 20 }),
    [JSON.stringify(filters)]);
  const form = useForm(filters);
  const apply = (event) => {
    event.preventDefault();
    const { page: _, ...rest } = form.values;
    navigate("suppliers", Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== "")));
  };
  const rows = state.data?.items || [];
  return html`
    <${PageHeader} title="Suppliers" />
    <form class="filters" role="search" onSubmit=${apply}>
      <${Input} label="Search" type="search" placeholder="Name, tax id or email" ...${form.bind("q")} />
      <${Select} label="Show" options=${ACTIVE} empty="All" ...${form.bind("active")} />
      <button type="submit">Search</button>
    </form>
    <${ListState} state=${state} empty="No supplier matches these filters." />
    ${rows.length > 0 && html`<${TableWrap} label="Suppliers"><table class="striped stack">
      <thead><tr><th scope="col">Name</th><th scope="col">Contact</th><th scope="col">Email</th>
        <th scope="col">Phone</th><th scope="col" class="num">Lead time (days)</th></tr></thead>
      <tbody>${rows.map((supplier) => html`<tr key=${supplier.id}>
        <td data-label="Name"><a href=${href(`suppliers/${supplier.id}`)}>${supplier.name}</a>
          ${supplier.active ? "" : " (archived)"}</td>
        <td data-label="Contact">${supplier.contact_name}</td>
        <td data-label="Email">${supplier.email}</td><td data-label="Phone">${supplier.phone}</td>
        <td data-label="Lead time (days)" class="num">${supplier.lead_time_days}</td>
      </tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${(page) => navigate("suppliers", { ...filters, page })} />`;
}

function Performance({ supplierId }) {
  const state = useLoad(() => get(`/suppliers/${supplierId}/performance`), [supplierId]);
  if (!state.data) return html`<${ListState} state=${state} />`;
  const figures = state.data;
  return html`<section aria-labelledby="performance-title">
    <h2 id="performance-title">Performance</h2>
    <${Facts} facts=${[["Orders", figures.orders_count], ["Received", figures.received_count],
      ["On time", percent(figures.on_time_rate)], ["Fill rate", percent(figures.fill_rate)],
      ["Average lead time (days)", figures.avg_lead_time_days],
      ["Total received (value)", figures.total_spent], ["Last order", day(figures.last_order_at)],
      ["Rating (1–5)", figures.rating ?? "not rated"]]} />
  </section>`;
}

function SupplierOrders({ supplierId }) {
  const [page, setPage] = useState(1);
  const state = useLoad(() => list(`/suppliers/${supplierId}/purchase-orders`, { page, page_size: 10 }),
    [supplierId, page]);
  const rows = state.data?.items || [];
  const stores = useNames("/stores", rows.map((order) => order.store_id));
  return html`<section aria-labelledby="orders-title">
    <h2 id="orders-title">Purchase orders</h2>
    <${ListState} state=${state} empty="No purchase order from this supplier yet." />
    ${rows.length > 0 && html`<${TableWrap} label="Purchase orders of the supplier"><table class="stack">
      <thead><tr><th scope="col">Order</th><th scope="col">Store</th><th scope="col">Status</th>
        <th scope="col">Expected</th><th scope="col" class="num">Total</th></tr></thead>
      <tbody>${rows.map((order) => html`<tr key=${order.id}>
        <td data-label="Order"><a href=${href(`purchase-orders/${order.id}`)}>PO #${order.id}</a></td>
        <td data-label="Store">${stores[order.store_id] || `#${order.store_id}`}</td>
        <td data-label="Status">${order.status.replace(/_/g, " ")}</td>
        <td data-label="Expected">${order.expected_date}</td>
        <td data-label="Total" class="num">${order.total}</td></tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${setPage} />
  </section>`;
}

export function SupplierDetail({ params, user }) {
  const state = useLoad(() => get(`/suppliers/${params.id}`), [params.id]);
  if (!state.data) return html`<${PageHeader} title="Supplier" /><${ListState} state=${state} />`;
  const supplier = state.data;
  return html`
    <${PageHeader} title=${supplier.name} />
    <${Facts} facts=${[["Contact", supplier.contact_name], ["Email", supplier.email],
      ["Phone", supplier.phone], ["Tax id", supplier.tax_id], ["Address", supplier.address],
      ["Lead time (days)", supplier.lead_time_days], ["Notes", supplier.notes],
      ["Active", supplier.active ? "yes" : "archived"]]} />
    ${MANAGERS.includes(user.role) && html`<${Performance} supplierId=${supplier.id} />`}
    <${SupplierOrders} supplierId=${supplier.id} />
    <p><a href=${href("suppliers")}>Back to suppliers</a></p>`;
}
