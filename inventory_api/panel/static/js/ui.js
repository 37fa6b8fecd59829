// Shared components and hooks: loading data, forms, errors, pagination, busy bar.

import { ApiError, idempotentSender, onBusy } from "./api.js";
import { html, useCallback, useEffect, useMemo, useRef, useState } from "./lib.js";

const BUSY_DELAY_MS = 300; // calls faster than this show no indicator

// ---- data ------------------------------------------------------------------------

// Run `load()` (an async function) now and whenever `deps` change:
// {data, error, loading, reload}. A stale answer (deps changed meanwhile) is dropped.
export function useLoad(load, deps) {
  const [result, setResult] = useState({ data: null, error: null, loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setResult((previous) => ({ ...previous, error: null, loading: true }));
    load().then(
      (data) => current && setResult({ data, error: null, loading: false }),
      (error) => current && setResult({ data: null, error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { ...result, reload };
}

// A form's write: `submit(method, path, body, options)` sends through one
// idempotent sender (a retry reuses the key; a second click while the first
// is in flight is ignored). {submit, busy, error, setError}. `submit`
// resolves to {data, headers, status}, or null when it failed or was ignored.
export function useWrite() {
  const sender = useMemo(() => idempotentSender(), []);
  const inFlight = useRef(false);
  const [busy, setBusyState] = useState(false);
  const [error, setError] = useState(null);
  const submit = useCallback(async (method, path, body, options) => {
    if (inFlight.current) return null;
    inFlight.current = true;
    setBusyState(true);
    setError(null);
    try {
      return await sender(method, path, body, options);
    } catch (failure) {
      setError(failure);
      return null;
    } finally {
      inFlight.current = false;
      setBusyState(false);
    }
  }, [sender]);
  return { submit, busy, error, setError };
}

// Form values: {values, bind(name), set(name, value), setValues}. `bind(name)`
// gives an input its value and onInput.
export function useForm(initial) {
  const [values, setValues] = useState(initial);
  const set = useCallback((name, value) => setValues((v) => ({ ...v, [name]: value })), []);
  const bind = (name) => ({
    name,
    value: values[name] ?? "",
    onInput: (event) => set(name, event.currentTarget.type === "checkbox"
      ? event.currentTarget.checked : event.currentTarget.value),
  });
  return { values, bind, set, setValues };
}

// ---- errors ----------------------------------------------------------------------

// The per-field messages of a 422, flattened: {"price": ["..."], "lines.0.quantity": [...]}.
// Locations (json, query) are dropped: a form shows its fields whatever the location.
export function fieldErrors(error) {
  const flat = {};
  if (!(error instanceof ApiError) || error.status !== 422 || !error.errors) return flat;
  const walk = (value, prefix) => {
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
      flat[prefix] = value;
    } else if (value && typeof value === "object") {
      for (const [name, inner] of Object.entries(value)) walk(inner, prefix ? `${prefix}.${name}` : name);
    } else if (value !== undefined) {
      flat[prefix] = [String(value)];
    }
  };
  for (const messages of Object.values(error.errors)) walk(messages, "");
  return flat;
}

function detailText(value) {
  if (Array.isArray(value)) return value.map(detailText).join("; ");
  if (value && typeof value === "object") {
    return Object.entries(value).map(([name, inner]) => `${name.replace(/_/g, " ")} ${detailText(inner)}`).join(", ");
  }
  return String(value);
}

// The API's message next to a form, with the field errors that no field of
// the form shows (`shown`: names the form renders itself) and a 409's details.
export function ErrorBox({ error, shown = [] }) {
  if (!error) return null;
  const fields = fieldErrors(error);
  const rest = Object.entries(fields).filter(([name]) => !shown.includes(name));
  const details = error instanceof ApiError && error.status !== 422 && error.errors
    ? Object.entries(error.errors) : [];
  return html`<div class="error-box" role="alert">
    <strong>${error.message}</strong>
    ${rest.length > 0 && html`<ul>${rest.map(([name, messages]) =>
      html`<li key=${name}>${name}: ${messages.join(" ")}</li>`)}</ul>`}
    ${details.length > 0 && html`<ul>${details.map(([name, value]) =>
      html`<li key=${name}>${name.replace(/_/g, " ")}: ${detailText(value)}</li>`)}</ul>`}
  </div>`;
}

// ---- form controls -----------------------------------------------------------------

let nextId = 0;
function useId(prefix) {
  const id = useRef(null);
  id.current ??= `${prefix}-${(nextId += 1)}`;
  return id.current;
}

// A labelled input with its error messages (from `error`, an ApiError, by
// `name`). `hideLabel` keeps the label for screen readers only (a table cell
// whose column header already says it).
export function Input({ label, name, error, hint, hideLabel, ...rest }) {
  const id = useId(name || "field");
  const messages = fieldErrors(error)[name];
  const described = messages ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return html`<label for=${id}>${hideLabel ? html`<span class="visually-hidden">${label}</span>` : label}
    <input id=${id} name=${name} aria-invalid=${messages ? "true" : undefined}
      aria-describedby=${described} ...${rest} />
    ${messages ? html`<small id=${`${id}-error`}>${messages.join(" ")}</small>`
      : hint && html`<small id=${`${id}-hint`}>${hint}</small>`}
  </label>`;
}

// A labelled select; `options` is a list of [value, text]. `empty` adds a first blank choice.
export function Select({ label, name, error, options, empty, ...rest }) {
  const id = useId(name || "select");
  const messages = fieldErrors(error)[name];
  return html`<label for=${id}>${label}
    <select id=${id} name=${name} aria-invalid=${messages ? "true" : undefined}
      aria-describedby=${messages ? `${id}-error` : undefined} ...${rest}>
      ${empty !== undefined && html`<option value="">${empty}</option>`}
      ${options.map(([value, text]) => html`<option key=${value} value=${value}>${text}</option>`)}
    </select>
    ${messages && html`<small id=${`${id}-error`}>${messages.join(" ")}</small>`}
  </label>`;
}

// A labelled checkbox bound like an input (`checked`, `onInput`).
export function Checkbox({ label, name, value, ...rest }) {
  const id = useId(name || "check");
  return html`<label for=${id}>
    <input type="checkbox" id=${id} name=${name} checked=${Boolean(value)} ...${rest} /> ${label}
  </label>`;
}

// ---- lists ---------------------------------------------------------------------------

// Previous / next and "page x of y" from an X-Pagination object; `onPage(n)`.
export function Pager({ page, onPage }) {
  if (!page || page.total_pages <= 1) {
    return page ? html`<p class="pager-total">${page.total} in all</p>` : null;
  }
  return html`<nav class="pager" aria-label="Pages">
    <button type="button" class="secondary" disabled=${!page.previous_page}
      onClick=${() => onPage(page.previous_page)}>Previous</button>
    <span aria-live="polite">Page ${page.page} of ${page.total_pages} (${page.total} in all)</span>
    <button type="button" class="secondary" disabled=${!page.next_page}
      onClick=${() => onPage(page.next_page)}>Next</button>
  </nav>`;
}

// A table's box, scrolling sideways on narrow screens; focusable so that
// keyboard users can scroll it too (`label` names it for screen readers).
export function TableWrap({ label, children }) {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${label}>${children}</div>`;
}

// What a list shows while loading, on error or when empty; null when it has rows.
export function ListState({ state, empty = "Nothing to show." }) {
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  if (state.loading && !state.data) return html`<p aria-busy="true">Loading…</p>`;
  const items = state.data?.items ?? state.data;
  if (Array.isArray(items) && items.length === 0) return html`<p>${empty}</p>`;
  return null;
}

// ---- shell pieces ------------------------------------------------------------------

// A thin bar at the top while any API call has been running for BUSY_DELAY_MS.
export function BusyBar() {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    let timer = null;
    const stop = onBusy((count) => {
      clearTimeout(timer);
      if (count > 0) timer = setTimeout(() => setVisible(true), BUSY_DELAY_MS);
      else setVisible(false);
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, []);
  return html`<div class="busy-bar" hidden=${!visible} role="status" aria-live="polite">
    <span class="visually-hidden">${visible ? "Working…" : ""}</span>
  </div>`;
}

// A page heading with optional actions on the right.
export function PageHeader({ title, children }) {
  return html`<header class="page-header"><h1>${title}</h1>
    ${children && html`<div class="actions">${children}</div>`}</header>`;
}
