// A stock count made on a phone: pick the store, scan or type each product,
// enter what is on the shelf, review the differences against the store's
// current on_hand, then send the whole count as one POST /stock-counts
// (an adjustment movement per difference) and show what the API recorded.

import { get } from "../api.js";
import { useMyStores } from "../data.js";
import { fromUnits, isDecimal, QTY, toUnits } from "../decimal.js";
import { html, useEffect, useState } from "../lib.js";
import { ProductPicker } from "../pickers.js";
import { href } from "../router.js";
import { ErrorBox, Input, PageHeader, Select, TableWrap, useWrite } from "../ui.js";
import { productLabel } from "./orders.js";

// "+2.000", "-1.500", "0.000": counted − expected, or null while counted does not parse.
function difference(counted, expected) {
  if (expected === undefined || !isDecimal(counted, QTY)) return null;
  const units = toUnits(counted, QTY) - toUnits(expected, QTY);
  return units > 0n ? `+${fromUnits(units, QTY)}` : fromUnits(units, QTY);
}

// What the store holds of a line's product now (its lot's on_hand when a lot is named).
async function expectedOnHand(line, storeId) {
  const stock = await get(`/products/${line.product.id}/stock`);
  const row = stock.stores.find((store) => store.store_id === storeId);
  if (!row) return "0.000";
  if (!line.lot.trim()) return row.on_hand;
  const lot = (row.lots || []).find((item) => item.lot.toLowerCase() === line.lot.trim().toLowerCase());
  return lot ? lot.on_hand : "0.000";
}

function countBody(storeId, lines, notes) {
  const body = {
    store_id: storeId,
    lines: lines.map((line) => ({
      product_id: line.product.id,
      counted_quantity: line.counted.trim(),
      ...(line.lot.trim() ? { lot: line.lot.trim() } : {}),
    })),
  };
  if (notes.trim()) body.notes = notes.trim();
  return body;
}

function signed(value) {
  return value.startsWith("-") || value === "0.000" ? value : `+${value}`;
}

// What the API recorded: one row per line with its expected, counted and difference.
function CountResult({ count, products, storeName, onNext }) {
  const changed = count.lines.filter((line) => line.difference !== "0.000").length;
  return html`<section class="success-box" role="status" aria-label="Count recorded">
    <h2>Count ${count.id} recorded at ${storeName}</h2>
    <p>${changed === 0 ? "No differences: nothing was adjusted."
      : `${changed} line${changed === 1 ? "" : "s"} adjusted.`}</p>
    <${TableWrap} label="Recorded differences"><table class="stack">
      <thead><tr><th scope="col">Product</th><th scope="col" class="num">Expected</th>
        <th scope="col" class="num">Counted</th><th scope="col" class="num">Difference</th>
        <th scope="col">Movement</th></tr></thead>
      <tbody>${count.lines.map((line) => html`<tr key=${line.id}>
        <td data-label="Product">${productLabel(products, line.product_id)}${line.lot ? ` (lot ${line.lot})` : ""}</td>
        <td data-label="Expected" class="num">${line.expected_quantity}</td>
        <td data-label="Counted" class="num">${line.counted_quantity}</td>
        <td data-label="Difference" class="num">${signed(line.difference)}</td>
        <td data-label="Movement">${line.movement_id ? `#${line.movement_id}` : "none"}</td></tr>`)}</tbody>
    </table><//>
    <div class="actions">
      <a href=${`${href("ledger")}?type=adjustment&store_id=${count.store_id}`}>See the adjustments</a>
      <button type="button" onClick=${onNext}>New count</button>
    </div>
  </section>`;
}

function CountLine({ line, index, error, onChange, onRemove }) {
  const diff = difference(line.counted, line.expected);
  return html`<li class=${diff && diff !== "0.000" ? "differs" : ""}>
    <div class="line-title"><strong>${line.product.sku}</strong> ${line.product.name}
      <small> (${line.product.unit})</small></div>
    <div class="count-fields">
      <${Input} label=${`Counted ${line.product.sku}`} inputmode="decimal" value=${line.counted}
        name=${`lines.${index}.counted_quantity`} error=${error} data-count=${line.product.id}
        onInput=${(event) => onChange({ counted: event.currentTarget.value })} />
      ${line.product.track_lots && html`<${Input} label=${`Lot of ${line.product.sku}`} value=${line.lot}
        name=${`lines.${index}.lot`} error=${error}
        onInput=${(event) => onChange({ lot: event.currentTarget.value, expected: undefined })} />`}
    </div>
    ${line.expected !== undefined && html`<p class="count-review" data-testid=${`review-${line.product.sku}`}>
      On hand ${line.expected} · counted ${line.counted || "—"} · <strong>difference ${diff ?? "—"}</strong>
    </p>`}
    <button type="button" class="secondary outline" aria-label=${`Remove ${line.product.sku}`}
      onClick=${onRemove}>Remove</button>
  </li>`;
}

