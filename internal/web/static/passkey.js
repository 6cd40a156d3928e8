// Tessera's hosted sign-in: the "Sign in with a passkey" button (and "Use
// a passkey" on the second step). The page works without it (the button
// stays hidden); with it, the browser asks Tessera for a ceremony, lets
// the person choose a passkey, and posts the answer in the page's own
// form, which signs the browser in.
(() => {
  "use strict";
  const form = document.getElementById("passkey-form");
  const pkc = window.PublicKeyCredential;
  if (!form || !pkc || typeof pkc.parseRequestOptionsFromJSON !== "function" || !navigator.credentials) {
    return;
  }
  const button = document.getElementById("passkey-button");
  const status = document.getElementById("passkey-status");
  form.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "";
    try {
      // The second step's own endpoint takes the form (its token); the
      // API's sign-in takes JSON.
      const body = form.dataset.beginForm ? new URLSearchParams(new FormData(form)) : "{}";
      const headers = form.dataset.beginForm ? {} : { "Content-Type": "application/json" };
      const r = await fetch(form.dataset.begin, { method: "POST", credentials: "same-origin", headers, body });
      if (!r.ok) {
        throw new Error("begin: " + r.status);
      }
      const begin = await r.json();
      const cred = await navigator.credentials.get({ publicKey: pkc.parseRequestOptionsFromJSON(begin.publicKey) });
      form.elements.challenge_id.value = begin.challenge_id;
      form.elements.credential.value = JSON.stringify(cred.toJSON());
      form.submit();
    } catch (e) {
      status.textContent = form.dataset.failed;
      button.disabled = false;
    }
  });
})();
