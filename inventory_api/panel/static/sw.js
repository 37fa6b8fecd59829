// The panel's service worker: keeps the shell (HTML, JS, CSS, icons, vendored
// libraries) for offline use; never caches API data.
//
// * Shell files: from the cache first, fetched and cached on a miss (so a
//   screen module added later is kept after its first load). Bump CACHE on
//   every release: the new worker then fetches the shell afresh and drops
//   the old cache.
// * Page loads (navigations): the network first, the cached shell offline.
// * /api/: the network only; with no network, a 503 in the API's error shape
//   whose message says so, which the panel shows like any API error.

const CACHE = "inventory-panel-2026-12-02.3";
const SHELL = [
  "/app/",
  "/app/manifest.webmanifest",
  "/app/css/app.css",
  "/app/css/business.css",
  "/app/css/operations.css",
  "/app/icons/favicon-32.png",
  "/app/icons/icon-192.png",
  "/app/js/api.js",
  "/app/js/app.js",
  "/app/js/data.js",
  "/app/js/decimal.js",
  "/app/js/layout.js",
  "/app/js/lib.js",
  "/app/js/pickers.js",
  "/app/js/roles.js",
  "/app/js/router.js",
  "/app/js/routes.js",
  "/app/js/ui.js",
  "/app/js/screens/clients.js",
  "/app/js/screens/customer.js",
  "/app/js/screens/dashboard.js",
  "/app/js/screens/inventory.js",
  "/app/js/screens/ledger.js",
  "/app/js/screens/money.js",
  "/app/js/screens/movement.js",
  "/app/js/screens/orders.js",
  "/app/js/screens/pos.js",
  "/app/js/screens/products.js",
  "/app/js/screens/purchasing.js",
  "/app/js/screens/registry.js",
  "/app/js/screens/registry_business.js",
  "/app/js/screens/registry_operations.js",
  "/app/js/screens/reports.js",
  "/app/js/screens/signin.js",
  "/app/js/screens/stockcount.js",
  "/app/js/screens/suppliers.js",
  "/app/js/screens/transfers.js",
  "/app/vendor/htm/htm.mjs",
  "/app/vendor/htm/preact.mjs",
  "/app/vendor/pico/pico.min.css",
  "/app/vendor/preact/hooks.mjs",
  "/app/vendor/preact/preact.mjs",
];
const OFFLINE_BODY = JSON.stringify({
  code: 503,
  status: "Service Unavailable",
  message: "You are offline: this data cannot be loaded or saved until the connection is back.",
});

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("inventory-panel-") && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

async function fromApi(request) {
  try {
    return await fetch(request);
  } catch {
    return new Response(OFFLINE_BODY, {
      status: 503,
      headers: { "Content-Type": "application/json" },
    });
  }
}

async function page(request) {
  try {
    return await fetch(request);
  } catch {
    const cache = await caches.open(CACHE);
    return (await cache.match("/app/")) || Response.error();
  }
}

async function shellFile(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) {
    event.respondWith(fromApi(request));
  } else if (request.method === "GET" && request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (request.method === "GET" && url.pathname.startsWith("/app/")) {
    event.respondWith(shellFile(request));
  }
});
