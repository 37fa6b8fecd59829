// Debts and payments: the debts list (client, status, overdue), one debt with
// the payments allocated to it, the payments list, and the payment form
// (POST /payments) that settles a chosen debt or the client's oldest ones.

import { get, list } from "../api.js";
import { html, useState } from "../lib.js";
import { ClientPicker } from "../pickers.js";
import { href, navigate } from "../router.js";
import {
  ErrorBox, Input, ListState, PageHeader, Pager, Select, TableWrap, useForm, useLoad, useWrite,
} from "../ui.js";
import { day, Facts, useNames } from "./clients.js";

const DEBT_STATUSES = [["open", "Open"], ["paid", "Paid"], ["void", "Void"]];
const METHODS = [["cash", "Cash"], ["card", "Card"], ["transfer", "Transfer"], ["other", "Other"]];
const OVERDUE = [["true", "Overdue only"], ["false", "Not overdue"]];
const DEBT_FILTERS = ["client_id", "status", "overdue", "page"];
const PAYMENT_FILTERS = ["client_id", "method", "page"];

function pickFilters(query, names) {
  return Object.fromEntries(names.map((name) => [name, query[name] || ""]));
}

function withoutEmpty(values) {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ""));
}

function debtStatus(debt) {
  return debt.status === "open" && debt.overdue ? "open, overdue" : debt.status;
}

