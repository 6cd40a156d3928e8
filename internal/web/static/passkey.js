// Tessera's passkey button: "Sign in with a passkey" on the hosted
// sign-in (and "Use a passkey" on the second step), and "Add a passkey"
// on the account page (data-ceremony="create"). The pages work without
// it (the button stays hidden); with it, the browser asks Tessera for a
// ceremony, lets the person choose or make a passkey, and posts the
// answer in the page's own form.
(() => {
  "use strict";
  const form = document.getElementById("passkey-form");
  const pkc = window.PublicKeyCredential;
  const create = form && form.dataset.ceremony === "create";
  const parse = pkc && (create ? pkc.parseCreationOptionsFromJSON : pkc.parseRequestOptionsFromJSON);
  if (!form || typeof parse !== "function" || !navigator.credentials) {
    return;
  }
  const button = document.getElementById("passkey-button");
  const status = document.getElementById("passkey-status");
  const noscript = document.getElementById("passkey-noscript");
  form.hidden = false;
  if (noscript) {
    noscript.hidden = true;
  }
  // Enter in the name field starts the ceremony instead of posting an
  // empty answer.
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    button.click();
  });
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "";
    try {
      // The pages' own endpoints take the form (its token); the API's
      // sign-in takes JSON.
      const body = form.dataset.beginForm ? new URLSearchParams(new FormData(form)) : "{}";
      const headers = form.dataset.beginForm ? {} : { "Content-Type": "application/json" };
      const r = await fetch(form.dataset.begin, { method: "POST", credentials: "same-origin", headers, body });
      if (r.redirected) {
        // A sensitive step with an old sign-in: the sign-in page asks for
        // the password again and comes back.
        location.assign(r.url);
        return;
      }
      if (!r.ok) {
        throw new Error("begin: " + r.status);
      }
      const begin = await r.json();
      const publicKey = parse.call(pkc, begin.publicKey);
      const cred = await (create ? navigator.credentials.create({ publicKey }) : navigator.credentials.get({ publicKey }));
      if (begin.challenge_id) {
        form.elements.challenge_id.value = begin.challenge_id;
      }
      form.elements.credential.value = JSON.stringify(cred.toJSON());
      form.submit();
    } catch (e) {
      status.textContent = form.dataset.failed;
      button.disabled = false;
    }
  });
})();
