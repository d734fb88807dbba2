// The password hashes of a proxy users file: scrypt with a per-user random salt, written in the PHC
// string format (`$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, base64 without padding) so the cost travels
// with each hash and can be raised later without breaking old entries.
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** One parsed hash: scrypt cost (N = 2^ln, r, p), salt and derived key. */
export type PasswordHash = {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
};

/**
 * Cost of new hashes: N = 2^15, r = 8 (32 MiB, about 50-100 ms on a server core). A verification
 * runs on libuv's thread pool, so the event loop keeps serving meanwhile.
 */
export const DEFAULT_SCRYPT_COST = { ln: 15, r: 8, p: 1 } as const;

/** Costs accepted when reading a file: low enough to bound memory per check, high enough to mean something. */
export const SCRYPT_COST_BOUNDS = { ln: [14, 20], r: [1, 32], p: [1, 16] } as const;

/**
 * Memory one verification may take (scrypt needs 128·N·r bytes). Each bound above is reasonable on
 * its own, but ln=20 with r=32 is 4 GiB per check, and checks run concurrently on the thread pool:
 * a users file must not be able to turn a few failed logins into an out-of-memory kill.
 */
export const SCRYPT_MAX_MEMORY_BYTES = 256 * 1024 * 1024;

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const B64 = "[A-Za-z0-9+/]+";
const PHC = new RegExp(`^\\$scrypt\\$ln=(\\d{1,2}),r=(\\d{1,2}),p=(\\d{1,2})\\$(${B64})\\$(${B64})$`);

/**
 * Parses a hash string; returns a one-line reason (for a config problem) when it is not one we
 * accept. Never includes the hash itself in the reason.
 */
export function parsePasswordHash(text: string): PasswordHash | string {
  const m = PHC.exec(text);
  if (m === null) return "expected a scrypt hash `$scrypt$ln=N,r=R,p=P$SALT$HASH` (make one with `tlsbridge auth hash`)";
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  for (const [name, value] of [["ln", ln], ["r", r], ["p", p]] as const) {
    const [min, max] = SCRYPT_COST_BOUNDS[name];
    if (value < min || value > max) return `scrypt ${name}=${value} is outside ${min}..${max}`;
  }
  if (128 * 2 ** ln * r > SCRYPT_MAX_MEMORY_BYTES) {
    return `scrypt ln=${ln}, r=${r} needs ${(128 * 2 ** ln * r) / 2 ** 20} MiB per check; at most ${SCRYPT_MAX_MEMORY_BYTES / 2 ** 20} MiB (128·2^ln·r) is accepted`;
  }
  const salt = Buffer.from(m[4] ?? "", "base64");
  const hash = Buffer.from(m[5] ?? "", "base64");
  if (salt.length < SALT_BYTES) return `the salt is ${salt.length} bytes; at least ${SALT_BYTES} expected`;
  if (hash.length < 16 || hash.length > 64) return `the hash is ${hash.length} bytes; 16 to 64 expected`;
  return { ln, r, p, salt, hash };
}

/** The PHC string of `hash`. */
export function formatPasswordHash(hash: PasswordHash): string {
  const b64 = (b: Buffer): string => b.toString("base64").replace(/=+$/, "");
  return `$scrypt$ln=${hash.ln},r=${hash.r},p=${hash.p}$${b64(hash.salt)}$${b64(hash.hash)}`;
}

/** Hashes `password` with a fresh random salt. */
export async function hashPassword(password: string, cost: { ln: number; r: number; p: number } = DEFAULT_SCRYPT_COST): Promise<PasswordHash> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, { ...cost, salt, hash: Buffer.alloc(KEY_BYTES) });
  return { ...cost, salt, hash };
}

/** Whether `password` matches `stored`; the keys are compared in constant time. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const derived = await derive(password, stored);
  return derived.length === stored.hash.length && timingSafeEqual(derived, stored.hash);
}

function derive(password: string, like: PasswordHash): Promise<Buffer> {
  const N = 2 ** like.ln;
  // scrypt needs about 128·N·r bytes; Node's default ceiling (32 MiB) is exactly the default cost.
  const maxmem = 256 * N * like.r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), like.salt, like.hash.length, { N, r: like.r, p: like.p, maxmem }, (err, key) => {
      if (err !== null) reject(err);
      else resolve(key);
    });
  });
}
