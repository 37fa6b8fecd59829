// Hash routes: `#/products/12` → the route whose pattern is "products/:id",
// with params {id: "12"}; `#/products?q=tea` → query {q: "tea"}. Hash routes
// need nothing from the server (it serves files only) and survive reloads.

import { useEffect, useState } from "./lib.js";

// The current location: {path: "products/12", query: {q: "tea"}}.
export function currentLocation() {
  const hash = decodeURI(window.location.hash.replace(/^#\/?/, ""));
  const [path, query = ""] = hash.split("?");
  return { path: path.replace(/\/$/, ""), query: Object.fromEntries(new URLSearchParams(query)) };
}

// Go to `path` ("products/12"), optionally with a query object.
export function navigate(path, query) {
  const search = query ? new URLSearchParams(query).toString() : "";
  window.location.hash = `#/${path}${search ? `?${search}` : ""}`;
}

// The `href` of a route path, for links.
export function href(path) {
  return `#/${path}`;
}

// Match `path` against a pattern ("products/:id"): the params, or null.
export function match(pattern, path) {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i += 1) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = got[i];
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

// A hook: the current location, re-rendering on every hash change.
export function useLocation() {
  const [location, setLocation] = useState(currentLocation);
  useEffect(() => {
    const update = () => setLocation(currentLocation());
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return location;
}
