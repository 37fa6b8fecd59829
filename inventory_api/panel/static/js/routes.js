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
  { path: "products", title: "Products", roles: EVERYONE, nav: true, view: ProductList },
  { path: "products/new", title: "New product", roles: MANAGERS, view: ProductNew },
  { path: "products/:id", title: "Product", roles: EVERYONE, view: ProductDetail },
  { path: "products/:id/edit", title: "Edit product", roles: MANAGERS, view: ProductEdit },
  { path: "stock/movement", title: "Stock movement", roles: STAFF, nav: true, view: MovementForm },
  ...registered,
];

// The first screen of the navigation the role may open (its home).
export function homeFor(role) {
  return routes.find((route) => route.nav && route.roles.includes(role));
}
