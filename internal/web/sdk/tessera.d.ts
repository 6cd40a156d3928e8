// Type declarations of the Tessera browser client, version
// __TESSERA_VERSION__, served at /sdk/tessera.d.ts beside /sdk/tessera.js.

/** The version of the Tessera server that served the client. */
export declare const version: string;

/** A Tessera user, as GET /v1/auth/me answers it. */
export interface User {
  id: string;
  email: string;
  username: string | null;
  is_active: boolean;
  is_admin: boolean;
  email_verified: boolean;
  created_at: string;
  last_login_at: string | null;
}

/** Every failure of the client: the server's error body, and the status. */
export declare class TesseraError extends Error {
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  /** The server's stable error code ("invalid_credentials", ...), or "network_error". */
  readonly error: string;
  readonly error_description: string;
  /** Validation messages per field, e.g. { password: ["too short"] }. */
  readonly fields: Record<string, string[]>;
  /** The server's whole error body. */
  readonly body: Record<string, unknown>;
}

/** A second-factor method a pending login accepts. */
export type MfaMethod = "totp" | "recovery_code" | (string & {});

/** What login answers for an account with a second factor: ask for it, then call verify (or Tessera.verifyMfa). */
export interface MfaChallenge {
  readonly mfaRequired: true;
  /** The methods the account has, e.g. ["totp", "recovery_code"]. */
  readonly methods: MfaMethod[];
  /** Seconds left to complete the login (5 minutes at first). */
  readonly expiresIn: number;
  verify(proof: MfaProof): Promise<User>;
}

/** A TOTP code from the authenticator app, or one recovery code. */
export type MfaProof = { code: string; recovery_code?: never } | { recovery_code: string; code?: never };

export interface TesseraOptions {
  /** Tessera's URL, the iss of its tokens, e.g. "https://auth.example.com". */
  issuer: string;
  /** The client (front-end) id registered in Tessera; the default client when left out. */
  clientId?: string;
  /** The device name shown in the user's device list, unless login names another. */
  deviceName?: string;
  /** TESSERA_COOKIE_DOMAIN: hosts under it get X-CSRF-Token from fetch. Default: the issuer's host without its first label. */
  cookieDomain?: string;
  /** Seconds before the access token expires to refresh it (default 60). */
  refreshLeeway?: number;
}

export interface RegisterInput {
  email: string;
  password: string;
  username?: string;
  deviceName?: string;
}

export type LoginInput =
  | { email: string; username?: never; password: string; deviceName?: string }
  | { username: string; email?: never; password: string; deviceName?: string };

/** Why onChange was called. */
export type ChangeReason = "signed-in" | "signed-out" | "session-lost";

/** A passkey as GET /v1/auth/passkeys lists it. */
export interface Passkey {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  /** The key can travel between the user's devices (a password manager's passkey). */
  synced: boolean;
  user_verified: boolean;
  attachment: string;
  transports: string[];
}

/** The user's passkeys. Every method throws a TesseraError "passkeys_unsupported" (status 0) in a browser without WebAuthn's JSON methods. */
export interface Passkeys {
  /** Adds a passkey to the signed-in user's account; the browser asks the person to create it. */
  register(input?: { name?: string }): Promise<Passkey>;
  /** Signs in with a passkey, without a password (email narrows the choice to that account's passkeys). */
  login(input?: { email?: string; deviceName?: string }): Promise<User>;
  list(): Promise<Passkey[]>;
  rename(id: string, name: string): Promise<Passkey>;
  /** Removes one; it can sign in no more. */
  remove(id: string): Promise<void>;
}

export interface Tessera {
  readonly version: string;
  /** The user's passkeys: register, sign in, list, rename, remove. */
  readonly passkeys: Passkeys;
  /** Creates an account and signs in; null when e-mail verification is mandatory (nobody is signed in yet). */
  register(input: RegisterInput): Promise<User | null>;
  /** Signs in; an account with a second factor answers an MfaChallenge instead of the user. */
  login(input: LoginInput): Promise<User | MfaChallenge>;
  /** Completes the pending login with a code or a recovery code; invalid_mfa_code lets the person try again. */
  verifyMfa(proof: MfaProof): Promise<User>;
  /** The current user, or null when signed out. */
  user(): Promise<User | null>;
  /** Rotates the tokens now; null when the session is gone. Every tab shares one refresh. */
  refresh(): Promise<User | null>;
  /** Ends this session ("local", the default), the user's other sessions ("others") or all ("global"). */
  logout(options?: { scope?: "local" | "others" | "global" }): Promise<void>;
  /** window.fetch with cookies, X-CSRF-Token on unsafe methods, and one refresh and retry on 401. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Called on sign-in, sign-out and a lost session, in every tab; returns a function that stops it. */
  onChange(fn: (user: User | null, info: { reason: ChangeReason }) => void): () => void;
}

export declare function createTessera(options: TesseraOptions): Tessera;
