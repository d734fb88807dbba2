// Why a node could not start, said once on stderr and once in the log. A listener that cannot bind
// is the operator's to fix (another process on the port, a port below
// 1024 without the capability, an address this host does not have), not a bug: one line naming the
// address and the cause, logged as `listen.failed` and printed, and exit 1. Issue 15: it was logged
// as `internal.error` with a stack trace, which the docs say means a bug.
import type { Logger } from "pino";
import { formatHostPort } from "@tlsbridge/config";
import { logEvent } from "@tlsbridge/transport";

/** What each listen errno means to an operator. */
const CAUSES: Readonly<Record<string, string>> = {
  EADDRINUSE: "the address is already in use (another process listens there)",
  EACCES: "permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)",
  EADDRNOTAVAIL: "the address is not one of this host's",
};

type ListenFailure = { readonly code: string; readonly address: string; readonly message: string };

/**
 * Reports a failed start of `kind` (`what`: "could not start", "could not start the admin
 * listener"): a listen failure as `listen.failed` (error, no stack) and one line naming the address
 * and the cause; anything else as `internal.error` with the stack (a bug). The caller exits 1.
 */
export function reportStartFailure(err: unknown, what: string, kind: "ingress" | "peer", log: Logger): void {
  const failure = listenFailure(err);
  if (failure === undefined) {
    logEvent(log, "fatal", "internal.error", { err }, what);
    process.stderr.write(`tlsbridge ${kind}: ${what}: ${(err as Error).message}\n`);
    return;
  }
  logEvent(log, "error", "listen.failed", { code: failure.code, address: failure.address }, failure.message);
  process.stderr.write(`tlsbridge ${kind}: ${failure.message}\n`);
}

/** `err` as a listen failure, or undefined when it is something else. */
function listenFailure(err: unknown): ListenFailure | undefined {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (!(err instanceof Error) || (e.syscall !== "listen" && e.syscall !== "bind") || e.code === undefined) return undefined;
  const address = e.address === undefined ? "?" : formatHostPort({ host: e.address, port: e.port ?? 0 });
  return { code: e.code, address, message: `cannot listen on ${address}: ${CAUSES[e.code] ?? e.message}` };
}
