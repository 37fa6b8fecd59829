// The signed-in shell: header with the role's navigation (a menu button on
// narrow screens), who is signed in and in which stores, and the screen.

import { logout } from "./api.js";
import { useMyStores } from "./data.js";
import { html, useEffect, useState } from "./lib.js";
import { href } from "./router.js";
import { navigationFor } from "./routes.js";
import { BusyBar } from "./ui.js";

// The stores a limited user works in (rendered only for such a user).
function StoreScope() {
  const stores = useMyStores();
  if (!stores.data) return null;
  return html`<span class="scope">Stores: ${stores.data.map((store) => store.name).join(", ")}</span>`;
}

// Following a link closes the menu it was in.
function closeMenus(event) {
  event.currentTarget.closest("details")?.removeAttribute("open");
}

export function Layout({ user, route, children }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  useEffect(() => setMenuOpen(false), [route]);
  const items = navigationFor(user.role);
  const current = route?.path.split("/")[0];
  const link = (entry) => html`<li key=${entry.path}>
    <a href=${href(entry.path)} onClick=${closeMenus}
      aria-current=${entry.path.split("/")[0] === current ? "page" : undefined}>${entry.title}</a>
  </li>`;
  const signOut = async () => {
    setSigningOut(true);
    await logout();
  };
  return html`
    <a class="skip-link" href="#main" onClick=${(event) => {
      event.preventDefault();
      document.getElementById("main")?.focus();
    }}>Skip to content</a>
    <${BusyBar} />
    <header class="shell-header">
      <nav class="container-fluid" aria-label="Main">
        <ul><li><a class="brand" href=${href("")}>Inventory</a></li></ul>
        <button type="button" class="menu-button secondary outline" aria-expanded=${menuOpen}
          aria-controls="main-nav" onClick=${() => setMenuOpen(!menuOpen)}>Menu</button>
        <ul id="main-nav" class=${menuOpen ? "nav-links open" : "nav-links"}>
          ${items.map((item) => item.route ? link(item.route) : html`<li key=${item.group}>
            <details class="dropdown nav-group">
              <summary class=${item.routes.some((entry) => entry.path.split("/")[0] === current)
                ? "current" : undefined}>${item.group}</summary>
              <ul>${item.routes.map(link)}</ul>
            </details>
          </li>`)}
          <li class="who">
            <span>${user.name} <small class="role">(${user.role})</small></span>
            ${user.store_ids?.length > 0 && html`<${StoreScope} />`}
          </li>
          <li><button type="button" class="secondary" onClick=${signOut}
            aria-busy=${signingOut ? "true" : undefined}>Sign out</button></li>
        </ul>
      </nav>
    </header>
    <main id="main" class="container" tabindex="-1">${children}</main>`;
}
