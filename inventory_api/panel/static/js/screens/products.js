// Products: the list (search, filters, pages), one product with its stock
// per store, and the create / edit form (managers and admins).

import { get, list, request } from "../api.js";
import { loadAll, useCategories } from "../data.js";
import { html, useState } from "../lib.js";
import { MANAGERS, STAFF } from "../roles.js";
import { href, navigate } from "../router.js";
import {
  Checkbox, ErrorBox, Input, ListState, PageHeader, Pager, Select, TableWrap, useForm, useLoad,
  useWrite,
} from "../ui.js";

const KINDS = [["merchandise", "Merchandise"], ["finished_good", "Finished good"],
  ["raw_material", "Raw material"]];
const UNITS = ["unit", "kg", "g", "l", "ml", "m", "cm", "m2", "box", "pack", "dozen", "pair"];
const STATUSES = [["in_stock", "In stock"], ["low", "Low"], ["out", "Out"]];
const STATUS_TEXT = Object.fromEntries(STATUSES);
const FILTERS = ["q", "kind", "stock_status", "category_id", "active", "page"];

function categoryOptions(categories) {
  return (categories || []).map((category) => [String(category.id), category.name]);
}

// ---- list ------------------------------------------------------------------------

export function ProductList({ query, user }) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query[name] || ""]));
  const staff = STAFF.includes(user.role);
  const categories = useCategories();
  const state = useLoad(() => list("/products", { ...filters, page_size: 20 }),
    [JSON.stringify(filters)]);
  const form = useForm(filters);
  const apply = (event) => {
    event.preventDefault();
    const { page: _, ...rest } = form.values;
    navigate("products", Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== "")));
  };
  const goTo = (page) => navigate("products", { ...filters, page });
  const rows = state.data?.items || [];
  return html`
    <${PageHeader} title="Products">
      ${MANAGERS.includes(user.role) && html`<button type="button" onClick=${() => navigate("products/new")}>New product</button>`}
    <//>
    <form class="filters" role="search" onSubmit=${apply}>
      <${Input} label="Search" type="search" placeholder="Name, SKU or barcode" ...${form.bind("q")} />
      <${Select} label="Kind" options=${KINDS} empty="Any kind" ...${form.bind("kind")} />
      <${Select} label="Category" options=${categoryOptions(categories.data)} empty="Any category"
        ...${form.bind("category_id")} />
      <${Select} label="Stock" options=${STATUSES} empty="Any stock" ...${form.bind("stock_status")} />
      ${staff && html`<${Select} label="Show" options=${[["false", "Archived"]]} empty="Active"
        ...${form.bind("active")} />`}
      <button type="submit">Search</button>
    </form>
    <${ListState} state=${state} empty="No product matches these filters." />
    ${rows.length > 0 && html`<${TableWrap} label="Products"><table class="striped">
      <thead><tr><th scope="col">SKU</th><th scope="col">Name</th><th scope="col" class="num">Price</th>
        ${staff && html`<th scope="col" class="num">Available</th>`}<th scope="col">Stock</th></tr></thead>
      <tbody>${rows.map((product) => html`<tr key=${product.id}>
        <td>${product.sku}</td>
        <td><a href=${href(`products/${product.id}`)}>${product.name}</a></td>
        <td class="num">${product.price}</td>
        ${staff && html`<td class="num">${product.stock_total} ${product.unit}</td>`}
        <td>${STATUS_TEXT[product.stock_status] || product.stock_status}</td>
      </tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${goTo} />`;
}

// ---- one product -------------------------------------------------------------------

async function loadProduct(id, staff) {
  const product = await get(`/products/${id}`);
  if (!staff) return { product, stock: null, stores: {} };
  const [stock, stores] = await Promise.all([get(`/products/${id}/stock`), loadAll("/stores")]);
  return { product, stock, stores: Object.fromEntries(stores.map((s) => [s.id, s.name])) };
}

function StockTable({ stock, stores, unit }) {
  if (!stock.stores.length) return html`<p>No stock in any store yet.</p>`;
  return html`<${TableWrap} label="Stock per store"><table>
    <caption>Stock per store (${unit})</caption>
    <thead><tr><th scope="col">Store</th><th scope="col" class="num">On hand</th>
      <th scope="col" class="num">Reserved</th><th scope="col" class="num">Available</th>
      <th scope="col" class="num">Minimum</th><th scope="col">Status</th></tr></thead>
    <tbody>${stock.stores.map((row) => html`<tr key=${row.store_id}>
      <td>${stores[row.store_id] || `Store ${row.store_id}`}
        ${row.lots?.length > 0 && html`<br /><small>Lots: ${row.lots.map((lot) =>
          `${lot.lot} (${lot.available}${lot.expiry_date ? `, exp. ${lot.expiry_date}` : ""})`).join(", ")}</small>`}</td>
      <td class="num">${row.on_hand}</td><td class="num">${row.reserved}</td>
      <td class="num">${row.available}</td><td class="num">${row.min_stock}</td>
      <td>${STATUS_TEXT[row.stock_status] || row.stock_status}</td></tr>`)}</tbody>
    <tfoot><tr><th scope="row">All stores</th><td class="num">${stock.on_hand}</td>
      <td class="num">${stock.reserved}</td><td class="num">${stock.available}</td><td></td><td></td></tr></tfoot>
  </table><//>`;
}

function ArchiveButton({ product, onDone }) {
  const [asking, setAsking] = useState(false);
  const write = useWrite();
  const archive = async () => {
    if (await write.submit("DELETE", `/products/${product.id}`)) onDone();
  };
  if (!asking) {
    return html`<button type="button" class="secondary" onClick=${() => setAsking(true)}>
      Archive</button>`;
  }
  return html`<div role="group" aria-label="Confirm archiving">
    <button type="button" class="contrast" onClick=${archive} aria-busy=${write.busy ? "true" : undefined}>
      Yes, archive ${product.sku}</button>
    <button type="button" class="secondary" onClick=${() => setAsking(false)}>Keep it</button>
    <${ErrorBox} error=${write.error} />
  </div>`;
}

export function ProductDetail({ params, user }) {
  const staff = STAFF.includes(user.role);
  const state = useLoad(() => loadProduct(params.id, staff), [params.id]);
  if (!state.data) return html`<${PageHeader} title="Product" /><${ListState} state=${state} />`;
  const { product, stock, stores } = state.data;
  const facts = [["SKU", product.sku], ["Barcode", product.barcode], ["Kind", product.kind],
    ["Unit", product.unit], ["Price", product.price], ["Cost", product.cost],
    ["Minimum stock", product.min_stock], ["Reorder quantity", product.reorder_quantity],
    ["Lots tracked", product.track_lots === undefined ? null : product.track_lots ? "yes" : "no"],
    ["Active", product.active === undefined ? null : product.active ? "yes" : "archived"]]
    .filter(([, value]) => value !== null && value !== undefined && value !== "");
  return html`
    <${PageHeader} title=${product.name}>
      ${MANAGERS.includes(user.role) && html`
        <button type="button" onClick=${() => navigate(`products/${product.id}/edit`)}>Edit</button>
        ${product.active && html`<${ArchiveButton} product=${product} onDone=${state.reload} />`}`}
    <//>
    ${product.description && html`<p>${product.description}</p>`}
    <dl class="form-grid">${facts.map(([name, value]) => html`<div key=${name}>
      <dt>${name}</dt><dd>${value}</dd></div>`)}</dl>
    ${stock && html`<${StockTable} stock=${stock} stores=${stores} unit=${product.unit} />`}
    <p><a href=${href("products")}>Back to products</a></p>`;
}

// ---- create / edit -------------------------------------------------------------------

const FIELDS = ["sku", "name", "description", "category_id", "kind", "unit", "price", "cost",
  "min_stock", "reorder_quantity", "barcode", "track_lots"];
const EMPTY = { sku: "", name: "", description: "", category_id: "", kind: "merchandise",
  unit: "unit", price: "", cost: "", min_stock: "0", reorder_quantity: "0", barcode: "",
  track_lots: false };

function asForm(product) {
  const values = {};
  for (const name of FIELDS) {
    const value = product[name];
    values[name] = typeof value === "boolean" ? value : value === null || value === undefined ? "" : String(value);
  }
  return values;
}

// The request body: every filled field for a new product; for an edit only
// what changed (a PATCH; `cost` may not be sent once the product has stock).
function body(values, original) {
  const out = {};
  for (const name of FIELDS) {
    const value = values[name];
    if (original ? value === original[name] : value === "") continue;
    if (name === "category_id") out[name] = value === "" ? null : Number(value);
    else out[name] = value;
  }
  return out;
}

function ProductForm({ product, etag }) {
  const original = product ? asForm(product) : null;
  const form = useForm(original || EMPTY);
  const categories = useCategories();
  const write = useWrite();
  const save = async (event) => {
    event.preventDefault();
    const result = product
      ? await write.submit("PATCH", `/products/${product.id}`, body(form.values, original), { ifMatch: etag })
      : await write.submit("POST", "/products", body(form.values, null));
    if (result) navigate(`products/${result.data.id}`);
  };
  const field = (name, label, extra = {}) =>
    html`<${Input} label=${label} error=${write.error} ...${form.bind(name)} ...${extra} />`;
  return html`<form onSubmit=${save} novalidate>
    <div class="form-grid">
      ${field("sku", "SKU", { required: true, autocomplete: "off" })}
      ${field("name", "Name", { required: true })}
      ${field("barcode", "Barcode (optional)", { autocomplete: "off" })}
      <${Select} label="Category" options=${categoryOptions(categories.data)} empty="No category"
        error=${write.error} ...${form.bind("category_id")} />
      <${Select} label="Kind" options=${KINDS} error=${write.error} ...${form.bind("kind")} />
      <${Select} label="Unit" options=${UNITS.map((unit) => [unit, unit])} error=${write.error}
        ...${form.bind("unit")} />
      ${field("price", "Price", { inputmode: "decimal", required: true })}
      ${field("cost", "Cost", { inputmode: "decimal", hint: "Only while the product has no stock." })}
      ${field("min_stock", "Minimum stock", { inputmode: "decimal" })}
      ${field("reorder_quantity", "Reorder quantity", { inputmode: "decimal" })}
    </div>
    ${field("description", "Description (optional)")}
    <${Checkbox} label="Track lots (lot code on every receipt)" value=${form.values.track_lots}
      name="track_lots" onInput=${(event) => form.set("track_lots", event.currentTarget.checked)} />
    <${ErrorBox} error=${write.error} shown=${FIELDS} />
    <div class="actions">
      <button type="submit" aria-busy=${write.busy ? "true" : undefined} disabled=${write.busy}>
        ${product ? "Save changes" : "Create product"}</button>
      <button type="button" class="secondary"
        onClick=${() => navigate(product ? `products/${product.id}` : "products")}>Cancel</button>
    </div>
  </form>`;
}

export function ProductNew() {
  return html`<${PageHeader} title="New product" /><${ProductForm} />`;
}

export function ProductEdit({ params }) {
  const state = useLoad(async () => {
    const { data, headers } = await request("GET", `/products/${params.id}`);
    return { product: data, etag: headers.get("ETag") };
  }, [params.id]);
  if (!state.data) return html`<${PageHeader} title="Edit product" /><${ListState} state=${state} />`;
  return html`<${PageHeader} title=${`Edit ${state.data.product.name}`} />
    <${ProductForm} product=${state.data.product} etag=${state.data.etag} />`;
}
