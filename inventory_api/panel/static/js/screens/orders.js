// Orders: the staff board (orders by status, with the transitions the role
// may make as buttons), the customer's own list, and one order with its
// lines and status history. Also the record look-ups the operations screens
// share (product, client and store names for rows that carry only ids).

import { get, list, onSession } from "../api.js";
import { loadAll } from "../data.js";
import { html, useState } from "../lib.js";
import { MANAGERS, STAFF } from "../roles.js";
import { href, navigate } from "../router.js";
import { ErrorBox, Input, ListState, PageHeader, Pager, TableWrap, useLoad, useWrite } from "../ui.js";

// ---- shared look-ups ---------------------------------------------------------------

const records = new Map(); // "/products/3" → Promise of the record, or null when unreadable

onSession(() => records.clear());

// The records at `${base}/${id}` for each id (one request per id, cached for
// the session): {id: record or null}. A record the caller may not read (an
// archived product for a customer) is null, so the row shows its id instead.
export async function recordsById(base, ids) {
  const unique = [...new Set(ids.filter((id) => id !== null && id !== undefined))];
  const found = await Promise.all(unique.map((id) => {
    const path = `${base}/${id}`;
    if (!records.has(path)) records.set(path, get(path).catch(() => null));
    return records.get(path);
  }));
  return Object.fromEntries(unique.map((id, index) => [id, found[index]]));
}

// "SKU · name" of a product looked up with recordsById, or its id.
export function productLabel(products, id) {
  const product = products?.[id];
  return product ? `${product.sku} · ${product.name}` : `Product #${id}`;
}

// {store id: name} of every store (staff only: customers may not list stores).
export async function storeNames() {
  const stores = await loadAll("/stores");
  return Object.fromEntries(stores.map((store) => [store.id, store.name]));
}

// A timestamp of the API (UTC, ISO 8601) as "YYYY-MM-DD HH:MM UTC".
export function when(timestamp) {
  return timestamp ? `${timestamp.slice(0, 10)} ${timestamp.slice(11, 16)} UTC` : "";
}

// ---- statuses and transitions ---------------------------------------------------------

export const ORDER_STATUSES = [["pending", "Pending"], ["confirmed", "Confirmed"],
  ["shipped", "Shipped"], ["delivered", "Delivered"], ["cancelled", "Cancelled"]];
const STATUS_TEXT = Object.fromEntries(ORDER_STATUSES);

// The transitions `user` may make on `order` now: [[action, button text]].
// The API decides in the end; this only hides buttons that would surely fail.
function allowedActions(order, user) {
  const staff = STAFF.includes(user.role);
  const manager = MANAGERS.includes(user.role);
  const actions = [];
  if (staff && order.status === "pending") actions.push(["confirm", "Confirm"]);
  if (staff && order.status === "confirmed") actions.push(["ship", "Ship"]);
  if (staff && order.status === "shipped") actions.push(["deliver", "Mark delivered"]);
  const cancellable = manager ? ["pending", "confirmed"] : user.role === "customer" ? ["pending"] : [];
  if (cancellable.includes(order.status)) actions.push(["cancel", "Cancel order"]);
  return actions;
}

export function StatusBadge({ status }) {
  return html`<span class=${`order-status status-${status}`}>${STATUS_TEXT[status] || status}</span>`;
}

