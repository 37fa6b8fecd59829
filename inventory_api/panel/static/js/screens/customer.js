// The customer's screens: the catalog (active products, no cost), the cart
// that becomes an order (POST /orders reserves the stock), and the account:
// statement, debts and payments. A customer's lists are its own (the API
// narrows them); its orders are screens of ./orders.js.

import { currentUser, get, list, onSession } from "../api.js";
import { isDecimal, lineAmount, QTY, sumMoney } from "../decimal.js";
import { html, useEffect, useState } from "../lib.js";
import { href, navigate } from "../router.js";
import {
  ErrorBox, Input, ListState, PageHeader, Pager, Select, TableWrap, useForm, useLoad, useWrite,
} from "../ui.js";
import { when } from "./orders.js";

const STOCK_TEXT = { in_stock: "In stock", low: "Few left", out: "Out of stock" };

// ---- the cart: kept in this tab (sessionStorage) per user, so a reload keeps it ----------

const CART_PREFIX = "inventory-panel.cart.";
const cartListeners = new Set();

function cartKey() {
  return `${CART_PREFIX}${currentUser()?.id}`;
}

function readCart() {
  try {
    return JSON.parse(sessionStorage.getItem(cartKey())) || [];
  } catch {
    return [];
  }
}

function writeCart(lines) {
  sessionStorage.setItem(cartKey(), JSON.stringify(lines));
  cartListeners.forEach((listener) => listener(lines));
}

// Signing out forgets every cart of this tab.
onSession((user) => {
  if (user) return;
  Object.keys(sessionStorage).filter((key) => key.startsWith(CART_PREFIX))
    .forEach((key) => sessionStorage.removeItem(key));
});

// Hook: [lines, setLines]; every screen using it sees the same cart.
function useCart() {
  const [lines, setLines] = useState(readCart);
  useEffect(() => {
    cartListeners.add(setLines);
    return () => cartListeners.delete(setLines);
  }, []);
  return [lines, writeCart];
}

function addToCart(product) {
  const lines = readCart();
  if (lines.some((line) => line.product.id === product.id)) return;
  const { id, sku, name, price, unit } = product;
  writeCart([...lines, { product: { id, sku, name, price, unit }, quantity: "1" }]);
}

function cartTotal(lines) {
  if (lines.some((line) => !isDecimal(line.quantity, QTY))) return null;
  return sumMoney(lines.map((line) => lineAmount(line.quantity, line.product.price)));
}

// ---- catalog -------------------------------------------------------------------------------

export function Catalog({ query }) {
  const filters = { q: query.q || "", page: query.page || "" };
  const state = useLoad(() => list("/products", { ...filters, page_size: 20 }), [JSON.stringify(filters)]);
  const [cart] = useCart();
  const form = useForm({ q: filters.q });
  const inCart = new Set(cart.map((line) => line.product.id));
  const search = (event) => {
    event.preventDefault();
    navigate("shop", form.values.q ? { q: form.values.q } : undefined);
  };
  return html`
    <${PageHeader} title="Catalog">
      <button type="button" onClick=${() => navigate("cart")}>Cart (${cart.length})</button>
    <//>
    <form class="filters" role="search" onSubmit=${search}>
      <${Input} label="Search products" type="search" placeholder="Name, SKU or barcode" ...${form.bind("q")} />
      <button type="submit">Search</button>
    </form>
    <${ListState} state=${state} empty="No product matches." />
    ${state.data?.items.length > 0 && html`<ul class="catalog" aria-label="Products">
      ${state.data.items.map((product) => html`<li key=${product.id}><article>
        <h2>${product.name}</h2>
        <p><span class="sku">${product.sku}</span> · ${STOCK_TEXT[product.stock_status] || product.stock_status}</p>
        ${product.description && html`<p><small>${product.description}</small></p>`}
        <p class="price">${product.price} <small>per ${product.unit}</small></p>
        ${inCart.has(product.id)
          ? html`<a href=${href("cart")}>In the cart</a>`
          : html`<button type="button" disabled=${product.stock_status === "out"}
              aria-label=${`Add to cart: ${product.name}`} onClick=${() => addToCart(product)}>
              Add to cart</button>`}
      </article></li>`)}</ul>`}
    <${Pager} page=${state.data?.page} onPage=${(page) => navigate("shop", { ...filters, page })} />`;
}

// ---- cart → order -----------------------------------------------------------------------------

