// Sign-in: POST /auth/login. Every role signs in here; the navigation that
// follows depends on the role.

import { login, takeNotice } from "../api.js";
import { html, useRef, useState } from "../lib.js";
import { ErrorBox, Input, useForm } from "../ui.js";

export function SignIn() {
  const form = useForm({ email: "", password: "" });
  const [notice] = useState(takeNotice);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);
  const submit = async (event) => {
    event.preventDefault();
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    try {
      await login(form.values.email, form.values.password);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    } finally {
      inFlight.current = false;
    }
  };
  return html`<main class="container signin" id="main">
    <article>
      <header><h1>Sign in</h1><p>Inventory panel</p></header>
      ${notice && html`<p class="notice" role="status">${notice}</p>`}
      <form onSubmit=${submit} novalidate>
        <${Input} label="Email" type="email" autocomplete="username" required
          error=${error} ...${form.bind("email")} />
        <${Input} label="Password" type="password" autocomplete="current-password" required
          error=${error} ...${form.bind("password")} />
        <${ErrorBox} error=${error} shown=${["email", "password"]} />
        <button type="submit" aria-busy=${busy ? "true" : undefined} disabled=${busy}>Sign in</button>
      </form>
    </article>
  </main>`;
}
