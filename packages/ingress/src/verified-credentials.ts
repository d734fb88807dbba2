// Proxy credentials that passed scrypt, remembered for a few minutes so a busy client pays for one
// scrypt, not one per tunnel. Node-wide and kept across reloads (issue 15: a reload used to forget
// them, so a remembered user behind a throttled address got 407 until the minute was over). An
// entry holds the hash it was verified against and counts only while the listener's current users
// file has that same hash: a removed user or a changed password stops passing at the next reload.
import { LruCache } from "@tlsbridge/rules";
import type { PasswordHash } from "./password-hash.ts";

/** Sizing; the defaults suit a site of a few thousand users. */
export type VerifiedCredentialsOptions = {
  /** Credentials remembered (LRU). Default 1024. */
  readonly size?: number;
  /** How long a verified credential is remembered. Default 300000 (5 minutes). */
  readonly ttlMs?: number;
  /** Clock in ms (tests). */
  readonly now?: () => number;
};

type Verified = { readonly user: string; readonly hash: Buffer; readonly expires: number };

/** Verified `Proxy-Authorization` values by their SHA-256, each with the user and hash it matched. */
export class VerifiedCredentials {
  readonly #entries: LruCache<string, Verified>;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: VerifiedCredentialsOptions = {}) {
    this.#entries = new LruCache(options.size ?? 1024);
    this.#ttlMs = options.ttlMs ?? 300_000;
    this.#now = options.now ?? Date.now;
  }

  /** The user whose credential `key` is, if it was verified recently against the hash `users` still hold. */
  find(key: string, users: ReadonlyMap<string, PasswordHash>): string | undefined {
    const hit = this.#entries.get(key);
    if (hit === undefined || hit.expires <= this.#now()) return undefined;
    return users.get(hit.user)?.hash.equals(hit.hash) === true ? hit.user : undefined;
  }

  /** Remembers that credential `key` matched `user`'s hash `stored`. */
  remember(key: string, user: string, stored: PasswordHash): void {
    this.#entries.set(key, { user, hash: stored.hash, expires: this.#now() + this.#ttlMs });
  }
}
