// Every screen of the panel: its hash path, title, the roles that may open
// it and whether the navigation lists it. The navigation follows this order.
//
// Screens added later register in ./screens/registry.js (its default export
// is appended here), so this file does not change for them.

import { Dashboard } from "./screens/dashboard.js";
import { MovementForm } from "./screens/movement.js";
import { PointOfSale } from "./screens/pos.js";
import { ProductDetail, ProductEdit, ProductList, ProductNew } from "./screens/products.js";
import registered from "./screens/registry.js";
import { EVERYONE, MANAGERS, STAFF } from "./roles.js";

export const routes = [
  { path: "dashboard", title: "Dashboard", roles: MANAGERS, nav: true, view: Dashboard },
  { path: "pos", title: "Point of sale", roles: STAFF, nav: true, view: PointOfSale },
  // customers browse the catalog screen (registry_operations.js) instead
  { path: "products", title: "Products", roles: STAFF, nav: true, view: ProductList },
  { path: "products/new", title: "New product", roles: MANAGERS, view: ProductNew },
  { path: "products/:id", title: "Product", roles: EVERYONE, view: ProductDetail },
  { path: "products/:id/edit", title: "Edit product", roles: MANAGERS, view: ProductEdit },
  { path: "stock/movement", title: "Stock movement", roles: STAFF, nav: true, view: MovementForm },
  ...registered,
];

// Staff navigation groups its screens under menus (a screen not named here
// stands on its own); customers' few screens are never grouped.
const GROUPS = {
  Sell: ["pos", "orders", "clients", "debts", "payments"],
  Stock: ["products", "inventory", "stock/movement", "transfers", "stock-count", "alerts", "ledger"],
  Buy: ["purchase-orders", "suppliers"],
};

export function groupOf(route, role) {
  if (role === "customer") return null;
  return Object.keys(GROUPS).find((name) => GROUPS[name].includes(route.path)) || null;
}

// The navigation of a role: [{route}] for a screen on its own, [{group, routes}]
// for a menu, in the order of the first screen of each.
export function navigationFor(role) {
  const items = [];
  for (const route of routes.filter((entry) => entry.nav && entry.roles.includes(role))) {
    const group = groupOf(route, role);
    const menu = group && items.find((item) => item.group === group);
    if (menu) menu.routes.push(route);
    else items.push(group ? { group, routes: [route] } : { route });
  }
  return items;
}

// The first screen of the navigation the role may open (its home).
export function homeFor(role) {
  return routes.find((route) => route.nav && route.roles.includes(role));
}