// The transition buttons of one order; `onDone(order)` gets the API's answer.
// With `detailed`, a note (kept in the status history) and, for a
// confirmation, the amount paid now can be given.
function OrderActions({ order, user, onDone, detailed = false }) {
  const write = useWrite();
  const [note, setNote] = useState("");
  const [paid, setPaid] = useState("");
  const [asking, setAsking] = useState(null);
  const actions = allowedActions(order, user);
  if (actions.length === 0) return null;
  const run = async (action) => {
    const body = {};
    if (note.trim()) body.note = note.trim();
    if (action === "confirm" && paid.trim()) body.amount_paid = paid.trim();
    const result = await write.submit("POST", `/orders/${order.id}/${action}`, body);
    setAsking(null);
    if (result) {
      setNote("");
      setPaid("");
      onDone(result.data);
    }
  };
  const click = (action) => (action === "cancel" && asking !== "cancel" ? setAsking("cancel") : run(action));
  return html`<div class="order-actions">
    ${detailed && html`<div class="form-grid">
      <${Input} label="Note for the history (optional)" name="note" value=${note} error=${write.error}
        onInput=${(event) => setNote(event.currentTarget.value)} />
      ${order.status === "pending" && STAFF.includes(user.role) && html`<${Input}
        label="Paid on confirmation (optional)" name="amount_paid" inputmode="decimal" value=${paid}
        error=${write.error} onInput=${(event) => setPaid(event.currentTarget.value)} />`}
    </div>`}
    <div class="actions" role="group" aria-label=${`Actions on order ${order.id}`}>
      ${actions.map(([action, text]) => html`<button type="button" key=${action}
        class=${action === "cancel" ? "secondary" : ""} disabled=${write.busy}
        aria-busy=${write.busy ? "true" : undefined} onClick=${() => click(action)}>
        ${action === "cancel" && asking === "cancel" ? `Yes, cancel order ${order.id}` : text}</button>`)}
      ${asking === "cancel" && html`<button type="button" class="outline"
        onClick=${() => setAsking(null)}>Keep it</button>`}
    </div>
    <${ErrorBox} error=${write.error} shown=${detailed ? ["note", "amount_paid"] : []} />
  </div>`;
}

// ---- lists -----------------------------------------------------------------------------

async function loadOrders(filters, staff) {
  const result = await list("/orders", { ...filters, page_size: 20 });
  if (!staff) return { ...result, clients: {}, stores: {} };
  const [clients, stores] = await Promise.all([
    recordsById("/clients", result.items.map((order) => order.client_id)), storeNames()]);
  return { ...result, clients, stores };
}

function StatusTabs({ path, status }) {
  const tabs = [["", "All"], ...ORDER_STATUSES];
  return html`<nav class="status-tabs" aria-label="Order status">
    <ul>${tabs.map(([value, text]) => html`<li key=${value}>
      <a href=${value ? `${href(path)}?status=${value}` : href(path)}
        aria-current=${(status || "") === value ? "page" : undefined}>${text}</a></li>`)}</ul>
  </nav>`;
}

function OrderRows({ state, user, path }) {
  const { items, clients, stores } = state.data;
  const staff = STAFF.includes(user.role);
  return html`<${TableWrap} label="Orders"><table class="striped stack">
    <thead><tr><th scope="col">Order</th><th scope="col">Created</th>
      ${staff && html`<th scope="col">Client</th><th scope="col">Store</th>`}
      <th scope="col" class="num">Lines</th><th scope="col" class="num">Total</th>
      <th scope="col">Status</th>${staff && html`<th scope="col">Actions</th>`}</tr></thead>
    <tbody>${items.map((order) => html`<tr key=${order.id}>
      <td data-label="Order"><a href=${href(`${path}/${order.id}`)}>Order ${order.id}</a></td>
      <td data-label="Created">${when(order.created_at)}</td>
      ${staff && html`<td data-label="Client">${clients[order.client_id]?.name || `Client #${order.client_id}`}</td>
        <td data-label="Store">${stores[order.store_id] || `Store #${order.store_id}`}</td>`}
      <td data-label="Lines" class="num">${order.lines.length}</td>
      <td data-label="Total" class="num">${order.total}</td>
      <td data-label="Status"><${StatusBadge} status=${order.status} /></td>
      ${staff && html`<td data-label="Actions">
        <${OrderActions} order=${order} user=${user} onDone=${state.reload} /></td>`}
    </tr>`)}</tbody>
  </table><//>`;
}

