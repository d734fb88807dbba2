// The proxy authenticator and its parts: PHC scrypt hashes round-trip and refuse what they should,
// Basic credentials parse strictly, and verified credentials are cached for the TTL only.
import { describe, expect, it } from "vitest";
import { parseBasicCredentials } from "./basic-credentials.ts";
import { formatPasswordHash, hashPassword, parsePasswordHash, verifyPassword } from "./password-hash.ts";
import type { PasswordHash } from "./password-hash.ts";
import { ProxyAuthenticator } from "./proxy-auth.ts";
import { VerifiedCredentials } from "./verified-credentials.ts";

const COST = { ln: 14, r: 8, p: 1 };
const basic = (text: string): string => `Basic ${Buffer.from(text).toString("base64")}`;

describe("password hashes", () => {
  it("round-trip through the PHC string and verify only the right password", async () => {
    const hash = await hashPassword("s3cret", COST);
    const text = formatPasswordHash(hash);
    expect(text).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    const parsed = parsePasswordHash(text) as PasswordHash;
    expect(await verifyPassword("s3cret", parsed)).toBe(true);
    expect(await verifyPassword("s3cret ", parsed)).toBe(false);
    expect(formatPasswordHash(await hashPassword("s3cret", COST))).not.toBe(text); // a salt per hash
  });

  it("refuses other formats and costs out of bounds, without echoing the hash", () => {
    expect(parsePasswordHash("$2y$10$abcdefghijklmnopqrstuv")).toMatch(/expected a scrypt hash/);
    expect(parsePasswordHash("$scrypt$ln=8,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).toBe("scrypt ln=8 is outside 14..20");
    expect(parsePasswordHash("$scrypt$ln=15,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).toMatch(/salt is 3 bytes/);
    // Each cost within its own bounds, together 4 GiB per check: refused.
    expect(parsePasswordHash("$scrypt$ln=20,r=32,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
      .toBe("scrypt ln=20, r=32 needs 4096 MiB per check; at most 256 MiB (128·2^ln·r) is accepted");
    expect(parsePasswordHash("$scrypt$ln=17,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).not.toBeTypeOf("string");
  });
});

describe("Basic credentials", () => {
  it("split at the first colon; the password may hold colons", () => {
    expect(parseBasicCredentials(basic("alice:a:b"))).toEqual({ user: "alice", password: "a:b" });
    expect(parseBasicCredentials(`bAsIc ${Buffer.from("bob:").toString("base64")}`)).toEqual({ user: "bob", password: "" });
    expect(parseBasicCredentials(basic("zoë:pässword"))).toEqual({ user: "zoë", password: "pässword" });
  });

  it("refuse anything else", () => {
    for (const value of ["Bearer x", "Basic", "Basic !!!", basic("no-colon"), basic(":empty-user"), "Basic " + Buffer.from([0xff, 0x3a]).toString("base64")]) {
      expect(parseBasicCredentials(value), value).toBeUndefined();
    }
  });
});

describe("ProxyAuthenticator", () => {
  it("grants, refuses, and caches a verified header for the TTL only", async () => {
    let now = 1_000;
    const auth = new ProxyAuthenticator(new Map([["alice", await hashPassword("pw", COST)]]), { verified: new VerifiedCredentials({ ttlMs: 100, now: () => now }) });
    expect(await auth.check([])).toEqual({ ok: false, reason: "missing" });
    expect(await auth.check([basic("alice:pw"), basic("alice:pw")])).toEqual({ ok: false, reason: "malformed" });
    expect(await auth.check([basic("alice:nope")])).toEqual({ ok: false, reason: "password", user: "alice" });
    expect(await auth.check([basic("eve:pw")])).toEqual({ ok: false, reason: "user", user: "eve" });
    expect(await auth.check([basic("alice:pw")])).toEqual({ ok: true, user: "alice", cached: false });
    expect(await auth.check([basic("alice:pw")])).toEqual({ ok: true, user: "alice", cached: true });
    now += 101;
    expect(await auth.check([basic("alice:pw")])).toEqual({ ok: true, user: "alice", cached: false });
    expect(await auth.check([basic("alice:nope")])).toMatchObject({ ok: false }); // failures are never cached as success
  });

  // Issue 15: a reload made a new authenticator and with it an empty memory.
  it("remembers a credential across a reload while the users file keeps its hash, and not after it changes", async () => {
    const verified = new VerifiedCredentials();
    const alice = await hashPassword("pw", COST);
    expect(await new ProxyAuthenticator(new Map([["alice", alice]]), { verified }).check([basic("alice:pw")])).toMatchObject({ ok: true, cached: false });
    const reloaded = new ProxyAuthenticator(new Map([["alice", { ...alice, hash: Buffer.from(alice.hash) }]]), { verified });
    expect(await reloaded.check([basic("alice:pw")])).toEqual({ ok: true, user: "alice", cached: true });
    const changed = new ProxyAuthenticator(new Map([["alice", await hashPassword("new-pw", COST)]]), { verified });
    expect(await changed.check([basic("alice:pw")])).toEqual({ ok: false, reason: "password", user: "alice" });
    const removed = new ProxyAuthenticator(new Map([["bob", alice]]), { verified });
    expect(await removed.check([basic("alice:pw")])).toEqual({ ok: false, reason: "user", user: "alice" });
  });

  it("shares one scrypt among identical checks under way", async () => {
    const auth = new ProxyAuthenticator(new Map([["alice", await hashPassword("pw", COST)]]));
    const results = await Promise.all(Array.from({ length: 20 }, () => auth.check([basic("alice:pw")])));
    expect(results.every((r) => r.ok)).toBe(true);
  });
});
