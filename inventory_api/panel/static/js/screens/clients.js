// Clients: the list (search, debt and frequency filters, sort), the create /
// edit form (PATCH with If-Match), and one client with its statement, sales
// history and, for managers, its buying insights.

import { get, list, onSession, request } from "../api.js";
import { html, useEffect, useState } from "../lib.js";
import { MANAGERS } from "../roles.js";
import { href, navigate } from "../router.js";
import {
  ErrorBox, Input, ListState, PageHeader, Pager, Select, TableWrap, useForm, useLoad, useWrite,
} from "../ui.js";

// ---- names of records that lists show only by id ----------------------------------

const names = new Map(); // "/clients/3" → "Café Aurora" (or a pending promise)
onSession(() => names.clear());

function loadName(path, id, pick) {
  const key = `${path}/${id}`;
  if (!names.has(key)) {
    const pending = get(key).then(pick, () => `#${id}`); // a failed look-up shows the id
    names.set(key, pending);
  }
  return names.get(key);
}

// Hook: {id: name} for the records `ids` under `path` ("/clients"), fetched
// one by one (a page holds at most a few dozen) and remembered per session.
export function useNames(path, ids, pick = (record) => record.name) {
  const unique = [...new Set(ids.filter((id) => id !== null && id !== undefined))].sort();
  const [found, setFound] = useState({});
  useEffect(() => {
    let current = true;
    Promise.all(unique.map((id) => loadName(path, id, pick).then((name) => [id, name])))
      .then((pairs) => current && setFound(Object.fromEntries(pairs)));
    return () => {
      current = false;
    };
  }, [path, unique.join(",")]);
  return found;
}

// A date-time from the API as its date (YYYY-MM-DD); empty for null.
export function day(value) {
  return value ? value.slice(0, 10) : "";
}

// A definition list of [name, value] pairs, leaving out empty values.
export function Facts({ facts }) {
  const shown = facts.filter(([, value]) => value !== null && value !== undefined && value !== "");
  return html`<dl class="form-grid facts">${shown.map(([name, value]) => html`<div key=${name}>
    <dt>${name}</dt><dd>${value}</dd></div>`)}</dl>`;
}

// ---- list ------------------------------------------------------------------------

const SORTS = [["-total_spent", "Biggest spenders"], ["-last_purchase_at", "Latest purchase"]];
const YES_NO = [["true", "Yes"], ["false", "No"]];
const FILTERS = ["q", "has_debt", "frequent", "sort", "page"];