export function StockCount() {
  const stores = useMyStores();
  const [chosenStore, setChosenStore] = useState("");
  const [lines, setLines] = useState([]);
  const [notes, setNotes] = useState("");
  const [focus, setFocus] = useState(null);
  const [reviewing, setReviewing] = useState({ busy: false, error: null });
  const [result, setResult] = useState(null);
  const write = useWrite();
  const storeId = chosenStore || (stores.data?.[0] ? String(stores.data[0].id) : "");
  const storeName = (stores.data || []).find((store) => String(store.id) === storeId)?.name || "";

  useEffect(() => {
    if (focus !== null) document.querySelector(`[data-count="${focus}"]`)?.focus();
  }, [focus]);

  const pick = (product) => {
    if (!lines.some((line) => line.product.id === product.id)) {
      setLines([...lines, { product, counted: "", lot: "", expected: undefined }]);
    }
    setFocus(null);
    setTimeout(() => setFocus(product.id));
  };
  const change = (index, changes) => setLines(lines.map((line, i) => (i === index ? { ...line, ...changes } : line)));
  const chooseStore = (value) => {
    setChosenStore(value);
    setLines(lines.map((line) => ({ ...line, expected: undefined })));
  };
  const review = async () => {
    setReviewing({ busy: true, error: null });
    try {
      const expected = await Promise.all(lines.map((line) => expectedOnHand(line, Number(storeId))));
      setLines(lines.map((line, i) => ({ ...line, expected: expected[i] })));
      setReviewing({ busy: false, error: null });
    } catch (error) {
      setReviewing({ busy: false, error });
    }
  };
  const submit = async (event) => {
    event.preventDefault();
    const answer = await write.submit("POST", "/stock-counts", countBody(Number(storeId), lines, notes));
    if (answer) {
      const products = Object.fromEntries(lines.map((line) => [line.product.id, line.product]));
      setResult({ count: answer.data, products, storeName });
    }
  };
  const next = () => {
    setResult(null);
    setLines([]);
    setNotes("");
  };

  if (result) {
    return html`<${PageHeader} title="Stock count" /><${CountResult} ...${result} onNext=${next} />`;
  }
  const reviewed = lines.length > 0 && lines.every((line) => line.expected !== undefined);
  const allParse = lines.every((line) => isDecimal(line.counted, QTY));
  const differing = lines.filter((line) => {
    const diff = difference(line.counted, line.expected);
    return diff !== null && diff !== "0.000";
  }).length;
  return html`
    <${PageHeader} title="Stock count" />
    <${Select} label="Store counted" name="store_id" value=${storeId}
      options=${(stores.data || []).map((store) => [String(store.id), store.name])}
      onInput=${(event) => chooseStore(event.currentTarget.value)} />
    <${ProductPicker} onPick=${pick} label="Scan or type SKU / barcode" />
    <form onSubmit=${submit} novalidate aria-label="Count">
      ${lines.length === 0 ? html`<p>No product counted yet: scan or type one above.</p>`
        : html`<ul class="line-cards count-lines" aria-label="Counted lines">
          ${lines.map((line, index) => html`<${CountLine} key=${line.product.id} line=${line} index=${index}
            error=${write.error} onChange=${(changes) => change(index, changes)}
            onRemove=${() => setLines(lines.filter((_, i) => i !== index))} />`)}</ul>`}
      ${lines.length > 0 && html`
        <${Input} label="Notes (optional)" name="notes" value=${notes} error=${write.error}
          onInput=${(event) => setNotes(event.currentTarget.value)} />
        <p aria-live="polite" class="count-summary">${reviewed
          ? `Lines that differ from the stock on hand: ${differing} of ${lines.length}.`
          : allParse ? "Review the differences before submitting." : "Enter every counted quantity."}</p>
        <${ErrorBox} error=${stores.error || reviewing.error || write.error}
          shown=${["notes", ...lines.flatMap((_, i) => [`lines.${i}.counted_quantity`, `lines.${i}.lot`])]} />
        <div class="actions">
          <button type="button" class=${reviewed ? "secondary" : ""} onClick=${review}
            disabled=${!allParse || reviewing.busy} aria-busy=${reviewing.busy ? "true" : undefined}>
            ${reviewed ? "Review again" : "Review differences"}</button>
          <button type="submit" disabled=${!reviewed || !allParse || write.busy}
            aria-busy=${write.busy ? "true" : undefined}>Submit count</button>
        </div>`}
    </form>`;
}
