// The peer's own DNS client, used when peer.yaml names `dns.servers` (absent: getaddrinfo, as the
// system resolves). Asks the servers for A and AAAA through node:dns's Resolver (c-ares), keeps the
// answers for their TTL in a bounded cache, and reports failures as the DialError reasons the peer
// already maps to 502 dns_error with the rcode (RFC 9209 §2.3.2). /etc/hosts is not read this way.
import { promises as dns } from "node:dns";
import { DialError, DIAL_FAILURES } from "@tlsbridge/transport";
import type { HostResolver, ResolvedAddress } from "@tlsbridge/transport";
import { DnsAnswerCache } from "./dns-answer-cache.ts";
import type { DnsCacheLimits } from "./dns-answer-cache.ts";

/** `dns:` in peer.yaml: the servers to ask, as `ip` or `ip:port` (`[v6]:port`), in order. */
export type PeerDnsOptions = {
  readonly servers: readonly string[];
};

/** Options for tests: cache bounds, the clock, and the per-query timeout of the Resolver. */
export type ServiceResolverTuning = {
  readonly cache?: Partial<DnsCacheLimits>;
  readonly now?: () => number;
  /** One query's timeout (c-ares); the dial's own deadline (serviceConnectTimeoutMs) still bounds the whole lookup. */
  readonly queryTimeoutMs?: number;
  readonly tries?: number;
};

type Answer = readonly ResolvedAddress[];
type Failure = { readonly reason: typeof DIAL_FAILURES.dnsNotFound; readonly message: string; readonly rcode: string };

/** A resolver asking `options.servers`; throws DialError like the default lookup does. */
export function createServiceResolver(options: PeerDnsOptions, tuning: ServiceResolverTuning = {}): HostResolver {
  const resolver = new dns.Resolver({ timeout: tuning.queryTimeoutMs ?? 2_000, tries: tuning.tries ?? 2 });
  resolver.setServers([...options.servers]);
  const cache = new DnsAnswerCache<Answer, Failure>(tuning.cache);
  const now = tuning.now ?? Date.now;
  // Concurrent lookups of one name share one query.
  const inFlight = new Map<string, Promise<Answer>>();

  const ask = async (name: string): Promise<Answer> => {
    const [v6, v4] = await Promise.allSettled([
      resolver.resolve6(name, { ttl: true }),
      resolver.resolve4(name, { ttl: true }),
    ]);
    const records = [
      ...(v6.status === "fulfilled" ? v6.value.map((r) => ({ address: r.address, family: 6, ttl: r.ttl })) : []),
      ...(v4.status === "fulfilled" ? v4.value.map((r) => ({ address: r.address, family: 4, ttl: r.ttl })) : []),
    ];
    if (records.length > 0) {
      const answer = records.map(({ address, family }) => ({ address, family }));
      cache.setAnswer(name, answer, Math.min(...records.map((r) => r.ttl)), now());
      return answer;
    }
    const codes = [v6, v4].map((r) => (r.status === "rejected" ? (r.reason as NodeJS.ErrnoException).code : "ENODATA"));
    if (codes.includes("ENOTFOUND")) {
      const failure: Failure = { reason: DIAL_FAILURES.dnsNotFound, message: `${name} does not resolve`, rcode: "NXDOMAIN" };
      cache.setFailure(name, failure, now());
      throw fromFailure(failure);
    }
    if (codes.every((c) => c === "ENODATA")) {
      const failure: Failure = { reason: DIAL_FAILURES.dnsNotFound, message: `${name} has no addresses`, rcode: "NOERROR" };
      cache.setFailure(name, failure, now());
      throw fromFailure(failure);
    }
    // Transient: not cached. SERVFAIL and REFUSED keep their rcode; a timeout is a timeout.
    const code = codes.find((c) => c !== "ENODATA") ?? "unknown";
    const cause = [v6, v4].find((r) => r.status === "rejected")?.reason;
    if (code === "ETIMEOUT") throw new DialError(DIAL_FAILURES.timeout, `DNS lookup of ${name} timed out`, { cause });
    const rcode = RCODES[code];
    throw new DialError(DIAL_FAILURES.dnsFailed, `DNS lookup of ${name} failed (${code})`, { cause, ...(rcode !== undefined ? { rcode } : {}) });
  };

  return (host: string): Promise<Answer> => {
    const name = host.toLowerCase().replace(/\.$/, "");
    const cached = cache.get(name, now());
    if (cached !== undefined) return cached.ok ? Promise.resolve(cached.value) : Promise.reject(fromFailure(cached.failure));
    const running = inFlight.get(name);
    if (running !== undefined) return running;
    const lookup = ask(name).finally(() => inFlight.delete(name));
    inFlight.set(name, lookup);
    return lookup;
  };
}

/** c-ares error codes that carry a DNS response code. */
const RCODES: Readonly<Record<string, string>> = { ESERVFAIL: "SERVFAIL", EREFUSED: "REFUSED", EFORMERR: "FORMERR", ENOTIMP: "NOTIMP" };

function fromFailure(failure: Failure): DialError {
  return new DialError(failure.reason, failure.message, { rcode: failure.rcode });
}
