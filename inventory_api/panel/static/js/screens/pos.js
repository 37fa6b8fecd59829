// Point of sale: build a cart by SKU / barcode, then POST /sales. The cart
// shows a preview of the totals computed in exact decimals (decimal.js);
// the receipt shows the API's own figures from the response. On a phone the
// cart's rows become cards (table.stack, css/operations.css), so every
// quantity, discount and remove control stays in view.

import { request } from "../api.js";
import { useMyStores } from "../data.js";
import { fromUnits, isDecimal, lineAmount, MONEY, QTY, subtractMoney, sumMoney, toUnits } from "../decimal.js";
import { html, useState } from "../lib.js";
import { ClientPicker, ProductPicker } from "../pickers.js";
import { ErrorBox, Input, PageHeader, Select, TableWrap, useWrite } from "../ui.js";

const ONE = 1000n; // one unit, in milli-units
const METHODS = [["cash", "Cash"], ["card", "Card"], ["transfer", "Transfer"], ["credit", "Credit (client owes)"]];

// The previewed total of one line, or null while its numbers do not parse.
function previewLine(line) {
  if (!isDecimal(line.quantity, QTY) || !isDecimal(line.discount || "0", MONEY)) return null;
  return subtractMoney(lineAmount(line.quantity, line.product.price), line.discount || "0");
}

function preview(lines) {
  const totals = lines.map(previewLine);
  if (totals.some((total) => total === null)) return null;
  return {
    subtotal: sumMoney(lines.map((line) => lineAmount(line.quantity, line.product.price))),
    discount: sumMoney(lines.map((line) => line.discount || "0")),
    total: sumMoney(totals),
  };
}

function saleBody(cart) {
  const body = {
    store_id: Number(cart.storeId),
    payment_method: cart.method,
    lines: cart.lines.map((line) => ({
      product_id: line.product.id,
      quantity: line.quantity,
      ...(line.discount ? { discount: line.discount } : {}),
    })),
  };
  if (cart.client) body.client_id = cart.client.id;
  if (cart.amountPaid) body.amount_paid = cart.amountPaid;
  if (cart.notes) body.notes = cart.notes;
  return body;
}

function Receipt({ sale, products, onNext }) {
  const [error, setError] = useState(null);
  const [link, setLink] = useState(null);
  const print = async () => {
    setError(null);
    try {
      const { data } = await request("GET", `/sales/${sale.id}/receipt?format=pdf`);
      const url = URL.createObjectURL(data);
      setLink(url);
      window.open(url, "_blank", "noopener");
    } catch (failure) {
      setError(failure);
    }
  };
  return html`<section class="success-box" role="status" aria-label="Sale recorded">
    <h2>Sale ${sale.number}</h2>
    <${TableWrap} label="Sale lines"><table>
      <thead><tr><th scope="col">Product</th><th scope="col" class="num">Quantity</th>
        <th scope="col" class="num">Price</th><th scope="col" class="num">Discount</th>
        <th scope="col" class="num">Line total</th></tr></thead>
      <tbody>${sale.lines.map((line) => html`<tr key=${line.id}>
        <td>${products[line.product_id] || line.product_id}</td><td class="num">${line.quantity}</td>
        <td class="num">${line.unit_price}</td><td class="num">${line.discount}</td>
        <td class="num">${line.line_total}</td></tr>`)}</tbody>
    </table><//>
    <p>Subtotal ${sale.subtotal} · discounts ${sale.discount_total} ·
      <strong class="cart-total">total ${sale.total}</strong> · paid ${sale.paid}
      · balance due ${sale.balance_due}</p>
    <div class="actions">
      <button type="button" class="secondary" onClick=${print}>Print receipt (PDF)</button>
      ${link && html`<a href=${link} target="_blank" rel="noopener">Open the receipt</a>`}
      <button type="button" onClick=${onNext}>Next sale</button>
    </div>
    <${ErrorBox} error=${error} />
  </section>`;
}

const EMPTY_CART = { lines: [], method: "cash", client: null, amountPaid: "", notes: "" };

