// One store's inventory (low and out-of-stock rows stand out) and the
// low-stock alert events: the moments available stock fell below its minimum.

import { list } from "../api.js";
import { loadAll, useMyStores } from "../data.js";
import { html } from "../lib.js";
import { href, navigate } from "../router.js";
import { Input, ListState, PageHeader, Pager, Select, TableWrap, useForm, useLoad } from "../ui.js";
import { productLabel, recordsById, storeNames, when } from "./orders.js";

const STOCK_STATUSES = [["in_stock", "In stock"], ["low", "Low"], ["out", "Out"]];
const STOCK_TEXT = Object.fromEntries(STOCK_STATUSES);

// ---- store inventory ----------------------------------------------------------------------

export function StoreInventory({ query }) {
  const stores = useMyStores();
  const storeId = query.store_id || (stores.data?.[0] ? String(stores.data[0].id) : "");
  const filters = { q: query.q || "", stock_status: query.stock_status || "", page: query.page || "" };
  const state = useLoad(() => (storeId
    ? list(`/stores/${storeId}/inventory`, { ...filters, page_size: 20 }) : Promise.resolve(null)),
  [storeId, JSON.stringify(filters)]);
  const form = useForm({ q: filters.q, stock_status: filters.stock_status });
  const go = (changes) => {
    const next = { store_id: storeId, ...filters, page: "", ...changes };
    navigate("inventory", Object.fromEntries(Object.entries(next).filter(([, v]) => v !== "")));
  };
  const apply = (event) => {
    event.preventDefault();
    go(form.values);
  };
  return html`
    <${PageHeader} title="Store inventory" />
    <form class="filters" role="search" onSubmit=${apply}>
      <${Select} label="Store" name="store_id" value=${storeId}
        options=${(stores.data || []).map((store) => [String(store.id), store.name])}
        onInput=${(event) => go({ store_id: event.currentTarget.value })} />
      <${Input} label="Search" type="search" placeholder="SKU or name" ...${form.bind("q")} />
      <${Select} label="Stock" options=${STOCK_STATUSES} empty="Any stock" ...${form.bind("stock_status")} />
      <button type="submit">Filter</button>
    </form>
    <${ListState} state=${stores.error ? stores : state} empty="No product held in this store matches." />
    ${state.data?.items.length > 0 && html`<${TableWrap} label="Store inventory"><table class="stack">
      <thead><tr><th scope="col">SKU</th><th scope="col">Name</th><th scope="col" class="num">On hand</th>
        <th scope="col" class="num">Reserved</th><th scope="col" class="num">Available</th>
        <th scope="col" class="num">Minimum</th><th scope="col">Status</th></tr></thead>
      <tbody>${state.data.items.map((row) => html`<tr key=${row.product_id} class=${`row-${row.stock_status}`}>
        <td data-label="SKU">${row.sku}</td>
        <td data-label="Name"><a href=${href(`products/${row.product_id}`)}>${row.name}</a>
          ${row.lots?.length > 0 && html`<br /><small>Lots: ${row.lots.map((lot) =>
            `${lot.lot} (${lot.available}${lot.expiry_date ? `, exp. ${lot.expiry_date}` : ""})`).join(", ")}</small>`}</td>
        <td data-label="On hand" class="num">${row.on_hand}</td>
        <td data-label="Reserved" class="num">${row.reserved}</td>
        <td data-label="Available" class="num">${row.available}</td>
        <td data-label="Minimum" class="num">${row.min_stock}</td>
        <td data-label="Status"><span class=${`stock-badge stock-${row.stock_status}`}>
          ${STOCK_TEXT[row.stock_status] || row.stock_status}</span></td></tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${(page) => go({ page })} />`;
}

// ---- alert events ----------------------------------------------------------------------------

const OPEN_CHOICES = [["true", "Open"], ["false", "Resolved"]];

async function loadEvents(filters) {
  const result = await list("/alerts/events", { ...filters, page_size: 20 });
  const [products, stores] = await Promise.all([
    recordsById("/products", result.items.map((event) => event.product_id)), storeNames()]);
  return { ...result, products, stores };
}

export function AlertEvents({ query }) {
  const filters = { open: query.open ?? "true", store_id: query.store_id || "", page: query.page || "" };
  const state = useLoad(() => loadEvents(filters), [JSON.stringify(filters)]);
  const stores = useLoad(() => loadAll("/stores"), []);
  const go = (changes) => navigate("alerts", { ...filters, page: "", ...changes });
  return html`
    <${PageHeader} title="Stock alerts" />
    <div class="filters">
      <${Select} label="Events" options=${OPEN_CHOICES} empty="All" value=${filters.open}
        onInput=${(event) => go({ open: event.currentTarget.value })} />
      <${Select} label="Store" options=${(stores.data || []).map((store) => [String(store.id), store.name])}
        empty="Any store" value=${filters.store_id} onInput=${(event) => go({ store_id: event.currentTarget.value })} />
    </div>
    <${ListState} state=${state} empty="No alert events." />
    ${state.data?.items.length > 0 && html`<${TableWrap} label="Alert events"><table class="striped stack">
      <thead><tr><th scope="col">When</th><th scope="col">Product</th><th scope="col">Store</th>
        <th scope="col" class="num">Available</th><th scope="col" class="num">Minimum</th>
        <th scope="col">Cause</th><th scope="col">Resolved</th></tr></thead>
      <tbody>${state.data.items.map((event) => html`<tr key=${event.id}>
        <td data-label="When">${when(event.created_at)}</td>
        <td data-label="Product"><a href=${href(`products/${event.product_id}`)}>
          ${productLabel(state.data.products, event.product_id)}</a></td>
        <td data-label="Store">${state.data.stores[event.store_id] || `Store #${event.store_id}`}</td>
        <td data-label="Available" class="num">${event.available}</td>
        <td data-label="Minimum" class="num">${event.min_stock}</td>
        <td data-label="Cause">${event.reference_type ? `${event.reference_type} ${event.reference_id}`
          : event.movement_id ? `movement #${event.movement_id}` : "reservation"}</td>
        <td data-label="Resolved">${event.resolved_at ? when(event.resolved_at) : "open"}</td></tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${(page) => go({ page })} />`;
}