// The chosen client of a list filter, with a way to drop it, or the picker to choose one.
function ClientFilter({ clientId, name, onChange }) {
  if (clientId) {
    return html`<p class="chosen">Client: <strong>${name || `#${clientId}`}</strong>
      <button type="button" class="secondary" onClick=${() => onChange("")}>All clients</button></p>`;
  }
  return html`<${ClientPicker} label="Client (name, email, phone or tax id)"
    onPick=${(client) => onChange(String(client.id))} />`;
}

// ---- debts -----------------------------------------------------------------------

export function DebtList({ query }) {
  const filters = pickFilters(query, DEBT_FILTERS);
  const state = useLoad(() => list("/debts", { ...filters, page_size: 20 }),
    [JSON.stringify(filters)]);
  const rows = state.data?.items || [];
  const clients = useNames("/clients", [...rows.map((debt) => debt.client_id),
    filters.client_id && Number(filters.client_id)]);
  const form = useForm(filters);
  const go = (values) => {
    const { page: _, ...rest } = values;
    navigate("debts", withoutEmpty(rest));
  };
  const apply = (event) => {
    event.preventDefault();
    go({ ...form.values, client_id: filters.client_id });
  };
  return html`
    <${PageHeader} title="Debts">
      <button type="button" onClick=${() => navigate("payments/new", withoutEmpty({ client_id: filters.client_id }))}>
        Record a payment</button>
    <//>
    <${ClientFilter} clientId=${filters.client_id} name=${clients[Number(filters.client_id)]}
      onChange=${(clientId) => go({ ...filters, client_id: clientId })} />
    <form class="filters" role="search" aria-label="Debt filters" onSubmit=${apply}>
      <${Select} label="Status" options=${DEBT_STATUSES} empty="Any status" ...${form.bind("status")} />
      <${Select} label="Overdue" options=${OVERDUE} empty="Any" ...${form.bind("overdue")} />
      <button type="submit">Filter</button>
    </form>
    <${ListState} state=${state} empty="No debt matches these filters." />
    ${rows.length > 0 && html`<${TableWrap} label="Debts"><table class="striped stack">
      <thead><tr><th scope="col">Debt</th><th scope="col">Client</th><th scope="col">From</th>
        <th scope="col" class="num">Amount</th><th scope="col" class="num">Paid</th>
        <th scope="col" class="num">Balance</th><th scope="col">Due</th><th scope="col">Status</th></tr></thead>
      <tbody>${rows.map((debt) => html`<tr key=${debt.id}>
        <td data-label="Debt"><a href=${href(`debts/${debt.id}`)}>Debt #${debt.id}</a></td>
        <td data-label="Client">${clients[debt.client_id] || `#${debt.client_id}`}</td>
        <td data-label="From">${debt.source_type} #${debt.source_id}</td>
        <td data-label="Amount" class="num">${debt.amount}</td>
        <td data-label="Paid" class="num">${debt.paid_amount}</td>
        <td data-label="Balance" class="num">${debt.balance}</td>
        <td data-label="Due">${debt.due_date}</td>
        <td data-label="Status">${debtStatus(debt)}</td>
      </tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${(page) => navigate("debts", withoutEmpty({ ...filters, page }))} />`;
}

export function DebtDetail({ params }) {
  const state = useLoad(() => get(`/debts/${params.id}`), [params.id]);
  const [paid, setPaid] = useState(null);
  const clients = useNames("/clients", state.data ? [state.data.client_id] : []);
  if (!state.data) return html`<${PageHeader} title="Debt" /><${ListState} state=${state} />`;
  const debt = state.data;
  const client = { id: debt.client_id, name: clients[debt.client_id] };
  const recorded = (payment) => {
    setPaid(payment);
    state.reload();
  };
  return html`
    <${PageHeader} title=${`Debt #${debt.id}`} />
    <${Facts} facts=${[
      ["Client", html`<a href=${href(`clients/${debt.client_id}`)}>${client.name || `#${debt.client_id}`}</a>`],
      ["From", `${debt.source_type} #${debt.source_id}`], ["Amount", debt.amount],
      ["Paid", debt.paid_amount], ["Balance", debt.balance], ["Due date", debt.due_date],
      ["Status", debtStatus(debt)], ["Arose on", day(debt.created_at)]]} />
    ${paid && html`<p class="success-box" role="status">Payment #${paid.id} of ${paid.amount} recorded.</p>`}
    <h2>Allocations</h2>
    ${debt.allocations.length === 0 ? html`<p>Nothing paid against this debt yet.</p>` : html`
      <${TableWrap} label="Allocations"><table class="stack">
        <thead><tr><th scope="col">Date</th><th scope="col">Kind</th><th scope="col">Payment</th>
          <th scope="col" class="num">Amount</th></tr></thead>
        <tbody>${debt.allocations.map((allocation) => html`<tr key=${allocation.id}>
          <td data-label="Date">${day(allocation.created_at)}</td>
          <td data-label="Kind">${allocation.kind}</td>
          <td data-label="Payment">${allocation.payment_id ? `#${allocation.payment_id}` : ""}</td>
          <td data-label="Amount" class="num">${allocation.amount}</td></tr>`)}</tbody>
      </table><//>`}
    ${debt.status === "open" && html`<section aria-labelledby="pay-title">
      <h2 id="pay-title">Record a payment</h2>
      <${PaymentForm} key=${debt.balance} client=${client} debtId=${debt.id} amount=${debt.balance}
        onDone=${recorded} />
    </section>`}
    <p><a href=${href("debts")}>Back to debts</a></p>`;
}

// ---- payments ----------------------------------------------------------------------

const PAYMENT_FIELDS = ["client_id", "debt_id", "amount", "method", "reference", "notes"];

// The payment form for `client`; with `debtId` the payment goes to that debt,
// else to the debt chosen here or (none chosen) the client's oldest open debts.
function PaymentForm({ client, debtId, amount = "", debts, onDone }) {
  const form = useForm({ amount, method: "cash", reference: "", notes: "",
    debt_id: debtId ? String(debtId) : "" });
  const write = useWrite();
  const save = async (event) => {
    event.preventDefault();
    const { debt_id: debt, reference, notes, ...rest } = form.values;
    const body = { client_id: client.id, ...rest, ...withoutEmpty({ reference, notes }) };
    if (debt) body.debt_id = Number(debt);
    const result = await write.submit("POST", "/payments", body);
    if (result) onDone(result.data);
  };
  return html`<form onSubmit=${save} novalidate>
    <div class="form-grid">
      ${debts && html`<${Select} label="Apply to" options=${debts.map((debt) =>
        [String(debt.id), `Debt #${debt.id} · balance ${debt.balance} · due ${debt.due_date}`])}
        empty="Oldest open debts first" error=${write.error} ...${form.bind("debt_id")} />`}
      <${Input} label="Amount" inputmode="decimal" required error=${write.error} ...${form.bind("amount")} />
      <${Select} label="Method" options=${METHODS} error=${write.error} ...${form.bind("method")} />
      <${Input} label="Reference (optional)" autocomplete="off" error=${write.error}
        ...${form.bind("reference")} />
      <${Input} label="Notes (optional)" error=${write.error} ...${form.bind("notes")} />
    </div>
    <${ErrorBox} error=${write.error} shown=${PAYMENT_FIELDS} />
    <button type="submit" aria-busy=${write.busy ? "true" : undefined} disabled=${write.busy}>
      Record payment</button>
  </form>`;
}

function Allocations({ payment }) {
  return html`<ul>${payment.allocations.map((allocation) => html`<li key=${allocation.id}>
    ${allocation.amount} to <a href=${href(`debts/${allocation.debt_id}`)}>debt #${allocation.debt_id}</a>
  </li>`)}</ul>`;
}

export function PaymentNew({ query }) {
  const clientId = query.client_id || "";
  const state = useLoad(async () => {
    if (!clientId) return null;
    const [client, debts] = await Promise.all([get(`/clients/${clientId}`),
      list("/debts", { client_id: clientId, status: "open", page_size: 100 })]);
    return { client, debts: debts.items };
  }, [clientId]);
  const [payment, setPayment] = useState(null);
  const choose = (id) => {
    setPayment(null);
    navigate("payments/new", withoutEmpty({ client_id: id }));
  };
  const data = state.data;
  return html`
    <${PageHeader} title="Record a payment" />
    ${payment && html`<section class="success-box" role="status" aria-label="Payment recorded">
      <p>Payment #${payment.id} of ${payment.amount} recorded.</p><${Allocations} payment=${payment} />
    </section>`}
    <${ClientFilter} clientId=${clientId} name=${data?.client.name} onChange=${choose} />
    ${clientId && !data && html`<${ListState} state=${state} />`}
    ${data && html`
      <p>Open debts: ${data.debts.length}${data.debts.length > 0
        ? ` · oldest due ${data.debts.map((debt) => debt.due_date).sort()[0]}` : ""}</p>
      <${PaymentForm} key=${payment?.id || 0} client=${data.client} debts=${data.debts}
        onDone=${(made) => {
          setPayment(made);
          state.reload();
        }} />`}`;
}

export function PaymentList({ query }) {
  const filters = pickFilters(query, PAYMENT_FILTERS);
  const state = useLoad(() => list("/payments", { ...filters, page_size: 20 }),
    [JSON.stringify(filters)]);
  const rows = state.data?.items || [];
  const clients = useNames("/clients", [...rows.map((payment) => payment.client_id),
    filters.client_id && Number(filters.client_id)]);
  const form = useForm(filters);
  const go = (values) => {
    const { page: _, ...rest } = values;
    navigate("payments", withoutEmpty(rest));
  };
  return html`
    <${PageHeader} title="Payments">
      <button type="button" onClick=${() => navigate("payments/new", withoutEmpty({ client_id: filters.client_id }))}>
        Record a payment</button>
    <//>
    <${ClientFilter} clientId=${filters.client_id} name=${clients[Number(filters.client_id)]}
      onChange=${(clientId) => go({ ...filters, client_id: clientId })} />
    <form class="filters" role="search" aria-label="Payment filters"
      onSubmit=${(event) => { event.preventDefault(); go({ ...form.values, client_id: filters.client_id }); }}>
      <${Select} label="Method" options=${METHODS} empty="Any method" ...${form.bind("method")} />
      <button type="submit">Filter</button>
    </form>
    <${ListState} state=${state} empty="No payment matches these filters." />
    ${rows.length > 0 && html`<${TableWrap} label="Payments"><table class="striped stack">
      <thead><tr><th scope="col">Payment</th><th scope="col">Date</th><th scope="col">Client</th>
        <th scope="col" class="num">Amount</th><th scope="col">Method</th><th scope="col">Reference</th>
        <th scope="col">Applied to</th></tr></thead>
      <tbody>${rows.map((payment) => html`<tr key=${payment.id}>
        <td data-label="Payment">#${payment.id}</td><td data-label="Date">${day(payment.created_at)}</td>
        <td data-label="Client">${clients[payment.client_id] || `#${payment.client_id}`}</td>
        <td data-label="Amount" class="num">${payment.amount}</td>
        <td data-label="Method">${payment.method}</td><td data-label="Reference">${payment.reference}</td>
        <td data-label="Applied to"><${Allocations} payment=${payment} /></td>
      </tr>`)}</tbody>
    </table><//>`}
    <${Pager} page=${state.data?.page} onPage=${(page) => navigate("payments", withoutEmpty({ ...filters, page }))} />`;
}
