// Search-and-pick controls for records too many for a select (products, clients).

import { list } from "./api.js";
import { html, useState } from "./lib.js";
import { ErrorBox, Input } from "./ui.js";

const RESULTS = 8;

// A search box over `path` (`q` query) with the results as buttons.
// `onPick(record)` gets the chosen row. A search whose single result has
// `exact(record, text)` true is picked at once (a barcode scanner types the
// code and Enter). `describe(record)` is the text of a result.
function Picker({ label, path, params, exact, describe, onPick, hint = "" }) {
  const [text, setText] = useState("");
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const pick = (record) => {
    setResults(null);
    setText("");
    onPick(record);
  };
  const search = async (event) => {
    event.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      const { items } = await list(path, { ...params, q: text.trim(), page_size: RESULTS });
      if (items.length === 1 && exact?.(items[0], text.trim())) pick(items[0]);
      else setResults(items);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="picker-form" role="search" onSubmit=${search}>
    <div class="picker-row">
      <${Input} label=${label} type="search" value=${text} placeholder=${hint} error=${error}
        name="q" onInput=${(event) => setText(event.currentTarget.value)} />
      <button type="submit" class="secondary" aria-busy=${busy ? "true" : undefined}>Find</button>
    </div>
    <${ErrorBox} error=${error} shown=${["q"]} />
    ${results && (results.length === 0
      ? html`<p role="status">Nothing matches “${text}”.</p>`
      : html`<ul class="picker" aria-label="Search results">${results.map((record) => html`
          <li key=${record.id}><button type="button" class="outline" onClick=${() => pick(record)}>
            ${describe(record)}</button></li>`)}</ul>`)}
  </form>`;
}

const sameCode = (a, b) => Boolean(a) && a.toLowerCase() === b.toLowerCase();

// Pick a product by SKU, barcode or name (active products only).
export function ProductPicker({ onPick, label = "Product (SKU, barcode or name)" }) {
  return html`<${Picker} label=${label} path="/products" onPick=${onPick}
    hint="Type or scan, then Enter"
    exact=${(product, text) => sameCode(product.sku, text) || sameCode(product.barcode, text)}
    describe=${(product) => `${product.sku} · ${product.name} · ${product.price}`
      + (product.stock_total !== undefined ? ` · stock ${product.stock_total}` : "")} />`;
}

// Pick a client by name, email, phone or tax id.
export function ClientPicker({ onPick, label = "Client (name, email, phone or tax id)" }) {
  return html`<${Picker} label=${label} path="/clients" onPick=${onPick}
    exact=${(client, text) => sameCode(client.tax_id, text) || sameCode(client.email, text)}
    describe=${(client) => `${client.name}${client.email ? ` · ${client.email}` : ""}`
      + ` · credit limit ${client.credit_limit}`} />`;
}
