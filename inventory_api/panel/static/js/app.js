// The panel's entry point: service worker, session, and which screen shows.

import { currentUser, onSession, resumeSession } from "./api.js";
import { Layout } from "./layout.js";
import { html, render, useEffect, useState } from "./lib.js";
import { match, navigate, useLocation } from "./router.js";
import { homeFor, routes } from "./routes.js";
import { SignIn } from "./screens/signin.js";

function resolve(path) {
  for (const route of routes) {
    const params = match(route.path, path);
    if (params) return { route, params };
  }
  return null;
}

function OfflineBanner() {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return online ? null : html`<p class="offline-banner" role="status">
    You are offline: the panel is shown from this device, but data cannot be loaded or saved.</p>`;
}

function Screen({ user, location }) {
  const found = resolve(location.path);
  const home = homeFor(user.role);
  useEffect(() => {
    if (!location.path && home) navigate(home.path);
  }, [location.path, home]);
  useEffect(() => {
    document.title = `${found?.route.title || "Not found"} · Inventory`;
  }, [found?.route]);
  if (!location.path) return null;
  if (!found) {
    return html`<${Layout} user=${user}><h1>Not found</h1>
      <p>The panel has no page at this address. <a href="#/">Go to the start page</a>.</p><//>`;
  }
  const { route, params } = found;
  if (!route.roles.includes(user.role)) {
    return html`<${Layout} user=${user} route=${route}><h1>${route.title}</h1>
      <p role="alert">Your role (${user.role}) may not open this page.</p><//>`;
  }
  const View = route.view;
  return html`<${Layout} user=${user} route=${route}>
    <${View} key=${location.path} params=${params} query=${location.query} user=${user} /><//>`;
}

function App() {
  const [user, setUser] = useState(currentUser);
  const [starting, setStarting] = useState(true);
  const location = useLocation();
  useEffect(() => {
    const stop = onSession(setUser);
    resumeSession().finally(() => setStarting(false));
    return stop;
  }, []);
  let body;
  if (starting && !user) body = html`<main class="container"><p aria-busy="true">Starting…</p></main>`;
  else if (!user) body = html`<${SignIn} />`;
  else body = html`<${Screen} user=${user} location=${location} />`;
  return html`<${OfflineBanner} />${body}`;
}

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => {
    // no offline copy this time; the panel works online all the same
  });
}

render(html`<${App} />`, document.getElementById("root"));
