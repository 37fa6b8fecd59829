// A manual stock movement (POST /movements): receipt and issue for all
// staff, adjustment for managers and admins.

import { html, useState } from "../lib.js";
import { useMyStores } from "../data.js";
import { ProductPicker } from "../pickers.js";
import { MANAGERS } from "../roles.js";
import { href } from "../router.js";
import { ErrorBox, Input, PageHeader, Select, useForm, useWrite } from "../ui.js";

const TYPES = [["receipt", "Receipt (stock comes in)"], ["issue", "Issue (stock goes out)"]];
const ADJUSTMENT = ["adjustment", "Adjustment (signed correction)"];
const FIELDS = ["type", "product_id", "store_id", "quantity", "unit_cost", "lot", "expiry_date",
  "reason"];
const BLANK = { quantity: "", unit_cost: "", lot: "", expiry_date: "", reason: "" };

function movementBody(values, product) {
  const body = { type: values.type, product_id: product?.id, store_id: Number(values.store_id) || undefined,
    quantity: values.quantity };
  if (values.type === "receipt" && values.unit_cost) body.unit_cost = values.unit_cost;
  if (values.lot) body.lot = values.lot;
  if (values.type === "receipt" && values.expiry_date) body.expiry_date = values.expiry_date;
  if (values.reason) body.reason = values.reason;
  return body;
}

export function MovementForm({ user }) {
  const stores = useMyStores();
  const types = MANAGERS.includes(user.role) ? [...TYPES, ADJUSTMENT] : TYPES;
  const form = useForm({ type: "receipt", store_id: "", ...BLANK });
  const [product, setProduct] = useState(null);
  const [done, setDone] = useState(null);
  const write = useWrite();
  const storeId = form.values.store_id || (stores.data?.[0] ? String(stores.data[0].id) : "");
  const storeNames = Object.fromEntries((stores.data || []).map((store) => [store.id, store.name]));
  const record = async (event) => {
    event.preventDefault();
    setDone(null);
    const body = movementBody({ ...form.values, store_id: storeId }, product);
    const result = await write.submit("POST", "/movements", body);
    if (result) {
      setDone(result.data.movements);
      form.setValues((values) => ({ ...values, ...BLANK }));
    }
  };
  const type = form.values.type;
  return html`
    <${PageHeader} title="Stock movement" />
    ${done && html`<div class="success-box" role="status">
      Recorded: ${done.map((movement) => html`<span key=${movement.id}>
        ${movement.type} of ${movement.quantity} ${product?.unit || ""} ${product?.sku || ""}
        ${movement.lot ? `(lot ${movement.lot})` : ""} at ${storeNames[movement.store_id] || movement.store_id};
        balance now ${movement.balance_after}. </span>`)}
      ${product && html`<a href=${href(`products/${product.id}`)}>See the product's stock</a>`}
    </div>`}
    <${ProductPicker} onPick=${(picked) => { setProduct(picked); setDone(null); }} />
    <form onSubmit=${record} novalidate aria-label="Movement">
      <p aria-live="polite">${product
        ? html`Product: <strong>${product.sku} · ${product.name}</strong>
            (${product.unit}${product.track_lots ? ", lots tracked" : ""})`
        : "Find the product first."}</p>
      <div class="form-grid">
        <${Select} label="Type" options=${types} error=${write.error} ...${form.bind("type")} />
        <${Select} label="Store" name="store_id" value=${storeId} error=${write.error}
          options=${(stores.data || []).map((store) => [String(store.id), store.name])}
          onInput=${(event) => form.set("store_id", event.currentTarget.value)} />
        <${Input} label=${type === "adjustment" ? "Quantity (+ adds, − removes)" : "Quantity"}
          inputmode="decimal" required error=${write.error} ...${form.bind("quantity")} />
        ${type === "receipt" && html`<${Input} label="Unit cost (optional)" inputmode="decimal"
          error=${write.error} ...${form.bind("unit_cost")} />`}
        ${product?.track_lots && html`<${Input} label=${type === "receipt" ? "Lot" : "Lot (optional: earliest expiry first)"}
          error=${write.error} ...${form.bind("lot")} />`}
        ${product?.track_lots && type === "receipt" && html`<${Input} label="Expiry date (optional)"
          type="date" error=${write.error} ...${form.bind("expiry_date")} />`}
        <${Input} label=${type === "adjustment" ? "Reason" : "Reason (optional)"}
          required=${type === "adjustment"} error=${write.error} ...${form.bind("reason")} />
      </div>
      <${ErrorBox} error=${stores.error || write.error} shown=${FIELDS} />
      <button type="submit" disabled=${write.busy || !product}
        aria-busy=${write.busy ? "true" : undefined}>Record movement</button>
    </form>`;
}