export function PointOfSale() {
  const stores = useMyStores();
  const [cart, setCart] = useState({ ...EMPTY_CART, storeId: "" });
  const [sale, setSale] = useState(null);
  const write = useWrite();
  const storeId = cart.storeId || (stores.data?.[0] ? String(stores.data[0].id) : "");
  const update = (changes) => setCart((current) => ({ ...current, ...changes }));
  const addProduct = (product) => setCart((current) => {
    const found = current.lines.find((line) => line.product.id === product.id);
    if (!found) return { ...current, lines: [...current.lines, { product, quantity: "1", discount: "" }] };
    const lines = current.lines.map((line) => (line === found && isDecimal(line.quantity, QTY)
      ? { ...line, quantity: fromUnits(toUnits(line.quantity, QTY) + ONE, QTY) } : line));
    return { ...current, lines };
  });
  const setLine = (index, changes) => update({
    lines: cart.lines.map((line, i) => (i === index ? { ...line, ...changes } : line)) });
  const removeLine = (index) => update({ lines: cart.lines.filter((_, i) => i !== index) });
  const totals = preview(cart.lines);
  const sell = async (event) => {
    event.preventDefault();
    const result = await write.submit("POST", "/sales", saleBody({ ...cart, storeId }));
    if (result) setSale(result.data);
  };
  const nextSale = () => {
    setSale(null);
    setCart({ ...EMPTY_CART, storeId });
  };
  if (sale) {
    const names = Object.fromEntries(cart.lines.map((line) => [line.product.id, `${line.product.sku} · ${line.product.name}`]));
    return html`<${PageHeader} title="Point of sale" /><${Receipt} sale=${sale} products=${names} onNext=${nextSale} />`;
  }
  return html`
    <${PageHeader} title="Point of sale" />
    <${Select} label="Store" name="store_id" value=${storeId}
      options=${(stores.data || []).map((store) => [String(store.id), store.name])}
      onInput=${(event) => update({ storeId: event.currentTarget.value })} />
    <${ProductPicker} onPick=${addProduct} label="Add product (SKU, barcode or name)" />
    <form onSubmit=${sell} novalidate aria-label="Sale">
      ${cart.lines.length === 0 ? html`<p>The cart is empty.</p>` : html`<${TableWrap} label="Cart"><table class="stack">
        <caption>Cart</caption>
        <thead><tr><th scope="col">Product</th><th scope="col">Quantity</th>
          <th scope="col" class="num">Price</th><th scope="col">Discount</th>
          <th scope="col" class="num">Line total</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead>
        <tbody>${cart.lines.map((line, index) => html`<tr key=${line.product.id}>
          <td data-label="Product">${line.product.sku} · ${line.product.name}</td>
          <td data-label="Quantity"><${Input} label=${`Quantity of ${line.product.sku}`} hideLabel inputmode="decimal" value=${line.quantity}
            name=${`lines.${index}.quantity`} error=${write.error}
            onInput=${(event) => setLine(index, { quantity: event.currentTarget.value })} /></td>
          <td data-label="Price" class="num">${line.product.price}</td>
          <td data-label="Discount"><${Input} label=${`Discount on ${line.product.sku}`} hideLabel inputmode="decimal" value=${line.discount}
            name=${`lines.${index}.discount`} error=${write.error} placeholder="0.00"
            onInput=${(event) => setLine(index, { discount: event.currentTarget.value })} /></td>
          <td data-label="Line total" class="num">${previewLine(line) ?? "—"}</td>
          <td class="remove-cell"><button type="button" class="secondary outline" onClick=${() => removeLine(index)}
            aria-label=${`Remove ${line.product.sku}`}>✕</button></td>
        </tr>`)}</tbody>
      </table><//>`}
      <p class="cart-total" aria-live="polite">${totals
        ? html`Total <strong data-testid="cart-total">${totals.total}</strong>
            <small> (subtotal ${totals.subtotal}, discounts ${totals.discount})</small>`
        : cart.lines.length > 0 && "Fix the quantities and discounts to see the total."}</p>
      <div class="form-grid">
        <${Select} label="Payment" name="payment_method" options=${METHODS} value=${cart.method}
          error=${write.error} onInput=${(event) => update({ method: event.currentTarget.value })} />
        <${Input} label=${cart.method === "credit" ? "Paid now (optional)" : "Amount paid (optional: the total)"}
          inputmode="decimal" name="amount_paid" value=${cart.amountPaid} error=${write.error}
          onInput=${(event) => update({ amountPaid: event.currentTarget.value })} />
        <${Input} label="Notes (optional)" name="notes" value=${cart.notes} error=${write.error}
          onInput=${(event) => update({ notes: event.currentTarget.value })} />
      </div>
      <p aria-live="polite">${cart.client
        ? html`Client: <strong>${cart.client.name}</strong> (credit limit ${cart.client.credit_limit})
            <button type="button" class="secondary outline" onClick=${() => update({ client: null })}>Remove client</button>`
        : cart.method === "credit" ? "A credit sale needs a client: find one below." : "No client (cash sale)."}</p>
      <${ErrorBox} error=${stores.error || write.error}
        shown=${["payment_method", "amount_paid", "notes", ...cart.lines.flatMap((_, i) => [`lines.${i}.quantity`, `lines.${i}.discount`])]} />
      <button type="submit" disabled=${write.busy || cart.lines.length === 0}
        aria-busy=${write.busy ? "true" : undefined}>Complete sale</button>
    </form>
    <${ClientPicker} onPick=${(client) => update({ client })} />`;
}
