// The stock ledger (GET /movements), newest first, with its filters. Deep
// history is read with the keyset `before_id` ("Older" = below the last
// row's id), which stays fast on a large ledger; page numbers serve the
// nearer pages.

import { list } from "../api.js";
import { loadAll } from "../data.js";
import { html } from "../lib.js";
import { ProductPicker } from "../pickers.js";
import { href, navigate } from "../router.js";
import { Input, ListState, PageHeader, Select, TableWrap, useForm, useLoad } from "../ui.js";
import { productLabel, recordsById, storeNames, when } from "./orders.js";

const TYPES = ["receipt", "issue", "adjustment", "purchase_receipt", "purchase_return", "sale",
  "sale_return", "order", "order_return", "transfer_out", "transfer_in"];
const FILTERS = ["product_id", "store_id", "type", "date_from", "date_to", "before_id", "page"];
const PAGE_SIZE = 20;

async function loadLedger(filters) {
  const result = await list("/movements", { ...filters, page_size: PAGE_SIZE });
  const ids = result.items.map((movement) => movement.product_id);
  if (filters.product_id) ids.push(Number(filters.product_id));
  const [products, stores] = await Promise.all([recordsById("/products", ids), storeNames()]);
  return { ...result, products, stores };
}

// The page numbers to offer: the first, the last and two either side of the current.
function pageNumbers(page) {
  const shown = new Set([1, page.total_pages]);
  for (let n = page.page - 2; n <= page.page + 2; n += 1) if (n >= 1 && n <= page.total_pages) shown.add(n);
  return [...shown].sort((a, b) => a - b);
}

function LedgerPager({ page, rows, filters, go }) {
  if (!page) return null;
  const last = rows[rows.length - 1];
  const keyset = Boolean(filters.before_id);
  return html`<nav class="pager ledger-pager" aria-label="Pages">
    ${keyset && html`<button type="button" class="secondary" onClick=${() => go({ before_id: "", page: "" })}>
      Newest</button>`}
    ${!keyset && page.total_pages > 1 && html`<ul class="page-numbers">${pageNumbers(page).map((n) => html`
      <li key=${n}><button type="button" class=${n === page.page ? "" : "outline"}
        aria-current=${n === page.page ? "page" : undefined} aria-label=${`Page ${n}`}
        onClick=${() => go({ page: n })}>${n}</button></li>`)}</ul>`}
    <span aria-live="polite">${keyset ? `${page.total} older than #${filters.before_id}`
      : `Page ${page.page} of ${page.total_pages} (${page.total} in all)`}</span>
    <button type="button" class="secondary" disabled=${!last || !page.next_page}
      onClick=${() => go({ before_id: last.id, page: "" })}>Older</button>
  </nav>`;
}

export function Ledger({ query }) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query[name] || ""]));
  const state = useLoad(() => loadLedger(filters), [JSON.stringify(filters)]);
  const stores = useLoad(() => loadAll("/stores"), []);
  const form = useForm({ store_id: filters.store_id, type: filters.type, date_from: filters.date_from,
    date_to: filters.date_to });
  const go = (changes) => {
    const next = { ...filters, ...changes };
    navigate("ledger", Object.fromEntries(Object.entries(next).filter(([, v]) => v !== "")));
  };
  const apply = (event) => {
    event.preventDefault();
    go({ ...form.values, before_id: "", page: "" });
  };
  const rows = state.data?.items || [];
  const products = state.data?.products || {};
  const names = state.data?.stores || {};
  return html`
    <${PageHeader} title="Stock movements" />
    <${ProductPicker} label="Product (SKU, barcode or name)"
      onPick=${(product) => go({ product_id: product.id, before_id: "", page: "" })} />
    ${filters.product_id && html`<p class="chosen-filter">Product: <strong>${productLabel(products, filters.product_id)}</strong>
      <button type="button" class="secondary outline"
        onClick=${() => go({ product_id: "", before_id: "", page: "" })}>Any product</button></p>`}
    <form class="filters" role="search" aria-label="Movement filters" onSubmit=${apply}>
      <${Select} label="Store" options=${(stores.data || []).map((store) => [String(store.id), store.name])}
        empty="Any store" ...${form.bind("store_id")} />
      <${Select} label="Type" options=${TYPES.map((type) => [type, type.replace("_", " ")])} empty="Any type"
        ...${form.bind("type")} />
      <${Input} label="From date" type="date" ...${form.bind("date_from")} />
      <${Input} label="To date" type="date" ...${form.bind("date_to")} />
      <button type="submit">Filter</button>
    </form>
    <${ListState} state=${state} empty="No movement matches these filters." />
    ${rows.length > 0 && html`<${TableWrap} label="Movements"><table class="striped stack">
      <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Type</th>
        <th scope="col">Product</th><th scope="col">Store</th><th scope="col" class="num">Quantity</th>
        <th scope="col" class="num">Balance after</th><th scope="col" class="num">Unit cost</th>
        <th scope="col">Reference</th><th scope="col">Reason</th></tr></thead>
      <tbody>${rows.map((movement) => html`<tr key=${movement.id}>
        <td data-label="#">${movement.id}</td>
        <td data-label="When">${when(movement.created_at)}</td>
        <td data-label="Type">${movement.type}</td>
        <td data-label="Product"><a href=${href(`products/${movement.product_id}`)}>
          ${productLabel(products, movement.product_id)}</a>${movement.lot ? ` (lot ${movement.lot})` : ""}</td>
        <td data-label="Store">${names[movement.store_id] || `Store #${movement.store_id}`}</td>
        <td data-label="Quantity" class="num">${movement.quantity}</td>
        <td data-label="Balance after" class="num">${movement.balance_after}</td>
        <td data-label="Unit cost" class="num">${movement.unit_cost ?? ""}</td>
        <td data-label="Reference">${movement.reference_type
          ? `${movement.reference_type} ${movement.reference_id}` : ""}</td>
        <td data-label="Reason">${movement.reason || ""}</td></tr>`)}</tbody>
    </table><//>`}
    <${LedgerPager} page=${state.data?.page} rows=${rows} filters=${filters} go=${go} />`;
}