export function ClientList({ query }) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query[name] || ""]));
  const state = useLoad(() => list("/clients", { ...filters, page_size: 20 }),
    [JSON.stringify(filters)]);
  const form = useForm(filters);
  const apply = (event) => {
    event.preventDefault();
    const { page: _, ...rest } = form.values;
    navigate("clients", Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== "")));
  };
  const rows = state.data?.items || [];
  return html`
    <${PageHeader} title="Clients">
      <button type="button" onClick=${() => navigate("clients/new")}>New client</button>
    <//>
    <form class="filters" role="search" onSubmit=${apply}>
      <${Input} label="Search" type="search" placeholder="Name, email, phone or tax id"
        ...${form.bind("q")} />
      <${Select} label="Owes money" options=${YES_NO} empty="Any" ...${form.bind("has_debt")} />
      <${Select} label="Frequent buyer" options=${YES_NO} empty="Any" ...${form.bind("frequent")} />
      <${Select} label="Sort by" options=${SORTS} empty="Name" ...${form.bind("sort")} />
      <button type="submit">Search</button>
    </form>
    <${ListState} state=${state} empty="No client matches these filters." />
    ${rows.length > 0 && html`<${TableWrap} label="Clients"><table class="striped stack">
      <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Phone</th>
        <th scope="col" class="num">Credit limit</th><th scope="col" class="num">Terms (days)</th></tr></thead>
      <tbody>${rows.map((client) => html`<tr key=${client.id}>
        <td data-label="Name"><a href=${href(`clients/${client.id}`)}>${client.name}</a></td>
        <td data-label="Email">${client.email}</td><td data-label="Phone">${client.phone}</td>
        <td data-label="Credit limit" class="num">${client.credit_limit}</td>
        <td data-label="Terms (days)" class="num">${client.payment_terms_days}</td>
      </tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${(page) => navigate("clients", { ...filters, page })} />`;
}

// ---- create / edit -------------------------------------------------------------------

const FIELDS = ["name", "email", "phone", "tax_id", "address", "credit_limit",
  "payment_terms_days", "notes"];
const NUMBERS = ["payment_terms_days"];

function asForm(client) {
  return Object.fromEntries(FIELDS.map((name) =>
    [name, client?.[name] === null || client?.[name] === undefined ? "" : String(client[name])]));
}

// The request body: the filled fields of a new client; for an edit only what
// changed (an emptied optional field is sent as null, which clears it).
function clientBody(values, original) {
  const out = {};
  for (const name of FIELDS) {
    const value = values[name].trim();
    if (original ? value === original[name] : value === "") continue;
    if (value === "") out[name] = null;
    else out[name] = NUMBERS.includes(name) && /^\d+$/.test(value) ? Number(value) : value;
  }
  return out;
}

function ClientForm({ client, etag }) {
  const original = client ? asForm(client) : null;
  const form = useForm(original || asForm(null));
  const write = useWrite();
  const save = async (event) => {
    event.preventDefault();
    const result = client
      ? await write.submit("PATCH", `/clients/${client.id}`, clientBody(form.values, original),
        { ifMatch: etag })
      : await write.submit("POST", "/clients", clientBody(form.values, null));
    if (result) navigate(`clients/${result.data.id}`);
  };
  const field = (name, label, extra = {}) =>
    html`<${Input} label=${label} error=${write.error} ...${form.bind(name)} ...${extra} />`;
  return html`<form onSubmit=${save} novalidate>
    <div class="form-grid">
      ${field("name", "Name", { required: true })}
      ${field("email", "Email (optional)", { type: "email", autocomplete: "off" })}
      ${field("phone", "Phone (optional)", { type: "tel" })}
      ${field("tax_id", "Tax id (optional)", { autocomplete: "off" })}
      ${field("credit_limit", "Credit limit", { inputmode: "decimal", hint: "0 = no credit" })}
      ${field("payment_terms_days", "Payment terms (days)", { inputmode: "numeric" })}
    </div>
    ${field("address", "Address (optional)")}
    ${field("notes", "Notes (optional)")}
    <${ErrorBox} error=${write.error} shown=${FIELDS} />
    <div class="actions">
      <button type="submit" aria-busy=${write.busy ? "true" : undefined} disabled=${write.busy}>
        ${client ? "Save changes" : "Create client"}</button>
      <button type="button" class="secondary"
        onClick=${() => navigate(client ? `clients/${client.id}` : "clients")}>Cancel</button>
    </div>
  </form>`;
}

export function ClientNew() {
  return html`<${PageHeader} title="New client" /><${ClientForm} />`;
}

export function ClientEdit({ params }) {
  const state = useLoad(async () => {
    const { data, headers } = await request("GET", `/clients/${params.id}`);
    return { client: data, etag: headers.get("ETag") };
  }, [params.id]);
  if (!state.data) return html`<${PageHeader} title="Edit client" /><${ListState} state=${state} />`;
  return html`<${PageHeader} title=${`Edit ${state.data.client.name}`} />
    <${ClientForm} client=${state.data.client} etag=${state.data.etag} />`;
}

// ---- one client ----------------------------------------------------------------------

function Statement({ clientId }) {
  const state = useLoad(() => get(`/clients/${clientId}/statement`), [clientId]);
  if (!state.data) return html`<${ListState} state=${state} />`;
  const statement = state.data;
  return html`<section aria-labelledby="statement-title">
    <h2 id="statement-title">Statement</h2>
    <${Facts} facts=${[["Balance owed", statement.balance], ["Overdue", statement.overdue_balance],
      ["Credit limit", statement.credit_limit]]} />
    ${statement.open_debts.length === 0 ? html`<p>No open debt.</p>` : html`
      <${TableWrap} label="Open debts"><table class="stack">
        <caption>Open debts</caption>
        <thead><tr><th scope="col">Debt</th><th scope="col">From</th><th scope="col" class="num">Amount</th>
          <th scope="col" class="num">Balance</th><th scope="col">Due</th></tr></thead>
        <tbody>${statement.open_debts.map((debt) => html`<tr key=${debt.id}>
          <td data-label="Debt"><a href=${href(`debts/${debt.id}`)}>Debt #${debt.id}</a></td>
          <td data-label="From">${debt.source_type} #${debt.source_id}</td>
          <td data-label="Amount" class="num">${debt.amount}</td>
          <td data-label="Balance" class="num">${debt.balance}</td>
          <td data-label="Due">${debt.due_date}${debt.overdue ? " (overdue)" : ""}</td></tr>`)}</tbody>
      </table><//>`}
    ${statement.payments.length > 0 && html`<${TableWrap} label="Payments"><table class="stack">
      <caption>Payments</caption>
      <thead><tr><th scope="col">Date</th><th scope="col" class="num">Amount</th><th scope="col">Method</th>
        <th scope="col">Reference</th></tr></thead>
      <tbody>${statement.payments.map((payment) => html`<tr key=${payment.id}>
        <td data-label="Date">${day(payment.created_at)}</td>
        <td data-label="Amount" class="num">${payment.amount}</td>
        <td data-label="Method">${payment.method}</td>
        <td data-label="Reference">${payment.reference}</td></tr>`)}</tbody>
    </table><//>`}
  </section>`;
}

function SalesHistory({ clientId }) {
  const [page, setPage] = useState(1);
  const state = useLoad(() => list(`/clients/${clientId}/sales`, { page, page_size: 10 }),
    [clientId, page]);
  const rows = state.data?.items || [];
  return html`<section aria-labelledby="sales-title">
    <h2 id="sales-title">Sales</h2>
    <${ListState} state=${state} empty="No sale to this client yet." />
    ${rows.length > 0 && html`<${TableWrap} label="Sales"><table class="stack">
      <thead><tr><th scope="col">Number</th><th scope="col">Date</th><th scope="col">Payment</th>
        <th scope="col" class="num">Total</th><th scope="col" class="num">Balance due</th>
        <th scope="col">Status</th></tr></thead>
      <tbody>${rows.map((sale) => html`<tr key=${sale.id}>
        <td data-label="Number">${sale.number}</td><td data-label="Date">${day(sale.created_at)}</td>
        <td data-label="Payment">${sale.payment_method}</td>
        <td data-label="Total" class="num">${sale.total}</td>
        <td data-label="Balance due" class="num">${sale.balance_due}</td>
        <td data-label="Status">${sale.status}</td></tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${setPage} />
  </section>`;
}

function Insights({ clientId }) {
  const state = useLoad(() => get(`/clients/${clientId}/insights`), [clientId]);
  if (!state.data) return html`<${ListState} state=${state} />`;
  const insights = state.data;
  return html`<section aria-labelledby="insights-title">
    <h2 id="insights-title">Insights</h2>
    <${Facts} facts=${[["Segment", insights.segment], ["Purchases", insights.purchases_count],
      ["Total spent", insights.total_spent], ["Average ticket", insights.avg_ticket],
      ["First purchase", day(insights.first_purchase_at)],
      ["Last purchase", day(insights.last_purchase_at)],
      ["Days between purchases (average)", insights.avg_days_between_purchases]]} />
    ${insights.top_products.length > 0 && html`<${TableWrap} label="Top products"><table>
      <caption>Top products</caption>
      <thead><tr><th scope="col">Product</th><th scope="col" class="num">Quantity</th>
        <th scope="col" class="num">Amount</th></tr></thead>
      <tbody>${insights.top_products.map((product) => html`<tr key=${product.id}>
        <td><a href=${href(`products/${product.id}`)}>${product.name}</a></td>
        <td class="num">${product.quantity}</td><td class="num">${product.amount}</td></tr>`)}</tbody>
    </table><//>`}
  </section>`;
}

export function ClientDetail({ params, user }) {
  const state = useLoad(() => get(`/clients/${params.id}`), [params.id]);
  if (!state.data) return html`<${PageHeader} title="Client" /><${ListState} state=${state} />`;
  const client = state.data;
  return html`
    <${PageHeader} title=${client.name}>
      <button type="button" onClick=${() => navigate(`clients/${client.id}/edit`)}>Edit</button>
      <button type="button" class="secondary"
        onClick=${() => navigate("payments/new", { client_id: client.id })}>Record a payment</button>
    <//>
    <${Facts} facts=${[["Email", client.email], ["Phone", client.phone], ["Tax id", client.tax_id],
      ["Address", client.address], ["Credit limit", client.credit_limit],
      ["Payment terms (days)", client.payment_terms_days], ["Notes", client.notes]]} />
    <${Statement} clientId=${client.id} />
    ${MANAGERS.includes(user.role) && html`<${Insights} clientId=${client.id} />`}
    <${SalesHistory} clientId=${client.id} />
    <p><a href=${href("clients")}>Back to clients</a></p>`;
}
