// The admin HTTP listener: `/healthz` (the process answers), `/readyz` (listeners up and,
// on an ingress, every rule able to reach a peer that is up; the body lists every peer's state and
// what is unreachable), `/metrics` (Prometheus text), `/status` (the node's state as JSON) and `/`
// (the status page, which renders `/status`).
// Plain HTTP, meant for loopback or a management network: it is off unless `admin.listen` is set.
import http from "node:http";
import { isIP } from "node:net";
import type { Logger } from "pino";
import { listen, logEvent, stopListening } from "@tlsbridge/transport";
import { formatHostPort } from "@tlsbridge/config";
import type { HostPort } from "@tlsbridge/config";
import { pageNonce, statusPage, statusPageHeaders } from "./status-page.ts";

/** Whether the node is ready, and the lines saying why (or why not). */
export type Readiness = { readonly ready: boolean; readonly lines: readonly string[] };

/** What the admin listener serves. */
export type AdminHandlers = {
  readonly readiness: () => Readiness;
  readonly metrics: () => Promise<{ readonly contentType: string; readonly text: string }>;
  /** The `/status` document (node-status.ts). */
  readonly status: () => Promise<unknown>;
};

/** A running admin listener. */
export type AdminServer = {
  readonly port: number;
  readonly close: () => void;
};

/** Binds the admin listener; rejects when it cannot (the node then does not start). */
export async function startAdminServer(address: HostPort, handlers: AdminHandlers, log: Logger): Promise<AdminServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const reply = (status: number, body: string, type = "text/plain; charset=utf-8", headers: Record<string, string> = {}): void => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers }).end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return reply(405, "method not allowed\n");
    if (path === "/healthz") return reply(200, "ok\n");
    if (path === "/readyz") {
      const { ready, lines } = handlers.readiness();
      return reply(ready ? 200 : 503, `${ready ? "ready" : "not ready"}\n${lines.map((l) => `${l}\n`).join("")}`);
    }
    if (path === "/metrics") {
      handlers.metrics().then(
        ({ contentType, text }) => reply(200, text, contentType),
        (err: unknown) => {
          logEvent(log, "error", "internal.error", { err }, "metrics collection failed");
          reply(500, "metrics collection failed\n");
        },
      );
      return;
    }
    if (path === "/status") {
      handlers.status().then(
        (status) => reply(200, `${JSON.stringify(status, null, 2)}\n`, "application/json; charset=utf-8", { "x-content-type-options": "nosniff" }),
        (err: unknown) => {
          logEvent(log, "error", "internal.error", { err }, "status collection failed");
          reply(500, "status collection failed\n");
        },
      );
      return;
    }
    if (path === "/") {
      const nonce = pageNonce();
      return reply(200, statusPage(nonce), "text/html; charset=utf-8", statusPageHeaders(nonce));
    }
    reply(404, "not found: try / (the status page), /status, /healthz, /readyz, /metrics\n");
  });
  server.keepAliveTimeout = 5_000;
  const bound = await listen(server, address.host, address.port);
  const shown = formatHostPort({ host: bound.address, port: bound.port });
  const loopback = address.host === "localhost" || (isIP(address.host) !== 0 && /^(127\.|::1$)/.test(address.host));
  if (loopback) logEvent(log, "info", "admin.listening", { address: shown }, "admin listener up");
  else logEvent(log, "warn", "admin.listening", { address: shown }, "admin listener on a non-loopback address: anyone who reaches it can read /metrics and /status");
  return {
    port: bound.port,
    close: () => {
      stopListening(server);
      server.closeAllConnections();
    },
  };
}
