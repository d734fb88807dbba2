// Failed TLS handshakes of clients on an HTTPS-proxy listener (issue 15: they were logged only at
// debug, so a client with the wrong CA, or one sending plain HTTP to the TLS port, failed with
// nothing in the log). Logged at info with OpenSSL's reason, at most one line per client address
// per interval: a client retrying in a loop cannot flood the log; the next line says how many
// failures were not logged.
import type { Logger } from "pino";
import { LruCache } from "@tlsbridge/rules";
import { addressKey, logEvent } from "@tlsbridge/transport";
import type { HandshakeError } from "@tlsbridge/transport";

/** Sizing; the defaults are in {@link CLIENT_HANDSHAKE_LOG_DEFAULTS}. */
export type ClientHandshakeFailuresOptions = {
  /** At most one line per client address per this many ms. */
  readonly intervalMs?: number;
  /** Addresses remembered (LRU). */
  readonly maxClients?: number;
  /** Clock in ms (tests). */
  readonly now?: () => number;
};

/** One line a minute per client address; 4096 addresses remembered. */
export const CLIENT_HANDSHAKE_LOG_DEFAULTS = { intervalMs: 60_000, maxClients: 4096 } as const;

type Seen = { readonly loggedAt: number; suppressed: number };

/** What OpenSSL said, in words, with a hint where the usual cause is known. */
function reasonOf(err: HandshakeError): { reason: string; code?: string } {
  const cause = err.cause as (NodeJS.ErrnoException & { reason?: string }) | undefined;
  const code = cause?.code;
  const said = cause?.reason ?? cause?.message ?? err.message;
  const hint = code === "ERR_SSL_HTTPS_PROXY_REQUEST" || code === "ERR_SSL_HTTP_REQUEST" || code === "ERR_SSL_WRONG_VERSION_NUMBER"
    ? " (not TLS: plain HTTP sent to the HTTPS-proxy port?)"
    : err.reason === "certificate" ? " (the client does not trust this listener's certificate)" : "";
  return { reason: `${said}${hint}`, ...(code !== undefined ? { code } : {}) };
}

/** Logs failed client handshakes of one ingress, rate-limited per client address. */
export class ClientHandshakeFailures {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #seen: LruCache<string, Seen>;

  constructor(log: Logger, options: ClientHandshakeFailuresOptions = {}) {
    this.#log = log;
    this.#intervalMs = options.intervalMs ?? CLIENT_HANDSHAKE_LOG_DEFAULTS.intervalMs;
    this.#now = options.now ?? Date.now;
    this.#seen = new LruCache(options.maxClients ?? CLIENT_HANDSHAKE_LOG_DEFAULTS.maxClients);
  }

  /** Reports a failed handshake from `remote` (`address:port`). */
  report(err: HandshakeError, remote: string): void {
    const client = addressKey(remote.slice(0, remote.lastIndexOf(":")));
    const now = this.#now();
    const seen = this.#seen.get(client);
    if (seen !== undefined && now - seen.loggedAt < this.#intervalMs) {
      seen.suppressed += 1;
      return;
    }
    this.#seen.set(client, { loggedAt: now, suppressed: 0 });
    logEvent(this.#log, "info", "client.tls.failed", { client, remote, kind: err.reason, ...reasonOf(err),
      ...(seen !== undefined && seen.suppressed > 0 ? { suppressed: seen.suppressed } : {}),
    }, "client TLS handshake failed");
  }
}
