// Purchase orders: the list by status, the new-order form (managers), and one
// order with its lines and the steps of its flow: submit and cancel
// (managers), receive per line with lot and expiry for tracked products (staff).

import { get, list } from "../api.js";
import { loadAll, useMyStores } from "../data.js";
import { html, useState } from "../lib.js";
import { ProductPicker } from "../pickers.js";
import { MANAGERS } from "../roles.js";
import { href, navigate } from "../router.js";
import {
  ErrorBox, Input, ListState, PageHeader, Pager, Select, TableWrap, useForm, useLoad, useWrite,
} from "../ui.js";
import { day, Facts, useNames } from "./clients.js";

const STATUSES = [["draft", "Draft"], ["ordered", "Ordered"],
  ["partially_received", "Partially received"], ["received", "Received"], ["cancelled", "Cancelled"]];
const STATUS_TEXT = Object.fromEntries(STATUSES);
const RECEIVABLE = ["ordered", "partially_received"];
const FILTERS = ["status", "supplier_id", "store_id", "page"];

function options(records) {
  return (records || []).map((record) => [String(record.id), record.name]);
}

function useSuppliers() {
  return useLoad(() => loadAll("/suppliers", { active: true }), []);
}

// ---- list ------------------------------------------------------------------------

export function PurchaseOrderList({ query, user }) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query[name] || ""]));
  const state = useLoad(() => list("/purchase-orders", { ...filters, page_size: 20 }),
    [JSON.stringify(filters)]);
  const rows = state.data?.items || [];
  const suppliers = useNames("/suppliers", rows.map((order) => order.supplier_id));
  const stores = useNames("/stores", rows.map((order) => order.store_id));
  const supplierList = useSuppliers();
  const storeList = useMyStores();
  const form = useForm(filters);
  const apply = (event) => {
    event.preventDefault();
    const { page: _, ...rest } = form.values;
    navigate("purchase-orders", Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== "")));
  };
  return html`
    <${PageHeader} title="Purchase orders">
      ${MANAGERS.includes(user.role) && html`<button type="button"
        onClick=${() => navigate("purchase-orders/new")}>New purchase order</button>`}
    <//>
    <form class="filters" role="search" aria-label="Purchase order filters" onSubmit=${apply}>
      <${Select} label="Status" options=${STATUSES} empty="Any status" ...${form.bind("status")} />
      <${Select} label="Supplier" options=${options(supplierList.data)} empty="Any supplier"
        ...${form.bind("supplier_id")} />
      <${Select} label="Store" options=${options(storeList.data)} empty="Any store"
        ...${form.bind("store_id")} />
      <button type="submit">Filter</button>
    </form>
    <${ListState} state=${state} empty="No purchase order matches these filters." />
    ${rows.length > 0 && html`<${TableWrap} label="Purchase orders"><table class="striped stack">
      <thead><tr><th scope="col">Order</th><th scope="col">Supplier</th><th scope="col">Store</th>
        <th scope="col">Status</th><th scope="col">Expected</th><th scope="col" class="num">Total</th></tr></thead>
      <tbody>${rows.map((order) => html`<tr key=${order.id}>
        <td data-label="Order"><a href=${href(`purchase-orders/${order.id}`)}>PO #${order.id}</a></td>
        <td data-label="Supplier">${suppliers[order.supplier_id] || `#${order.supplier_id}`}</td>
        <td data-label="Store">${stores[order.store_id] || `#${order.store_id}`}</td>
        <td data-label="Status">${STATUS_TEXT[order.status] || order.status}</td>
        <td data-label="Expected">${order.expected_date}</td>
        <td data-label="Total" class="num">${order.total}</td>
      </tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${(page) => navigate("purchase-orders", { ...filters, page })} />`;
}

// ---- new order -------------------------------------------------------------------------

const ORDER_FIELDS = ["supplier_id", "store_id", "expected_date", "notes"];

export function PurchaseOrderNew() {
  const suppliers = useSuppliers();
  const stores = useMyStores();
  const form = useForm({ supplier_id: "", store_id: "", expected_date: "", notes: "" });
  const [lines, setLines] = useState([]);
  const write = useWrite();
  const add = (product) => setLines((current) => current.some((line) => line.product.id === product.id)
    ? current : [...current, { product, quantity: "1", unit_cost: product.cost || "" }]);
  const change = (index, name, value) => setLines((current) =>
    current.map((line, i) => (i === index ? { ...line, [name]: value } : line)));
  const remove = (index) => setLines((current) => current.filter((_, i) => i !== index));
  const save = async (event) => {
    event.preventDefault();
    const body = {
      supplier_id: form.values.supplier_id ? Number(form.values.supplier_id) : null,
      store_id: form.values.store_id ? Number(form.values.store_id) : null,
      lines: lines.map((line) => ({ product_id: line.product.id, quantity: line.quantity,
        unit_cost: line.unit_cost })),
    };
    if (form.values.expected_date) body.expected_date = form.values.expected_date;
    if (form.values.notes) body.notes = form.values.notes;
    const result = await write.submit("POST", "/purchase-orders", body);
    if (result) navigate(`purchase-orders/${result.data.id}`);
  };
  const shown = [...ORDER_FIELDS, ...lines.flatMap((_, i) => [`lines.${i}.quantity`, `lines.${i}.unit_cost`])];
  return html`
    <${PageHeader} title="New purchase order" />
    <${ProductPicker} onPick=${add} label="Add a product (SKU, barcode or name)" />
    <form onSubmit=${save} novalidate>
      ${lines.length === 0 ? html`<p>No line yet: find a product above to add it.</p>` : html`
        <${TableWrap} label="Order lines"><table class="stack">
          <thead><tr><th scope="col">Product</th><th scope="col">Quantity</th>
            <th scope="col">Unit cost</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead>
          <tbody>${lines.map((line, i) => html`<tr key=${line.product.id}>
            <td data-label="Product">${line.product.sku} · ${line.product.name}</td>
            <td data-label="Quantity"><${Input} label=${`Quantity of ${line.product.sku}`} hideLabel
              name=${`lines.${i}.quantity`} inputmode="decimal" value=${line.quantity} error=${write.error}
              onInput=${(event) => change(i, "quantity", event.currentTarget.value)} /></td>
            <td data-label="Unit cost"><${Input} label=${`Unit cost of ${line.product.sku}`} hideLabel
              name=${`lines.${i}.unit_cost`} inputmode="decimal" value=${line.unit_cost} error=${write.error}
              onInput=${(event) => change(i, "unit_cost", event.currentTarget.value)} /></td>
            <td data-label=""><button type="button" class="secondary" onClick=${() => remove(i)}>
              Remove <span class="visually-hidden">${line.product.sku}</span></button></td>
          </tr>`)}</tbody>
        </table><//>`}
      <div class="form-grid">
        <${Select} label="Supplier" options=${options(suppliers.data)} empty="Choose a supplier"
          error=${write.error} ...${form.bind("supplier_id")} />
        <${Select} label="Store (receives the goods)" options=${options(stores.data)} empty="Choose a store"
          error=${write.error} ...${form.bind("store_id")} />
        <${Input} label="Expected date (optional)" type="date" error=${write.error}
          ...${form.bind("expected_date")} />
        <${Input} label="Notes (optional)" error=${write.error} ...${form.bind("notes")} />
      </div>
      <${ErrorBox} error=${write.error} shown=${shown} />
      <div class="actions">
        <button type="submit" aria-busy=${write.busy ? "true" : undefined} disabled=${write.busy}>
          Create draft</button>
        <button type="button" class="secondary" onClick=${() => navigate("purchase-orders")}>Cancel</button>
      </div>
    </form>`;
}

// ---- one order -------------------------------------------------------------------------

async function loadOrder(id) {
  const order = await get(`/purchase-orders/${id}`);
  const ids = [...new Set(order.lines.map((line) => line.product_id))];
  const [supplier, store, ...products] = await Promise.all([
    get(`/suppliers/${order.supplier_id}`), get(`/stores/${order.store_id}`),
    ...ids.map((productId) => get(`/products/${productId}`))]);
  return { order, supplier, store, products: Object.fromEntries(products.map((p) => [p.id, p])) };
}

// A flow step (submit / cancel): one button, with a confirmation for cancel.
function Step({ order, action, label, confirm, onDone }) {
  const [asking, setAsking] = useState(false);
  const write = useWrite();
  const run = async () => {
    if (await write.submit("POST", `/purchase-orders/${order.id}/${action}`, {})) {
      setAsking(false);
      onDone();
    }
  };
  const busy = write.busy ? "true" : undefined;
  return html`<div class="step">
    ${confirm && asking ? html`<div role="group" aria-label=${`Confirm: ${label}`} class="actions">
        <button type="button" class="contrast" aria-busy=${busy} onClick=${run}>${confirm}</button>
        <button type="button" class="secondary" onClick=${() => setAsking(false)}>Keep it</button>
      </div>`
      : html`<button type="button" class=${confirm ? "secondary" : undefined} aria-busy=${busy}
        onClick=${() => (confirm ? setAsking(true) : run())}>${label}</button>`}
    <${ErrorBox} error=${write.error} />
  </div>`;
}

// Receive: a row per outstanding line (quantity defaults to what is
// outstanding; lot and expiry for lot-tracked products). Lines left at 0 or
// blank are not sent; `sent` maps the request's line index back to its row,
// so the API's per-line messages show under the right inputs.
function ReceiveForm({ order, products, onDone }) {
  const open = order.lines.filter((line) => line.outstanding_quantity !== "0.000");
  const [rows, setRows] = useState(open.map((line) =>
    ({ line, quantity: line.outstanding_quantity, lot: "", expiry_date: "" })));
  const [sent, setSent] = useState([]);
  const write = useWrite();
  const change = (index, name, value) => setRows((current) =>
    current.map((row, i) => (i === index ? { ...row, [name]: value } : row)));
  const save = async (event) => {
    event.preventDefault();
    const chosen = rows.map((row, i) => [row, i]).filter(([row]) => row.quantity.trim() !== ""
      && !/^0*(\.0*)?$/.test(row.quantity.trim()));
    setSent(chosen.map(([, i]) => i));
    const lines = chosen.map(([row]) => {
      const line = { line_id: row.line.id, quantity: row.quantity.trim() };
      if (row.lot.trim()) line.lot = row.lot.trim();
      if (row.expiry_date) line.expiry_date = row.expiry_date;
      return line;
    });
    if (await write.submit("POST", `/purchase-orders/${order.id}/receive`, { lines })) onDone();
  };
  const fieldName = (i, name) => (sent.includes(i) ? `lines.${sent.indexOf(i)}.${name}` : `row${i}.${name}`);
  const shown = rows.flatMap((_, i) => ["quantity", "lot", "expiry_date"].map((name) => fieldName(i, name)));
  return html`<form onSubmit=${save} novalidate aria-labelledby="receive-title">
    <h2 id="receive-title">Receive goods</h2>
    <${TableWrap} label="Lines to receive"><table class="stack">
      <thead><tr><th scope="col">Product</th><th scope="col" class="num">Outstanding</th>
        <th scope="col">Receive now</th><th scope="col">Lot</th><th scope="col">Expiry date</th></tr></thead>
      <tbody>${rows.map((row, i) => {
        const product = products[row.line.product_id];
        const sku = product?.sku || `#${row.line.product_id}`;
        return html`<tr key=${row.line.id}>
          <td data-label="Product">${sku} · ${product?.name}</td>
          <td data-label="Outstanding" class="num">${row.line.outstanding_quantity}</td>
          <td data-label="Receive now"><${Input} label=${`Receive now of ${sku}`} hideLabel
            name=${fieldName(i, "quantity")} inputmode="decimal" value=${row.quantity} error=${write.error}
            onInput=${(event) => change(i, "quantity", event.currentTarget.value)} /></td>
          <td data-label="Lot">${product?.track_lots ? html`<${Input} label=${`Lot of ${sku}`} hideLabel
            name=${fieldName(i, "lot")} value=${row.lot} error=${write.error} autocomplete="off"
            onInput=${(event) => change(i, "lot", event.currentTarget.value)} />` : "not tracked"}</td>
          <td data-label="Expiry date">${product?.track_lots ? html`<${Input} label=${`Expiry date of ${sku}`}
            hideLabel type="date" name=${fieldName(i, "expiry_date")} value=${row.expiry_date}
            error=${write.error} onInput=${(event) => change(i, "expiry_date", event.currentTarget.value)} />` : ""}</td>
        </tr>`;
      })}</tbody>
    </table><//>
    <${ErrorBox} error=${write.error} shown=${shown} />
    <button type="submit" aria-busy=${write.busy ? "true" : undefined} disabled=${write.busy}>
      Receive</button>
  </form>`;
}

export function PurchaseOrderDetail({ params, user }) {
  const state = useLoad(() => loadOrder(params.id), [params.id]);
  if (!state.data) return html`<${PageHeader} title="Purchase order" /><${ListState} state=${state} />`;
  const { order, supplier, store, products } = state.data;
  const manager = MANAGERS.includes(user.role);
  return html`
    <${PageHeader} title=${`Purchase order #${order.id}`}>
      ${manager && order.status === "draft" && html`<${Step} order=${order} action="submit"
        label="Submit to supplier" onDone=${state.reload} />`}
      ${manager && ["draft", "ordered"].includes(order.status) && html`<${Step} order=${order}
        action="cancel" label="Cancel order" confirm=${`Yes, cancel PO #${order.id}`} onDone=${state.reload} />`}
    <//>
    <${Facts} facts=${[
      ["Status", STATUS_TEXT[order.status] || order.status],
      ["Supplier", html`<a href=${href(`suppliers/${supplier.id}`)}>${supplier.name}</a>`],
      ["Store", store.name], ["Expected", order.expected_date], ["Total", order.total],
      ["Ordered", day(order.ordered_at)], ["Received", day(order.received_at)],
      ["Cancelled", day(order.cancelled_at)], ["Notes", order.notes]]} />
    <${TableWrap} label="Lines"><table class="stack">
      <caption>Lines</caption>
      <thead><tr><th scope="col">Product</th><th scope="col" class="num">Quantity</th>
        <th scope="col" class="num">Unit cost</th><th scope="col" class="num">Line total</th>
        <th scope="col" class="num">Received</th><th scope="col" class="num">Outstanding</th></tr></thead>
      <tbody>${order.lines.map((line) => html`<tr key=${line.id}>
        <td data-label="Product"><a href=${href(`products/${line.product_id}`)}>
          ${products[line.product_id]?.sku} · ${products[line.product_id]?.name}</a></td>
        <td data-label="Quantity" class="num">${line.quantity}</td>
        <td data-label="Unit cost" class="num">${line.unit_cost}</td>
        <td data-label="Line total" class="num">${line.line_total}</td>
        <td data-label="Received" class="num">${line.received_quantity}</td>
        <td data-label="Outstanding" class="num">${line.outstanding_quantity}</td></tr>`)}</tbody>
    </table><//>
    ${RECEIVABLE.includes(order.status) && html`<${ReceiveForm} key=${order.updated_at}
      order=${order} products=${products} onDone=${state.reload} />`}
    <p><a href=${href("purchase-orders")}>Back to purchase orders</a></p>`;
}
