// The ingress's `access` line (issue 15): exactly one per tunnel attempt, written when the attempt
// ends (a tunnel that closed, a refusal before or after routing, a peer failure, a client that
// left), whatever the front door. What the attempt learnt on the way is gathered in AccessFacts.
import type { Logger } from "pino";
import { accessSummary, logEvent } from "@tlsbridge/transport";
import type { ListenerProtocol } from "./ingress-options.ts";

/** What one attempt learnt so far; each part is set by the step that learns it. */
export type AccessFacts = {
  target?: string;
  rule?: number;
  peer?: string;
  /** The HTTP status answered, or that the same outcome gets over HTTP (SOCKS5, SNI). */
  status?: number;
  /** Proxy-Status error type of a refusal (ours, or the peer's when its answer was relayed). */
  error?: string;
  /** Our TLSB_ERR_* code of a refusal. */
  code?: string;
  setupMs?: number;
};

/** How the attempt ended: a spliced tunnel's outcome, `refused`, `client_left` (before an answer), `aborted`. */
export type AccessEnd = {
  readonly outcome: string;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly durationMs: number;
};

const VERBS: Readonly<Record<ListenerProtocol, string>> = { http: "CONNECT", socks5: "SOCKS5", sni: "SNI" };

/**
 * Writes the attempt's access line through the listener's logger (which carries `site`);
 * `bindings` are the connection's (`tunnel`, `client`, `protocol`, `user`).
 */
export function writeAccessLine(
  log: Logger, protocol: ListenerProtocol, bindings: Readonly<Record<string, unknown>>, facts: AccessFacts, end: AccessEnd,
): void {
  const opened = facts.status === 200;
  // The connection's fields come from its bindings; pino leaves the facts not learnt (undefined) out.
  logEvent(log.child(bindings), "info", "access", {
    target: facts.target, rule: facts.rule, peer: facts.peer, status: facts.status, error: facts.error, code: facts.code,
    bytesUp: end.bytesUp, bytesDown: end.bytesDown, setupMs: facts.setupMs, durationMs: end.durationMs,
    outcome: end.outcome,
  }, accessSummary({
    verb: VERBS[protocol],
    target: facts.target,
    status: facts.status,
    error: facts.error,
    hop: facts.peer !== undefined ? `via ${facts.peer}` : undefined,
    bytes: opened ? { up: end.bytesUp, down: end.bytesDown } : undefined,
    durationMs: end.durationMs,
    outcome: end.outcome,
  }));
}
