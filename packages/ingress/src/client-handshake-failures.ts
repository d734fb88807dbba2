// Failed TLS handshakes of clients on an HTTPS-proxy listener (issue 15: they were logged only at
// debug, so a client with the wrong CA, or one sending plain HTTP to the TLS port, failed with
// nothing in the log). Logged at info with OpenSSL's reason, at most one line per client address
// per interval (per-address-log-limit.ts).
import type { Logger } from "pino";
import { addressKey, logEvent } from "@tlsbridge/transport";
import type { HandshakeError } from "@tlsbridge/transport";
import { PerAddressLogLimit } from "./per-address-log-limit.ts";
import type { PerAddressLogLimitOptions } from "./per-address-log-limit.ts";

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
  readonly #limit: PerAddressLogLimit;

  constructor(log: Logger, options: PerAddressLogLimitOptions = {}) {
    this.#log = log;
    this.#limit = new PerAddressLogLimit(options);
  }

  /** Reports a failed handshake from `remote` (`address:port`). */
  report(err: HandshakeError, remote: string): void {
    const client = addressKey(remote.slice(0, remote.lastIndexOf(":")));
    const admitted = this.#limit.admit(client);
    if (admitted === undefined) return;
    logEvent(this.#log, "info", "client.tls.failed", { client, remote, kind: err.reason, ...reasonOf(err), ...admitted },
      "client TLS handshake failed");
  }
}
