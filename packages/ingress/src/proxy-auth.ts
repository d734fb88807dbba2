// Proxy authentication at an ingress listener (opt-in, `auth: { users }`): checks a client's Basic
// credential against the listener's users file. scrypt is slow on purpose, so a verified header is
// remembered for a few minutes in a bounded LRU keyed by its SHA-256, and identical checks already
// under way are shared: a busy client pays for one scrypt, not one per tunnel. Failed logins are
// throttled per client address and verifications run through a small gate (the limiter and the gate
// outlive a reload: they are handed in).
import { createHash, randomBytes } from "node:crypto";
import type { AuthFailureLimiter } from "./auth-failure-limiter.ts";
import { parseBasicCredentials } from "./basic-credentials.ts";
import { DEFAULT_SCRYPT_COST, verifyPassword } from "./password-hash.ts";
import type { PasswordHash } from "./password-hash.ts";
import { VerifiedCredentials } from "./verified-credentials.ts";
import type { VerifyGate } from "./verify-gate.ts";

/** A listener's users: name to password hash (loaded by the config package from the users file). */
export type ProxyAuthUsers = ReadonlyMap<string, PasswordHash>;

/**
 * Why a credential was refused: none sent, not one Basic credential, no such user, wrong password,
 * too many failures from the client's address (no scrypt run), or too many checks already running
 * or waiting on the node (`busy`: answered 503, not 407).
 */
export type AuthDeniedReason = "missing" | "malformed" | "user" | "password" | "throttled" | "busy";

/**
 * The result of a check; `user` is never absent on success, and given on refusal when known.
 * A throttled refusal says when the address may try again, and whether it is the first refusal of
 * the address's current window (`report`).
 */
export type AuthOutcome =
  | { readonly ok: true; readonly user: string; readonly cached: boolean }
  | { readonly ok: false; readonly reason: Exclude<AuthDeniedReason, "throttled">; readonly user?: string }
  | { readonly ok: false; readonly reason: "throttled"; readonly retryAfterS: number; readonly report: boolean };

/** What a listener's authenticator shares with the others; each part is optional (tests). */
export type ProxyAuthOptions = {
  /** Verified credentials; shared by every listener and kept across reloads. */
  readonly verified?: VerifiedCredentials;
  /** Failed logins per client address; shared by every listener and kept across reloads. */
  readonly limiter?: AuthFailureLimiter;
  /** Verifications running at once; shared by every listener and kept across reloads. */
  readonly gate?: VerifyGate;
};

/** Checks Basic credentials against one users table; a reload makes a new one. */
export class ProxyAuthenticator {
  readonly #users: ProxyAuthUsers;
  readonly #verified: VerifiedCredentials;
  readonly #inFlight = new Map<string, Promise<AuthOutcome>>();
  readonly #limiter: AuthFailureLimiter | undefined;
  readonly #gate: VerifyGate | undefined;
  /** Checked for unknown users, so they take as long as known ones. */
  readonly #decoy: PasswordHash;

  constructor(users: ProxyAuthUsers, options: ProxyAuthOptions = {}) {
    this.#users = users;
    this.#verified = options.verified ?? new VerifiedCredentials();
    this.#limiter = options.limiter;
    this.#gate = options.gate;
    const like = users.values().next().value ?? { ...DEFAULT_SCRYPT_COST, hash: Buffer.alloc(32) };
    this.#decoy = { ln: like.ln, r: like.r, p: like.p, salt: randomBytes(16), hash: randomBytes(like.hash.length) };
  }

  /**
   * Checks the request's `Proxy-Authorization` values (all of them: more than one is malformed).
   * `client` is the client's address, for the failure limiter. A remembered (verified) credential
   * passes even from a throttled address: it costs no scrypt, and a shared NAT address should not
   * lock out users who already logged in.
   */
  check(values: readonly string[], client = ""): Promise<AuthOutcome> {
    if (values.length === 0) return Promise.resolve({ ok: false, reason: "missing" });
    const value = values[0];
    if (values.length > 1 || value === undefined) return Promise.resolve({ ok: false, reason: "malformed" });
    const key = createHash("sha256").update(value).digest("base64");
    const known = this.#verified.find(key, this.#users);
    if (known !== undefined) return Promise.resolve({ ok: true, user: known, cached: true });
    const throttle = this.#limiter?.check(client);
    if (throttle?.throttled === true) {
      return Promise.resolve({ ok: false, reason: "throttled", retryAfterS: throttle.retryAfterS, report: throttle.report });
    }
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running;
    const check = this.#verify(value, key, client).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, check);
    return check;
  }

  async #verify(value: string, key: string, client: string): Promise<AuthOutcome> {
    const credentials = parseBasicCredentials(value);
    if (credentials === undefined) return { ok: false, reason: "malformed" };
    const { user, password } = credentials;
    const stored = this.#users.get(user);
    const verify = (): Promise<boolean> => verifyPassword(password, stored ?? this.#decoy);
    const running = this.#gate === undefined ? verify() : this.#gate.run(verify);
    if (running === undefined) return { ok: false, reason: "busy", user };
    const matches = await running;
    if (stored === undefined || !matches) this.#limiter?.fail(client);
    if (stored === undefined) return { ok: false, reason: "user", user };
    if (!matches) return { ok: false, reason: "password", user };
    this.#verified.remember(key, user, stored);
    return { ok: true, user, cached: false };
  }
}
