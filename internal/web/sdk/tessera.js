// Tessera browser client, version __TESSERA_VERSION__, served by the
// Tessera it talks to at /sdk/tessera.js. An ES module with no
// dependencies. Tokens travel in httpOnly cookies (cookie delivery): no
// script, this one included, ever sees them.

/** The version of the Tessera server that served this file. */
export const version = "__TESSERA_VERSION__";

const CSRF_COOKIES = ["__Host-tessera_csrf", "__Secure-tessera_csrf", "tessera_csrf"];

/**
 * TesseraError is every failure: `error`, `error_description` and `fields`
 * are the server's (network_error when no answer came), `status` the HTTP
 * status (0 without an answer).
 */
export class TesseraError extends Error {
  constructor(status, body) {
    const b = body && typeof body === "object" ? body : {};
    super(b.error_description || b.error || `HTTP ${status}`);
    this.name = "TesseraError";
    this.status = status;
    this.error = b.error || (status ? "http_error" : "network_error");
    this.error_description = b.error_description || this.message;
    this.fields = b.fields || {};
    /** The server's whole error body (mfa_required carries mfa_token and methods). */
    this.body = b;
  }
}

const unsafe = (method) => !/^(GET|HEAD|OPTIONS)$/i.test(method || "GET");

// parentDomain is where the sibling front-ends and APIs of an issuer live:
// auth.example.com -> example.com. An issuer with fewer than three labels
// has none; pass cookieDomain then.
function parentDomain(host) {
  const labels = host.split(".");
  return labels.length >= 3 ? labels.slice(1).join(".") : "";
}

/**
 * createTessera returns a client of the Tessera at `issuer`.
 * Options: issuer (required), clientId, deviceName, cookieDomain (the
 * TESSERA_COOKIE_DOMAIN; default: the issuer's host without its first
 * label), refreshLeeway (seconds before expiry to refresh, default 60).
 */
