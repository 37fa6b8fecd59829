// The API client: every call the panel makes to /api/v1 goes through here.
//
// * The session: the access token lives in this module's memory only; the
//   refresh token is kept in sessionStorage (this tab only, gone when it
//   closes) so that a reload does not sign the user out. The access token is
//   refreshed a minute before it expires, and once more on a 401.
// * Errors: every failure becomes an ApiError carrying the API's `message`,
//   `errors` and status; no network (or the service worker's offline reply)
//   is status 0 or 503 with a sentence the user can act on.
// * Writes carry an Idempotency-Key; `idempotentSender()` keeps one key per
//   user action and reuses it when the same request is retried.
// * A busy counter tells the shell when calls are in flight.

export const BASE = "/api/v1";
export const OFFLINE_MESSAGE =
  "You are offline or the server cannot be reached. Check the connection and try again.";
const REFRESH_STORAGE = "inventory-panel.refresh";
const EARLY_REFRESH_SECONDS = 60;

export class ApiError extends Error {
  // `body` is the API's error shape ({code, status, message, errors}) or null.
  constructor(status, body) {
    super(body?.message || `The server answered ${status}.`);
    this.status = status;
    this.errors = body?.errors || null;
  }

  get offline() {
    return this.status === 0 || this.status === 503;
  }
}

// ---- busy: how many calls are in flight --------------------------------------

const busyListeners = new Set();
let inFlight = 0;

function setBusy(delta) {
  inFlight += delta;
  busyListeners.forEach((listener) => listener(inFlight));
}

// Call `listener(count)` whenever the number of calls in flight changes; returns the unsubscribe.
export function onBusy(listener) {
  busyListeners.add(listener);
  return () => busyListeners.delete(listener);
}

// ---- session -------------------------------------------------------------------

const sessionListeners = new Set();
const state = { access: null, user: null, notice: null, timer: null, refreshing: null };

// The signed-in user ({id, email, name, role, store_ids, ...}) or null.
export function currentUser() {
  return state.user;
}

// A sentence to show on the sign-in screen (why the session ended), once.
export function takeNotice() {
  const notice = state.notice;
  state.notice = null;
  return notice;
}

// Call `listener(user)` when the user signs in or out; returns the unsubscribe.
export function onSession(listener) {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

function announce() {
  sessionListeners.forEach((listener) => listener(state.user));
}

function scheduleRefresh(expiresIn) {
  clearTimeout(state.timer);
  const seconds = Math.max(expiresIn - EARLY_REFRESH_SECONDS, expiresIn / 2);
  state.timer = setTimeout(() => refreshAccess(), seconds * 1000);
}

function endSession(notice) {
  clearTimeout(state.timer);
  sessionStorage.removeItem(REFRESH_STORAGE);
  Object.assign(state, { access: null, user: null, notice, timer: null });
  announce();
}

// POST /auth/login; on success the session starts. Throws ApiError (401, 422, 429).
export async function login(email, password) {
  const response = await call("POST", "/auth/login", { body: { email, password } });
  const data = await readBody(response);
  if (!response.ok) throw new ApiError(response.status, data);
  sessionStorage.setItem(REFRESH_STORAGE, data.refresh_token);
  state.access = data.access_token;
  state.user = data.user;
  scheduleRefresh(data.expires_in);
  announce();
  return data.user;
}

// A new access token from the stored refresh token; true when it worked.
// Concurrent callers share one request.
function refreshAccess() {
  const refresh = sessionStorage.getItem(REFRESH_STORAGE);
  if (!refresh) return Promise.resolve(false);
  state.refreshing ??= (async () => {
    try {
      const response = await call("POST", "/auth/refresh", { token: refresh });
      const data = await readBody(response);
      if (response.ok) {
        state.access = data.access_token;
        scheduleRefresh(data.expires_in);
        return true;
      }
      if (response.status === 401) endSession("Your session has ended. Please sign in again.");
      return false;
    } catch {
      return false; // offline: keep the refresh token and try again on the next call
    } finally {
      state.refreshing = null;
    }
  })();
  return state.refreshing;
}

// After a reload: resume the session from the stored refresh token. True when signed in.
export async function resumeSession() {
  if (!(await refreshAccess())) return false;
  try {
    state.user = await get("/auth/me");
  } catch {
    return false;
  }
  announce();
  return true;
}

// POST /auth/logout (revokes the access token and its refresh token), then forget both.
export async function logout() {
  try {
    if (state.access) await call("POST", "/auth/logout", { token: state.access });
  } catch {
    // offline: the tokens are forgotten here all the same and expire on their own
  } finally {
    endSession(null);
  }
}

// ---- requests ------------------------------------------------------------------

async function call(method, path, { body, token, headers = {} } = {}) {
  const sent = { Accept: "application/json", ...headers };
  if (token) sent.Authorization = `Bearer ${token}`;
  if (body !== undefined) sent["Content-Type"] = "application/json";
  setBusy(1);
  try {
    return await fetch(BASE + path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, { message: OFFLINE_MESSAGE });
  } finally {
    setBusy(-1);
  }
}

async function readBody(response) {
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  try {
    return type.includes("json") ? await response.json() : await response.blob();
  } catch {
    return null;
  }
}

// `path` with `params` as a query string; null, undefined and "" values are left out.
export function withQuery(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") query.append(name, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

// One call with the session's token: {data, headers, status}. Throws ApiError.
// A 401 refreshes the access token once and retries; a second 401 ends the session.
export async function request(method, path, { body, key, headers = {} } = {}) {
  const sent = key ? { ...headers, "Idempotency-Key": key } : headers;
  let response = await call(method, path, { body, headers: sent, token: state.access });
  if (response.status === 401 && state.access && (await refreshAccess())) {
    response = await call(method, path, { body, headers: sent, token: state.access });
  }
  const data = await readBody(response);
  if (response.status === 401 && state.user) {
    endSession("Your session has ended. Please sign in again.");
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, headers: response.headers, status: response.status };
}

// GET → the body.
export async function get(path, params) {
  return (await request("GET", withQuery(path, params))).data;
}

// GET of a list → {items, page}; `page` is the parsed X-Pagination header (or null).
export async function list(path, params) {
  const { data, headers } = await request("GET", withQuery(path, params));
  return { items: data, page: parsePagination(headers.get("X-Pagination")) };
}

export function parsePagination(header) {
  try {
    return header ? JSON.parse(header) : null;
  } catch {
    return null;
  }
}

// A fresh Idempotency-Key.
export function newKey() {
  return crypto.randomUUID();
}

// Whether a failed write may have been carried out (no answer, a server
// failure, or "still being processed"): then a retry must reuse its key.
function outcomeUnknown(error) {
  return error instanceof ApiError &&
    (error.status === 0 || error.status >= 500 || (error.status === 409 && !error.errors));
}

// A sender of writes for one form. `send(method, path, body, {ifMatch})`
// → {data, headers, status}. It attaches an Idempotency-Key: the same key
// again when the same request is retried after an unknown outcome, a new one
// for any other request (a changed body is a new action).
export function idempotentSender() {
  let last = null; // {fingerprint, key}
  return async function send(method, path, body, { ifMatch } = {}) {
    const fingerprint = `${method} ${path} ${JSON.stringify(body ?? null)}`;
    const key = last?.fingerprint === fingerprint ? last.key : newKey();
    last = { fingerprint, key };
    const headers = ifMatch ? { "If-Match": ifMatch } : {};
    try {
      const result = await request(method, path, { body, key, headers });
      last = null;
      return result;
    } catch (error) {
      if (!outcomeUnknown(error)) last = null;
      throw error;
    }
  };
}
