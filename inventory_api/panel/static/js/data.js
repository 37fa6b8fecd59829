// Reference data many screens need (stores, categories), read once per
// session and shared; signing in or out drops it.

import { currentUser, list, onSession } from "./api.js";
import { useLoad } from "./ui.js";

const cache = new Map();

onSession(() => cache.clear());

// Every page of a list endpoint (page_size 100), as one array; cached by path.
export function loadAll(path, params = {}) {
  const cacheKey = `${path}?${new URLSearchParams(params)}`;
  if (!cache.has(cacheKey)) {
    const pending = (async () => {
      const rows = [];
      for (let page = 1; ; page += 1) {
        const { items, page: meta } = await list(path, { ...params, page, page_size: 100 });
        rows.push(...items);
        if (!meta?.next_page) return rows;
      }
    })();
    pending.catch(() => cache.delete(cacheKey)); // a failure is not remembered
    cache.set(cacheKey, pending);
  }
  return cache.get(cacheKey);
}

// The active stores the signed-in user may act in: all of them, or its
// `store_ids` when it is limited to some.
export async function myStores() {
  const stores = await loadAll("/stores", { active: true });
  const scope = currentUser()?.store_ids || [];
  return scope.length ? stores.filter((store) => scope.includes(store.id)) : stores;
}

// Hook: {data: stores, error, loading}.
export function useMyStores() {
  return useLoad(myStores, []);
}

// Hook: every category, {data, error, loading}.
export function useCategories() {
  return useLoad(() => loadAll("/categories"), []);
}