export function Cart() {
  const [lines, setLines] = useCart();
  const [notes, setNotes] = useState("");
  const write = useWrite();
  const total = cartTotal(lines);
  const setQuantity = (index, quantity) =>
    setLines(lines.map((line, i) => (i === index ? { ...line, quantity } : line)));
  const place = async (event) => {
    event.preventDefault();
    const body = { lines: lines.map((line) => ({ product_id: line.product.id, quantity: line.quantity })) };
    if (notes.trim()) body.notes = notes.trim();
    const result = await write.submit("POST", "/orders", body);
    if (result) {
      setLines([]);
      navigate(`my-orders/${result.data.id}`);
    }
  };
  if (lines.length === 0) {
    return html`<${PageHeader} title="Cart" />
      <p>The cart is empty. <a href=${href("shop")}>Browse the catalog</a>.</p>`;
  }
  return html`
    <${PageHeader} title="Cart" />
    <form onSubmit=${place} novalidate aria-label="Order">
      <ul class="line-cards" aria-label="Cart lines">${lines.map((line, index) => html`<li key=${line.product.id}>
        <div class="line-title"><strong>${line.product.name}</strong> <small>${line.product.sku}</small></div>
        <${Input} label=${`Quantity of ${line.product.sku}`} inputmode="decimal" value=${line.quantity}
          name=${`lines.${index}.quantity`} error=${write.error}
          onInput=${(event) => setQuantity(index, event.currentTarget.value)} />
        <p class="line-amount">${`${line.product.price} per ${line.product.unit} · `}${isDecimal(line.quantity, QTY)
          ? lineAmount(line.quantity, line.product.price) : "—"}</p>
        <button type="button" class="secondary outline" aria-label=${`Remove ${line.product.sku}`}
          onClick=${() => setLines(lines.filter((_, i) => i !== index))}>Remove</button>
      </li>`)}</ul>
      <p class="cart-total" aria-live="polite">${total === null
        ? "Fix the quantities to see the total."
        : html`Total <strong data-testid="order-total">${total}</strong>`}</p>
      <${Input} label="Notes for the store (optional)" name="notes" value=${notes} error=${write.error}
        onInput=${(event) => setNotes(event.currentTarget.value)} />
      <p><small>Placing the order reserves the goods; the store confirms it.</small></p>
      <${ErrorBox} error=${write.error} shown=${["notes", ...lines.map((_, i) => `lines.${i}.quantity`)]} />
      <div class="actions">
        <button type="submit" disabled=${write.busy} aria-busy=${write.busy ? "true" : undefined}>
          Place order</button>
        <button type="button" class="secondary" onClick=${() => navigate("shop")}>Keep shopping</button>
      </div>
    </form>`;
}

// ---- account: statement, debts, payments ------------------------------------------------------

const DEBT_STATUSES = [["open", "Open"], ["paid", "Paid"], ["void", "Void"]];

function Debts() {
  const [filters, setFilters] = useState({ status: "", page: 1 });
  const state = useLoad(() => list("/debts", { ...filters, page_size: 10 }), [JSON.stringify(filters)]);
  return html`<section aria-labelledby="debts-title">
    <h2 id="debts-title">My debts</h2>
    <${Select} label="Debt status" options=${DEBT_STATUSES} empty="Any status" value=${filters.status}
      onInput=${(event) => setFilters({ status: event.currentTarget.value, page: 1 })} />
    <${ListState} state=${state} empty="No debts." />
    ${state.data?.items.length > 0 && html`<${TableWrap} label="My debts"><table class="stack">
      <thead><tr><th scope="col">For</th><th scope="col">Due</th><th scope="col" class="num">Amount</th>
        <th scope="col" class="num">Paid</th><th scope="col" class="num">Balance</th><th scope="col">Status</th></tr></thead>
      <tbody>${state.data.items.map((debt) => html`<tr key=${debt.id}>
        <td data-label="For">${debt.source_type === "order"
          ? html`<a href=${href(`my-orders/${debt.source_id}`)}>Order ${debt.source_id}</a>`
          : `${debt.source_type} ${debt.source_id}`}</td>
        <td data-label="Due">${debt.due_date}${debt.overdue ? " (overdue)" : ""}</td>
        <td data-label="Amount" class="num">${debt.amount}</td>
        <td data-label="Paid" class="num">${debt.paid_amount}</td>
        <td data-label="Balance" class="num">${debt.balance}</td>
        <td data-label="Status">${debt.status}</td></tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${(page) => setFilters({ ...filters, page })} />
  </section>`;
}

function Payments() {
  const [page, setPage] = useState(1);
  const state = useLoad(() => list("/payments", { page, page_size: 10 }), [page]);
  return html`<section aria-labelledby="payments-title">
    <h2 id="payments-title">My payments</h2>
    <${ListState} state=${state} empty="No payments yet." />
    ${state.data?.items.length > 0 && html`<${TableWrap} label="My payments"><table class="stack">
      <thead><tr><th scope="col">Date</th><th scope="col">Method</th><th scope="col">Reference</th>
        <th scope="col" class="num">Amount</th></tr></thead>
      <tbody>${state.data.items.map((payment) => html`<tr key=${payment.id}>
        <td data-label="Date">${when(payment.created_at)}</td><td data-label="Method">${payment.method}</td>
        <td data-label="Reference">${payment.reference || ""}</td>
        <td data-label="Amount" class="num">${payment.amount}</td></tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${setPage} />
  </section>`;
}

export function Account({ user }) {
  const statement = useLoad(() => (user.client_id
    ? get(`/clients/${user.client_id}/statement`) : Promise.resolve(null)), [user.client_id]);
  const figures = statement.data;
  return html`
    <${PageHeader} title="My account" />
    ${!user.client_id && html`<p>This account has no client record, so it has no statement.</p>`}
    <${ListState} state=${statement} />
    ${figures && html`<section aria-labelledby="statement-title">
      <h2 id="statement-title">Statement</h2>
      <dl class="facts">
        <div><dt>Balance owed</dt><dd data-testid="balance">${figures.balance}</dd></div>
        <div><dt>Of which overdue</dt><dd>${figures.overdue_balance}</dd></div>
        <div><dt>Credit limit</dt><dd>${figures.credit_limit}</dd></div>
        <div><dt>Open debts</dt><dd>${figures.open_debts.length}</dd></div>
      </dl>
    </section>`}
    <${Debts} />
    <${Payments} />`;
}
