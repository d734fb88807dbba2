// Runs the role in this process: the single process when `workers` is 1 (with the admin listener
// and reloads), or one worker under the supervisor (listeners bound with SO_REUSEPORT, reloads on
// the supervisor's word, tunnel metrics handed to it through prom-client's cluster messages and the
// status board on its request).
import cluster from "node:cluster";
import type { Logger } from "pino";
import { AggregatorRegistry } from "prom-client";
import { logEvent } from "@tlsbridge/transport";
import type { NodeContext } from "@tlsbridge/transport";
import type { LoadedConfig } from "@tlsbridge/config";
import { ConfigReloader } from "./config-reloader.ts";
import { EXIT_CODES } from "./exit-codes.ts";
import type { ExitCode } from "./exit-codes.ts";
import { startOperations } from "./node-operations.ts";
import type { Operations } from "./node-operations.ts";
import { dropPrivileges } from "./privilege-drop.ts";
import { createTunnelMetrics } from "./prom-metrics.ts";
import { StatusBoard } from "./status-board.ts";
import { closeOnSignal } from "./shutdown-on-signal.ts";
import { isWorkerReload, isWorkerStatusRequest, isWorkerTicketKeys, workerPorts, workerTicketKeys } from "./worker-messages.ts";
import type { WorkerReady, WorkerStatusReply } from "./worker-messages.ts";
import { reportStartFailure } from "./start-failure.ts";

/** A started role, whichever it is. */
type RunningRole = {
  readonly ports: readonly number[];
  readonly reload: (next: LoadedConfig) => void;
  /** Replaces the TLS session ticket keys (the peer's listener, the ingress's HTTPS-proxy listeners). */
  readonly setTicketKeys: (keys: Buffer) => void;
  readonly close: (graceMs?: number) => Promise<void>;
};

/** Serves until a signal; resolves with the exit code (a worker exits the process itself). */
export async function serveNode(path: string, loaded: LoadedConfig, log: Logger): Promise<ExitCode> {
  const worker = cluster.isWorker;
  const metrics = createTunnelMetrics();
  if (worker) {
    // Constructing one installs prom-client's answer to the supervisor's metrics requests.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([metrics.registry]);
  }
  const board = new StatusBoard();
  const ticketKeys = worker ? workerTicketKeys() : undefined;
  const context: NodeContext = {
    log, metrics: board.watching(metrics.sink), status: board, reusePort: worker && process.platform === "linux", ...(ticketKeys !== undefined ? { ticketKeys } : {}),
  };
  let running: RunningRole;
  try {
    running = await start(loaded, context, worker ? workerPorts() : undefined);
  } catch (err) {
    reportStartFailure(err, "could not start", loaded.kind, log);
    return finish(worker, EXIT_CODES.runtime);
  }
  let operations: Operations | undefined;
  if (worker) {
    const reloader = new ConfigReloader({ path, initial: loaded, log, quiet: true, apply: (next) => running.reload(next) });
    process.on("message", (message: unknown) => {
      if (isWorkerTicketKeys(message)) running.setTicketKeys(Buffer.from(message.keys, "base64"));
      if (isWorkerStatusRequest(message)) process.send?.({ type: "tlsbridge:status", id: message.id, board: board.snapshot() } satisfies WorkerStatusReply);
      if (isWorkerReload(message)) void reloader.reload({ trigger: "supervisor", ...(message.files !== undefined ? { files: message.files } : {}) });
    });
    process.on("SIGHUP", () => {}); // a hangup of the process group: the supervisor decides about reloads
    process.on("SIGINT", () => {}); // Ctrl-C reaches the whole group: the supervisor answers it with SIGTERM
    process.send?.({ type: "tlsbridge:ready", ports: running.ports } satisfies WorkerReady);
  } else {
    try {
      operations = await startOperations({
        path,
        loaded,
        log,
        listeners: () => ({ ready: true, lines: [`listening: ${running.ports.join(", ")}`] }),
        tunnelMetrics: () => metrics.registry.metrics(),
        tunnelStatus: async () => ({ boards: [board.snapshot()], workers: [] }),
        apply: (next) => running.reload(next),
      });
    } catch (err) {
      reportStartFailure(err, "could not start the admin listener", loaded.kind, log);
      await running.close(0);
      return EXIT_CODES.runtime;
    }
  }
  // Every socket is bound and every key read: from here on the node runs as `user:` (issue 12). A
  // worker was started by a supervisor that already switched, so it runs as that user already.
  try {
    if (!worker || loaded.runAs !== undefined) dropPrivileges(loaded, log);
  } catch (err) {
    logEvent(log, "fatal", "internal.error", { err }, "could not switch user");
    process.stderr.write(`tlsbridge ${loaded.kind}: ${(err as Error).message}\n`);
    operations?.close();
    await running.close(0);
    return finish(worker, EXIT_CODES.runtime);
  }
  const code = await closeOnSignal(async (graceMs) => {
    operations?.close();
    await running.close(graceMs);
  }, loaded.shutdownGraceMs, log, worker ? ["SIGTERM"] : undefined, {
    // A worker's supervisor waited the drain delay before it passed SIGTERM on.
    drainDelayMs: worker ? 0 : loaded.drainDelayMs,
    onStopping: () => operations?.stopping(),
  });
  return finish(worker, code);
}

/** A worker's IPC channel would keep it alive: it exits once it is done. */
function finish(worker: boolean, code: ExitCode): ExitCode {
  if (worker) process.exit(code);
  return code;
}

async function start(loaded: LoadedConfig, context: NodeContext, ports: readonly number[] | undefined): Promise<RunningRole> {
  if (loaded.kind === "ingress") {
    const { startIngress } = await import("@tlsbridge/ingress");
    const options = ports === undefined ? loaded.options : {
      ...loaded.options,
      listeners: loaded.options.listeners.map((l, i) => ({ ...l, port: ports[i] ?? l.port })),
    };
    const ingress = await startIngress(options, context);
    return {
      ports: ingress.listeners.map((l) => l.port),
      reload: (next) => {
        if (next.kind === "ingress") ingress.reload(next.options);
      },
      setTicketKeys: (keys) => ingress.setTicketKeys(keys),
      close: (graceMs) => ingress.close(graceMs),
    };
  }
  const { startPeer } = await import("@tlsbridge/peer");
  const options = ports?.[0] === undefined ? loaded.options : { ...loaded.options, port: ports[0] };
  const peer = await startPeer(options, context);
  return {
    ports: [peer.port],
    reload: (next) => {
      if (next.kind === "peer") peer.reload(next.options);
    },
    setTicketKeys: (keys) => peer.setTicketKeys(keys),
    close: (graceMs) => peer.close(graceMs),
  };
}
