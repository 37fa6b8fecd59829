// Transfers between stores: the list (staff), a new transfer (managers and
// admins: all lines move or none) and one transfer with its lines and the
// transfer_out / transfer_in movements it wrote.

import { get, list } from "../api.js";
import { loadAll, useMyStores } from "../data.js";
import { html, useState } from "../lib.js";
import { ProductPicker } from "../pickers.js";
import { MANAGERS } from "../roles.js";
import { href, navigate } from "../router.js";
import { ErrorBox, Input, ListState, PageHeader, Pager, Select, TableWrap, useLoad, useWrite } from "../ui.js";
import { productLabel, recordsById, storeNames, when } from "./orders.js";

const storeOptions = (stores) => (stores || []).map((store) => [String(store.id), store.name]);

// ---- list -------------------------------------------------------------------------------

async function loadTransfers(filters) {
  const [result, stores] = await Promise.all([list("/transfers", { ...filters, page_size: 20 }), storeNames()]);
  return { ...result, stores };
}

export function TransferList({ query, user }) {
  const filters = { store_id: query.store_id || "", page: query.page || "" };
  const state = useLoad(() => loadTransfers(filters), [JSON.stringify(filters)]);
  const stores = useLoad(() => loadAll("/stores"), []);
  const names = state.data?.stores || {};
  return html`
    <${PageHeader} title="Transfers">
      ${MANAGERS.includes(user.role) && html`<button type="button" onClick=${() => navigate("transfers/new")}>
        New transfer</button>`}
    <//>
    <div class="filters">
      <${Select} label="Store (either side)" options=${storeOptions(stores.data)} empty="Any store"
        value=${filters.store_id} onInput=${(event) => navigate("transfers",
          event.currentTarget.value ? { store_id: event.currentTarget.value } : undefined)} />
    </div>
    <${ListState} state=${state} empty="No transfers." />
    ${state.data?.items.length > 0 && html`<${TableWrap} label="Transfers"><table class="striped stack">
      <thead><tr><th scope="col">Transfer</th><th scope="col">Date</th><th scope="col">From</th>
        <th scope="col">To</th><th scope="col" class="num">Lines</th><th scope="col">Notes</th></tr></thead>
      <tbody>${state.data.items.map((transfer) => html`<tr key=${transfer.id}>
        <td data-label="Transfer"><a href=${href(`transfers/${transfer.id}`)}>Transfer ${transfer.id}</a></td>
        <td data-label="Date">${when(transfer.created_at)}</td>
        <td data-label="From">${names[transfer.from_store_id] || transfer.from_store_id}</td>
        <td data-label="To">${names[transfer.to_store_id] || transfer.to_store_id}</td>
        <td data-label="Lines" class="num">${transfer.lines.length}</td>
        <td data-label="Notes">${transfer.notes || ""}</td></tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${(page) => navigate("transfers", { ...filters, page })} />`;
}

// ---- new ---------------------------------------------------------------------------------

export function TransferNew() {
  const from = useMyStores();
  const to = useLoad(() => loadAll("/stores", { active: true }), []);
  const [values, setValues] = useState({ from: "", to: "", notes: "" });
  const [lines, setLines] = useState([]);
  const write = useWrite();
  const fromId = values.from || (from.data?.[0] ? String(from.data[0].id) : "");
  const toId = values.to || String((to.data || []).find((store) => String(store.id) !== fromId)?.id ?? "");
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const pick = (product) => {
    if (!lines.some((line) => line.product.id === product.id)) {
      setLines([...lines, { product, quantity: "1", lot: "" }]);
    }
  };
  const change = (index, changes) => setLines(lines.map((line, i) => (i === index ? { ...line, ...changes } : line)));
  const save = async (event) => {
    event.preventDefault();
    const body = {
      from_store_id: Number(fromId) || undefined,
      to_store_id: Number(toId) || undefined,
      lines: lines.map((line) => ({ product_id: line.product.id, quantity: line.quantity.trim(),
        ...(line.lot.trim() ? { lot: line.lot.trim() } : {}) })),
    };
    if (values.notes.trim()) body.notes = values.notes.trim();
    const result = await write.submit("POST", "/transfers", body);
    if (result) navigate(`transfers/${result.data.id}`);
  };
  return html`
    <${PageHeader} title="New transfer" />
    <div class="form-grid">
      <${Select} label="From store" name="from_store_id" value=${fromId} error=${write.error}
        options=${storeOptions(from.data)} onInput=${set("from")} />
      <${Select} label="To store" name="to_store_id" value=${toId} error=${write.error}
        options=${storeOptions(to.data)} onInput=${set("to")} />
    </div>
    <${ProductPicker} onPick=${pick} label="Add product (SKU, barcode or name)" />
    <form onSubmit=${save} novalidate aria-label="Transfer">
      ${lines.length === 0 ? html`<p>No lines yet: add the products to move above.</p>`
        : html`<ul class="line-cards" aria-label="Transfer lines">${lines.map((line, index) => html`
          <li key=${line.product.id}>
            <div class="line-title"><strong>${line.product.sku}</strong> ${line.product.name}
              <small> (${line.product.unit})</small></div>
            <div class="count-fields">
              <${Input} label=${`Quantity of ${line.product.sku}`} inputmode="decimal" value=${line.quantity}
                name=${`lines.${index}.quantity`} error=${write.error}
                onInput=${(event) => change(index, { quantity: event.currentTarget.value })} />
              ${line.product.track_lots && html`<${Input} label=${`Lot of ${line.product.sku} (optional)`}
                value=${line.lot} name=${`lines.${index}.lot`} error=${write.error}
                onInput=${(event) => change(index, { lot: event.currentTarget.value })} />`}
            </div>
            <button type="button" class="secondary outline" aria-label=${`Remove ${line.product.sku}`}
              onClick=${() => setLines(lines.filter((_, i) => i !== index))}>Remove</button>
          </li>`)}</ul>`}
      <${Input} label="Notes (optional)" name="notes" value=${values.notes} error=${write.error}
        onInput=${set("notes")} />
      <${ErrorBox} error=${from.error || to.error || write.error} shown=${["from_store_id", "to_store_id",
        "notes", ...lines.flatMap((_, i) => [`lines.${i}.quantity`, `lines.${i}.lot`])]} />
      <div class="actions">
        <button type="submit" disabled=${write.busy || lines.length === 0}
          aria-busy=${write.busy ? "true" : undefined}>Make transfer</button>
        <button type="button" class="secondary" onClick=${() => navigate("transfers")}>Cancel</button>
      </div>
    </form>`;
}

// ---- one transfer ----------------------------------------------------------------------------

async function loadTransfer(id) {
  const transfer = await get(`/transfers/${id}`);
  const [products, stores] = await Promise.all([
    recordsById("/products", transfer.lines.map((line) => line.product_id)), storeNames()]);
  return { transfer, products, stores };
}

export function TransferDetail({ params }) {
  const state = useLoad(() => loadTransfer(params.id), [params.id]);
  if (!state.data) return html`<${PageHeader} title=${`Transfer ${params.id}`} /><${ListState} state=${state} />`;
  const { transfer, products, stores } = state.data;
  const store = (id) => stores[id] || `Store #${id}`;
  return html`
    <${PageHeader} title=${`Transfer ${transfer.id}`} />
    <dl class="facts">
      <div><dt>From</dt><dd>${store(transfer.from_store_id)}</dd></div>
      <div><dt>To</dt><dd>${store(transfer.to_store_id)}</dd></div>
      <div><dt>Date</dt><dd>${when(transfer.created_at)}</dd></div>
      ${transfer.notes && html`<div><dt>Notes</dt><dd>${transfer.notes}</dd></div>`}
    </dl>
    <h2>Lines</h2>
    <${TableWrap} label="Transfer lines"><table class="stack">
      <thead><tr><th scope="col">Product</th><th scope="col">Lot</th><th scope="col" class="num">Quantity</th></tr></thead>
      <tbody>${transfer.lines.map((line) => html`<tr key=${line.id}>
        <td data-label="Product">${productLabel(products, line.product_id)}</td>
        <td data-label="Lot">${line.lot || ""}</td>
        <td data-label="Quantity" class="num">${line.quantity}</td></tr>`)}</tbody>
    </table><//>
    ${transfer.movements?.length > 0 && html`<h2>Movements</h2>
      <${TableWrap} label="Transfer movements"><table class="stack">
        <thead><tr><th scope="col">Movement</th><th scope="col">Type</th><th scope="col">Store</th>
          <th scope="col">Product</th><th scope="col" class="num">Quantity</th>
          <th scope="col" class="num">Balance after</th></tr></thead>
        <tbody>${transfer.movements.map((movement) => html`<tr key=${movement.id}>
          <td data-label="Movement">#${movement.id}</td><td data-label="Type">${movement.type}</td>
          <td data-label="Store">${store(movement.store_id)}</td>
          <td data-label="Product">${productLabel(products, movement.product_id)}</td>
          <td data-label="Quantity" class="num">${movement.quantity}</td>
          <td data-label="Balance after" class="num">${movement.balance_after}</td></tr>`)}</tbody>
      </table><//>`}
    <p><a href=${href("transfers")}>Back to transfers</a></p>`;
}
