// Dials a TCP service by name or address within one deadline that covers DNS and connect, and
// reports failures as a DialError reason. DNS goes through getaddrinfo, so /etc/hosts counts, unless
// the caller hands in its own resolver (the peer's `dns.servers`).
import { promises as dns } from "node:dns";
import net from "node:net";
import { DialError, DIAL_FAILURES } from "./dial-error.ts";
import type { DialFailure } from "./dial-error.ts";

/** Where to dial and how long the whole attempt may take. */
export type DialTcpOptions = {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  /** Resolves a name (not an IP literal); default getaddrinfo. Throws DialError (dns_* reasons). */
  readonly resolve?: HostResolver;
  /**
   * Sees the addresses to try (the name's answers, or the IP literal) before any connect and returns
   * those that may be dialed, or throws to refuse (the peer's destination address check).
   */
  readonly checkAddresses?: (addresses: readonly ResolvedAddress[]) => readonly ResolvedAddress[];
};

/** One address a name resolved to. */
export type ResolvedAddress = { readonly address: string; readonly family: number };

/** Resolves a host name to the addresses to try, first choice first; throws DialError on failure. */
export type HostResolver = (host: string) => Promise<readonly ResolvedAddress[]>;

type Resolved = ResolvedAddress;

/**
 * Opens a TCP connection with half-close allowed and Nagle off (tunnels carry interactive protocols).
 * Every address the name resolves to is tried (Happy Eyeballs via `autoSelectFamily`).
 */
export async function dialTcp(options: DialTcpOptions): Promise<net.Socket> {
  const deadline = Date.now() + options.timeoutMs;
  const resolved = net.isIP(options.host) !== 0
    ? [{ address: options.host, family: net.isIP(options.host) }]
    : await withDeadline((options.resolve ?? resolve)(options.host), deadline, `DNS lookup of ${options.host}`);
  const addresses = options.checkAddresses === undefined ? resolved : options.checkAddresses(resolved);
  if (addresses.length === 0) throw new DialError(DIAL_FAILURES.unreachable, `no address of ${options.host} may be dialed`);
  return await connect(options, addresses, deadline);
}

async function resolve(host: string): Promise<readonly Resolved[]> {
  try {
    const found = await dns.lookup(host, { all: true, order: "ipv6first" });
    if (found.length === 0) throw new DialError(DIAL_FAILURES.dnsNotFound, `${host} has no addresses`, { rcode: "NOERROR" });
    return found;
  } catch (err) {
    if (err instanceof DialError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTFOUND") throw new DialError(DIAL_FAILURES.dnsNotFound, `${host} does not resolve`, { cause: err, rcode: "NXDOMAIN" });
    if (code === "ENODATA") throw new DialError(DIAL_FAILURES.dnsNotFound, `${host} has no addresses`, { cause: err, rcode: "NOERROR" });
    throw new DialError(DIAL_FAILURES.dnsFailed, `DNS lookup of ${host} failed (${code ?? "unknown"})`, { cause: err });
  }
}

function connect(options: DialTcpOptions, addresses: readonly Resolved[], deadline: number): Promise<net.Socket> {
  return new Promise((resolvePromise, reject) => {
    const socket = net.connect({
      host: options.host,
      port: options.port,
      allowHalfOpen: true,
      noDelay: true,
      autoSelectFamily: true,
      lookup: (_hostname, lookupOptions, callback) => {
        const first = addresses[0] as Resolved;
        if ((lookupOptions as { all?: boolean }).all) (callback as (e: null, a: readonly Resolved[]) => void)(null, addresses);
        else callback(null, first.address, first.family);
      },
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DialError(DIAL_FAILURES.timeout, `connect to ${options.host}:${options.port} timed out`));
    }, Math.max(0, deadline - Date.now()));
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolvePromise(socket);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new DialError(connectFailure(err), `connect to ${options.host}:${options.port} failed: ${systemCode(err)}`, { cause: err }));
    });
  });
}

function systemCode(err: unknown): string {
  const e = err as { code?: string; errors?: Array<{ code?: string }> };
  return e.code ?? e.errors?.[0]?.code ?? "unknown";
}

function connectFailure(err: unknown): DialFailure {
  switch (systemCode(err)) {
    case "ECONNREFUSED":
      return DIAL_FAILURES.refused;
    case "ETIMEDOUT":
      return DIAL_FAILURES.timeout;
    case "ECONNRESET":
    case "EPIPE":
      return DIAL_FAILURES.closed;
    default:
      return DIAL_FAILURES.unreachable;
  }
}

async function withDeadline<T>(work: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DialError(DIAL_FAILURES.timeout, `${what} timed out`)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