// The orders list: for staff every order (the board), for a customer its own.
function OrderList({ query, user, path, title }) {
  const staff = STAFF.includes(user.role);
  const filters = { status: query.status || "", page: query.page || "" };
  const state = useLoad(() => loadOrders(filters, staff), [JSON.stringify(filters)]);
  return html`
    <${PageHeader} title=${title}>
      ${!staff && html`<button type="button" onClick=${() => navigate("shop")}>Shop</button>`}
    <//>
    <${StatusTabs} path=${path} status=${filters.status} />
    <${ListState} state=${state} empty=${filters.status
      ? `No ${STATUS_TEXT[filters.status]?.toLowerCase()} orders.` : "No orders yet."} />
    ${state.data?.items.length > 0 && html`<${OrderRows} state=${state} user=${user} path=${path} />`}
    <${Pager} page=${state.data?.page} onPage=${(page) => navigate(path, { ...filters, page })} />`;
}

export function OrderBoard(props) {
  return html`<${OrderList} ...${props} path="orders" title="Orders" />`;
}

export function MyOrders(props) {
  return html`<${OrderList} ...${props} path="my-orders" title="My orders" />`;
}

// ---- one order ---------------------------------------------------------------------------

async function loadOrder(id, staff) {
  const order = await get(`/orders/${id}`);
  const [products, clients, stores] = await Promise.all([
    recordsById("/products", order.lines.map((line) => line.product_id)),
    staff ? recordsById("/clients", [order.client_id]) : {},
    staff ? storeNames() : {},
  ]);
  return { order, products, client: clients[order.client_id], stores };
}

function History({ changes }) {
  return html`<h2>Status history</h2>
    <ol class="history">${changes.map((change, index) => html`<li key=${index}>
      <strong>${STATUS_TEXT[change.to_status] || change.to_status}</strong>
      ${[change.from_status ? ` (from ${STATUS_TEXT[change.from_status] || change.from_status})` : "",
        ` · ${when(change.at)}`, change.user_id ? ` · user #${change.user_id}` : ""].join("")}
      ${change.note && html`<br /><small>${change.note}</small>`}</li>`)}</ol>`;
}

export function OrderDetail({ params, user }) {
  const staff = STAFF.includes(user.role);
  const back = staff ? "orders" : "my-orders";
  const state = useLoad(() => loadOrder(params.id, staff), [params.id]);
  if (!state.data) return html`<${PageHeader} title=${`Order ${params.id}`} /><${ListState} state=${state} />`;
  const { order, products, client, stores } = state.data;
  const facts = [["Status", html`<${StatusBadge} status=${order.status} />`],
    ["Created", when(order.created_at)],
    ...(staff ? [["Client", client?.name || `Client #${order.client_id}`], ["Store", stores[order.store_id] || `Store #${order.store_id}`]] : []),
    ["Total", order.total], ["Paid", order.paid], ["Notes", order.notes]]
    .filter(([, value]) => value !== null && value !== undefined && value !== "");
  return html`
    <${PageHeader} title=${`Order ${order.id}`} />
    <dl class="facts">${facts.map(([name, value]) => html`<div key=${name}>
      <dt>${name}</dt><dd>${value}</dd></div>`)}</dl>
    <${OrderActions} order=${order} user=${user} detailed onDone=${state.reload} />
    <h2>Lines</h2>
    <${TableWrap} label="Order lines"><table class="stack">
      <thead><tr><th scope="col">Product</th><th scope="col" class="num">Quantity</th>
        <th scope="col" class="num">Unit price</th><th scope="col" class="num">Line total</th></tr></thead>
      <tbody>${order.lines.map((line) => html`<tr key=${line.id}>
        <td data-label="Product">${productLabel(products, line.product_id)}</td>
        <td data-label="Quantity" class="num">${line.quantity}</td>
        <td data-label="Unit price" class="num">${line.unit_price}</td>
        <td data-label="Line total" class="num">${line.line_total}</td></tr>`)}</tbody>
      <tfoot><tr><th scope="row" colspan="3">Total</th><td class="num">${order.total}</td></tr></tfoot>
    </table><//>
    <${History} changes=${order.status_history || []} />
    <p><a href=${href(back)}>Back to ${staff ? "orders" : "my orders"}</a></p>`;
}
