// The admin HTTP listener: `/healthz` (the process answers), `/readyz` (listeners up and,
// on an ingress, every rule able to reach a peer that is up; the body lists every peer's state and
// what is unreachable) and `/metrics` (Prometheus text).
// Plain HTTP, meant for loopback or a management network: it is off unless `admin.listen` is set.
import http from "node:http";
import { isIP } from "node:net";
import type { Logger } from "pino";
import { listen, logEvent, stopListening } from "@tlsbridge/transport";
import { formatHostPort } from "@tlsbridge/config";
import type { HostPort } from "@tlsbridge/config";

/** Whether the node is ready, and the lines saying why (or why not). */
export type Readiness = { readonly ready: boolean; readonly lines: readonly string[] };

/** What the admin listener serves. */
export type AdminHandlers = {
  readonly readiness: () => Readiness;
  readonly metrics: () => Promise<{ readonly contentType: string; readonly text: string }>;
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
    const reply = (status: number, body: string, type = "text/plain; charset=utf-8"): void => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : body);
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
    reply(404, "not found: try /healthz, /readyz, /metrics\n");
  });
  server.keepAliveTimeout = 5_000;
  const bound = await listen(server, address.host, address.port);
  const shown = formatHostPort({ host: bound.address, port: bound.port });
  const loopback = address.host === "localhost" || (isIP(address.host) !== 0 && /^(127\.|::1$)/.test(address.host));
  if (loopback) logEvent(log, "info", "admin.listening", { address: shown }, "admin listener up");
  else logEvent(log, "warn", "admin.listening", { address: shown }, "admin listener on a non-loopback address: anyone who reaches it can read /metrics");
  return {
    port: bound.port,
    close: () => {
      stopListening(server);
      server.closeAllConnections();
    },
  };
}