export function createTessera(options) {
  if (!options || !options.issuer) throw new TypeError("createTessera: issuer is required");
  const issuer = new URL(options.issuer).origin;
  const issuerHost = new URL(issuer).hostname;
  const clientId = options.clientId || undefined;
  const cookieDomain = (options.cookieDomain ?? parentDomain(issuerHost)).replace(/^\./, "");
  const leeway = (options.refreshLeeway ?? 60) * 1000;
  const key = `tessera:${issuer}:${clientId || ""}`;
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(key) : null;
  const listeners = new Set();
  let current; // undefined: not known yet; null: signed out; else the user
  let csrf = null;
  let expiresAt = 0; // ms since the epoch; 0 when not known
  let timer = null;
  let refreshing = null;

  let pendingMfa = null; // { token, device } of a login waiting for its second factor

  function readCsrf() {
    for (const part of (typeof document === "object" ? document.cookie : "").split(";")) {
      const [name, ...rest] = part.trim().split("=");
      if (CSRF_COOKIES.includes(name) && rest.length) return rest.join("=");
    }
    return csrf || load().csrf || null;
  }

  function load() {
    try {
      return JSON.parse(localStorage.getItem(key) || "{}") || {};
    } catch {
      return {};
    }
  }

  function save() {
    try {
      localStorage.setItem(key, JSON.stringify({ csrf, expiresAt }));
    } catch {
      /* storage may be disabled: memory still works in this tab */
    }
  }

  function forget() {
    csrf = null;
    expiresAt = 0;
    clearTimeout(timer);
    try {
      localStorage.removeItem(key);
    } catch {
      /* see save */
    }
  }

  // remember keeps what a login or refresh answer says about the session.
  function remember(body) {
    if (body.csrf_token) csrf = body.csrf_token;
    if (body.expires_in) expiresAt = Date.now() + body.expires_in * 1000;
    save();
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    if (!expiresAt || current === null) return;
    const due = expiresAt;
    timer = setTimeout(() => refresh({ due }).catch(() => {}), Math.max(0, due - leeway - Date.now()));
  }

  function announce(type, user) {
    if (channel) channel.postMessage({ type, user, csrf, expiresAt });
  }

  // setUser records who is signed in and tells the listeners when that
  // changed. A page that learns it is signed out when it never knew
  // otherwise hears nothing.
  function setUser(user, reason) {
    const before = current;
    current = user;
    const was = before ? before.id : null;
    const now = user ? user.id : null;
    if (was !== now) {
      for (const fn of listeners) {
        try {
          fn(user, { reason });
        } catch (e) {
          setTimeout(() => {
            throw e;
          });
        }
      }
    }
    if (user === null) forget();
    else schedule();
  }

  if (channel) {
    channel.onmessage = ({ data }) => {
      if (!data || typeof data !== "object") return;
      if (data.csrf) csrf = data.csrf;
      if (data.expiresAt) expiresAt = data.expiresAt;
      if (data.type === "signed-out" || data.type === "session-lost") setUser(null, data.type);
      else if (data.user) setUser(data.user, data.type === "refreshed" ? "signed-in" : data.type);
    };
  }

  function csrfFor(url) {
    const u = new URL(url, typeof location === "object" ? location.href : issuer);
    if (u.origin === issuer || (typeof location === "object" && u.origin === location.origin)) return true;
    return cookieDomain !== "" && u.protocol === "https:" && (u.hostname === cookieDomain || u.hostname.endsWith("." + cookieDomain));
  }

  async function send(url, init) {
    try {
      return await fetch(url, init);
    } catch (e) {
      throw new TesseraError(0, { error: "network_error", error_description: String(e && e.message || e) });
    }
  }

  function tesseraInit(method, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (unsafe(method)) {
      const c = readCsrf();
      if (c) headers["X-CSRF-Token"] = c;
    }
    return {
      method, headers, credentials: "include", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    };
  }

  async function parse(res) {
    if (res.status === 204) return null;
    const text = await res.text();
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch {
      return { error: "http_error", error_description: text.slice(0, 200) };
    }
  }

  // call sends one request to Tessera; a 401 is answered by one refresh
  // and one retry.
  async function call(method, path, body, retry = true) {
    let res = await send(issuer + path, tesseraInit(method, body));
    if (res.status === 401 && retry && (await refresh({ after401: true }))) {
      res = await send(issuer + path, tesseraInit(method, body));
    }
    const data = await parse(res);
    if (!res.ok) {
      if (res.status === 401 && retry) setUser(null, "session-lost");
      throw new TesseraError(res.status, data);
    }
    return data;
  }

  // refresh rotates the session's tokens once for every tab of this
  // browser: the Web Lock lets one tab at a time in, and a tab that gets
  // the lock first checks whether another one already did the work.
  function refresh(opts = {}) {
    if (!refreshing) {
      const run = () => rotate(opts);
      const locked = typeof navigator === "object" && navigator.locks
        ? navigator.locks.request(`${key}:refresh`, run)
        : run();
      refreshing = locked.finally(() => {
        refreshing = null;
      });
    }
    return refreshing;
  }

  async function rotate({ after401 = false, due = 0, explicit = false }) {
    if (after401) {
      // Cookies are shared by every tab: if they work now, another tab
      // (or another front-end of this site) has refreshed already.
      const res = await send(issuer + "/v1/auth/me", tesseraInit("GET"));
      if (res.ok) {
        const saved = load();
        if (saved.csrf) csrf = saved.csrf;
        if (saved.expiresAt) expiresAt = saved.expiresAt;
        setUser(await parse(res), "signed-in");
        return true;
      }
    } else if (due && (expiresAt > due || load().expiresAt > due)) {
      return true; // another tab refreshed while this one waited
    }
    const res = await send(issuer + "/v1/auth/refresh", tesseraInit("POST", { delivery: "cookie" }));
    const data = await parse(res);
    if (res.ok) {
      remember(data);
      setUser(data.user, "signed-in");
      announce("refreshed", data.user);
      return true;
    }
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      const lost = current !== null && current !== undefined;
      setUser(null, "session-lost");
      if (lost) announce("session-lost", null);
      if (explicit) throw new TesseraError(res.status, data);
      return false;
    }
    throw new TesseraError(res.status, data);
  }

  async function signIn(path, body) {
    const device = body.deviceName ?? options.deviceName;
    let data;
    try {
      data = await call("POST", path, {
        email: body.email, username: body.username, password: body.password,
        device_name: device, delivery: "cookie", client_id: clientId,
      }, false);
    } catch (e) {
      if (e instanceof TesseraError && e.error === "mfa_required" && e.body.mfa_token) {
        return challenge(e.body, device);
      }
      throw e;
    }
    return signedIn(data);
  }

  function signedIn(data) {
    if (!data || !data.user) return null; // e-mail verification pending
    remember(data);
    setUser(data.user, "signed-in");
    announce("signed-in", data.user);
    return data.user;
  }

  // --- Passkeys (WebAuthn) ---
  // The browser's own JSON forms (parseCreationOptionsFromJSON,
  // parseRequestOptionsFromJSON, toJSON) carry the ceremonies: Tessera
  // speaks them as they are.
  function webauthn() {
    const pkc = typeof window === "object" ? window.PublicKeyCredential : undefined;
    if (!pkc || typeof pkc.parseRequestOptionsFromJSON !== "function" || !navigator.credentials) {
      throw new TesseraError(0, { error: "passkeys_unsupported", error_description: "this browser cannot use passkeys" });
    }
    return pkc;
  }

  async function registerPasskey({ name } = {}) {
    const pkc = webauthn();
    const begin = await call("POST", "/v1/auth/passkeys/register/begin");
    const cred = await navigator.credentials.create({ publicKey: pkc.parseCreationOptionsFromJSON(begin.publicKey) });
    return call("POST", "/v1/auth/passkeys/register/finish", { name: name ?? "", credential: cred.toJSON() });
  }

  async function passkeyLogin({ email, deviceName } = {}) {
    const pkc = webauthn();
    const begin = await call("POST", "/v1/auth/passkeys/login/begin", email ? { email } : {}, false);
    const cred = await navigator.credentials.get({ publicKey: pkc.parseRequestOptionsFromJSON(begin.publicKey) });
    const data = await call("POST", "/v1/auth/passkeys/login/finish", {
      challenge_id: begin.challenge_id, credential: cred.toJSON(),
      device_name: deviceName ?? options.deviceName, delivery: "cookie", client_id: clientId,
    }, false);
    return signedIn(data);
  }

  const passkeys = {
    /** register adds a passkey (named name) to the signed-in user's account. */
    register: registerPasskey,
    /** login signs in with a passkey, without a password. */
    login: passkeyLogin,
    /** list answers the user's passkeys. */
    list: async () => (await call("GET", "/v1/auth/passkeys")).passkeys,
    /** rename renames one of them. */
    rename: (id, name) => call("PATCH", "/v1/auth/passkeys/" + encodeURIComponent(id), { name }),
    /** remove removes one of them; it can sign in no more. */
    remove: (id) => call("DELETE", "/v1/auth/passkeys/" + encodeURIComponent(id)),
  };
  // --- end of passkeys ---

  // challenge keeps a pending login (its mfa_token stays in this closure,
  // never in storage) and answers what the page needs to ask for the
  // second factor.
  function challenge(body, device) {
    pendingMfa = { token: body.mfa_token, device };
    return {
      mfaRequired: true,
      methods: body.methods || [],
      expiresIn: body.expires_in,
      verify: (proof) => verifyMfa(proof),
    };
  }

  async function verifyMfa(proof = {}) {
    if (!pendingMfa) {
      throw new TesseraError(400, { error: "invalid_mfa_token", error_description: "no sign-in is waiting for a second factor" });
    }
    const data = await call("POST", "/v1/auth/mfa/verify", {
      mfa_token: pendingMfa.token, code: proof.code, recovery_code: proof.recovery_code,
      device_name: pendingMfa.device, client_id: clientId,
    }, false);
    pendingMfa = null;
    return signedIn(data);
  }

  return {
    version,
    passkeys,
    /** register creates an account and, unless e-mail verification is mandatory, signs in. */
    register: (input) => signIn("/v1/auth/register", input),
    /**
     * login signs in with { email or username, password, deviceName }. For
     * an account with a second factor it answers a challenge
     * { mfaRequired: true, methods, expiresIn, verify } instead of the user.
     */
    login: (input) => signIn("/v1/auth/login", input),
    /** verifyMfa completes the pending login with { code } or { recovery_code }; it answers the user. */
    verifyMfa: (proof) => verifyMfa(proof),
    /** user answers the current user, or null when signed out. */
    async user() {
      try {
        const u = await call("GET", "/v1/auth/me");
        setUser(u, "signed-in");
        return u;
      } catch (e) {
        if (e instanceof TesseraError && e.status === 401) return null;
        throw e;
      }
    },
    /** refresh rotates the tokens now; it answers the user, or null when the session is gone. */
    async refresh() {
      await refresh({ explicit: true });
      return current ?? null;
    },
    /** logout ends this session (scope "local"), the others ("others") or all ("global"). */
    async logout({ scope = "local" } = {}) {
      try {
        await call("POST", "/v1/auth/logout", { scope });
      } catch (e) {
        if (!(e instanceof TesseraError && e.status === 401)) throw e;
      }
      if (scope !== "others") {
        setUser(null, "signed-out");
        announce("signed-out", null);
      }
    },
    /**
     * fetch is window.fetch with the cookies included and X-CSRF-Token on
     * unsafe methods to the issuer and its sibling hosts; a 401 is answered
     * by one refresh and one retry.
     */
    async fetch(input, init = {}) {
      const url = typeof input === "string" || input instanceof URL ? String(input) : input.url;
      const build = () => {
        const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
        const method = init.method || (input instanceof Request ? input.method : "GET");
        if (unsafe(method) && csrfFor(url)) {
          const c = readCsrf();
          if (c) headers.set("X-CSRF-Token", c);
        }
        return { ...init, method, headers, credentials: "include" };
      };
      let res = await fetch(input, build());
      if (res.status === 401 && (await refresh({ after401: true }))) res = await fetch(input, build());
      else if (res.status === 401) setUser(null, "session-lost");
      return res;
    },
    /** onChange calls fn(user, { reason }) on sign-in, sign-out and a lost session, in every tab; it answers a function that stops it. */
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
