// Proxy authentication at an ingress listener (opt-in, `auth: { users }`): checks a client's Basic
// credential against the listener's users file. scrypt is slow on purpose, so a verified header is
// remembered for a few minutes in a bounded LRU keyed by its SHA-256, and identical checks already
// under way are shared: a busy client pays for one scrypt, not one per tunnel.
import { createHash, randomBytes } from "node:crypto";
import { LruCache } from "@tlsbridge/rules";
import { parseBasicCredentials } from "./basic-credentials.ts";
import { DEFAULT_SCRYPT_COST, verifyPassword } from "./password-hash.ts";
import type { PasswordHash } from "./password-hash.ts";

/** A listener's users: name to password hash (loaded by the cli from the users file). */
export type ProxyAuthUsers = ReadonlyMap<string, PasswordHash>;

/** Why a credential was refused: none sent, not one Basic credential, no such user, wrong password. */
export type AuthDeniedReason = "missing" | "malformed" | "user" | "password";

/** The result of a check; `user` is never absent on success, and given on refusal when known. */
export type AuthOutcome =
  | { readonly ok: true; readonly user: string; readonly cached: boolean }
  | { readonly ok: false; readonly reason: AuthDeniedReason; readonly user?: string };

/** Cache sizing; the defaults suit a site of a few thousand users. */
export type ProxyAuthOptions = {
  /** Verified credentials remembered (LRU). Default 1024. */
  readonly cacheSize?: number;
  /** How long a verified credential is remembered. Default 300000 (5 minutes). */
  readonly cacheTtlMs?: number;
  /** Clock in ms (tests). */
  readonly now?: () => number;
};

type Verified = { readonly user: string; readonly expires: number };

/** Checks Basic credentials against one users table; a reload makes a new one (and so a new cache). */
export class ProxyAuthenticator {
  readonly #users: ProxyAuthUsers;
  readonly #cache: LruCache<string, Verified>;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, Promise<AuthOutcome>>();
  /** Checked for unknown users, so they take as long as known ones. */
  readonly #decoy: PasswordHash;

  constructor(users: ProxyAuthUsers, options: ProxyAuthOptions = {}) {
    this.#users = users;
    this.#cache = new LruCache(options.cacheSize ?? 1024);
    this.#ttlMs = options.cacheTtlMs ?? 300_000;
    this.#now = options.now ?? Date.now;
    const like = users.values().next().value ?? { ...DEFAULT_SCRYPT_COST, hash: Buffer.alloc(32) };
    this.#decoy = { ln: like.ln, r: like.r, p: like.p, salt: randomBytes(16), hash: randomBytes(like.hash.length) };
  }

  /** Checks the request's `Proxy-Authorization` values (all of them: more than one is malformed). */
  check(values: readonly string[]): Promise<AuthOutcome> {
    if (values.length === 0) return Promise.resolve({ ok: false, reason: "missing" });
    const value = values[0];
    if (values.length > 1 || value === undefined) return Promise.resolve({ ok: false, reason: "malformed" });
    const key = createHash("sha256").update(value).digest("base64");
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.expires > this.#now()) return Promise.resolve({ ok: true, user: hit.user, cached: true });
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running;
    const check = this.#verify(value, key).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, check);
    return check;
  }

  async #verify(value: string, key: string): Promise<AuthOutcome> {
    const credentials = parseBasicCredentials(value);
    if (credentials === undefined) return { ok: false, reason: "malformed" };
    const { user, password } = credentials;
    const stored = this.#users.get(user);
    const matches = await verifyPassword(password, stored ?? this.#decoy);
    if (stored === undefined) return { ok: false, reason: "user", user };
    if (!matches) return { ok: false, reason: "password", user };
    this.#cache.set(key, { user, expires: this.#now() + this.#ttlMs });
    return { ok: true, user, cached: false };
  }
}
