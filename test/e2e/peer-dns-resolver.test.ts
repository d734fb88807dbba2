// The peer's own resolver (`dns.servers`), against a DNS server on loopback started here: answers
// in IPv6-first order, TTLs honoured by the cache (a second lookup within the TTL asks nothing,
// after it asks again), one query for concurrent lookups, negative answers cached briefly, and each
// failure (NXDOMAIN, no records, SERVFAIL, REFUSED, no answer at all) reported with the reason and
// rcode the peer turns into 502 dns_error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceResolver } from "@tlsbridge/peer";
import type { DialError } from "@tlsbridge/transport";
import { startDnsServer } from "../helpers/dns-server.ts";
import type { TestDnsServer } from "../helpers/dns-server.ts";

async function failure(work: Promise<unknown>): Promise<DialError> {
  try {
    await work;
  } catch (err) {
    return err as DialError;
  }
  throw new Error("expected the lookup to fail");
}

describe("the peer's DNS resolver (dns.servers)", () => {
  let server: TestDnsServer;
  beforeAll(async () => {
    server = await startDnsServer({
      "both.test": { a: ["127.0.0.1"], aaaa: ["::1"], ttl: 30 },
      "v4.test": { a: ["127.0.0.2", "127.0.0.3"], ttl: 30 },
      "shared.test": { a: ["127.0.0.1"], ttl: 30 },
      "empty.test": {},
      "broken.test": { rcode: "SERVFAIL" },
      "refused.test": { rcode: "REFUSED" },
      "silent.test": { silent: true },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers with every address, IPv6 first, and keeps them for the TTL", async () => {
    let now = 0;
    const resolve = createServiceResolver({ servers: [server.address] }, { now: () => now });
    expect(await resolve("both.test")).toEqual([{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }]);
    expect(await resolve("v4.test")).toEqual([{ address: "127.0.0.2", family: 4 }, { address: "127.0.0.3", family: 4 }]);
    const asked = server.queries("both.test");
    now = 29_000;
    await resolve("BOTH.test."); // same name, cached
    expect(server.queries("both.test")).toBe(asked);
    now = 30_000; // the TTL has run out
    await resolve("both.test");
    expect(server.queries("both.test")).toBe(asked + 2); // A and AAAA again
  });

  it("sends one query per record type for lookups of the same name at once", async () => {
    const resolve = createServiceResolver({ servers: [server.address] });
    const answers = await Promise.all(Array.from({ length: 10 }, () => resolve("shared.test")));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(server.queries("shared.test")).toBe(2);
  });

  it("NXDOMAIN: dns_not_found with rcode NXDOMAIN, remembered for a few seconds only", async () => {
    let now = 0;
    const resolve = createServiceResolver({ servers: [server.address] }, { now: () => now, cache: { negativeTtlMs: 5_000 } });
    const err = await failure(resolve("no-such-host.test"));
    expect({ code: err.code, reason: err.reason, rcode: err.rcode }).toEqual({ code: "TLSB_ERR_DIAL", reason: "dns_not_found", rcode: "NXDOMAIN" });
    const asked = server.queries("no-such-host.test");
    now = 4_999;
    expect((await failure(resolve("no-such-host.test"))).rcode).toBe("NXDOMAIN");
    expect(server.queries("no-such-host.test")).toBe(asked);
    now = 5_000;
    await failure(resolve("no-such-host.test"));
    expect(server.queries("no-such-host.test")).toBe(asked + 2);
  });

  it("a name with no address records: dns_not_found with rcode NOERROR", async () => {
    const err = await failure(createServiceResolver({ servers: [server.address] })("empty.test"));
    expect({ reason: err.reason, rcode: err.rcode }).toEqual({ reason: "dns_not_found", rcode: "NOERROR" });
  });

  it("SERVFAIL and REFUSED: dns_failed with the rcode, not cached", async () => {
    const resolve = createServiceResolver({ servers: [server.address] }, { tries: 1 });
    const servfail = await failure(resolve("broken.test"));
    expect({ reason: servfail.reason, rcode: servfail.rcode }).toEqual({ reason: "dns_failed", rcode: "SERVFAIL" });
    const asked = server.queries("broken.test");
    await failure(resolve("broken.test"));
    expect(server.queries("broken.test")).toBeGreaterThan(asked);
    const refused = await failure(resolve("refused.test"));
    expect({ reason: refused.reason, rcode: refused.rcode }).toEqual({ reason: "dns_failed", rcode: "REFUSED" });
  });

  it("a server that never answers: timeout", async () => {
    const err = await failure(createServiceResolver({ servers: [server.address] }, { queryTimeoutMs: 200, tries: 1 })("silent.test"));
    expect(err.reason).toBe("timeout");
  });
});
