// `workers: N` (N > 1): the nginx-style model. This small process starts N workers (node:cluster),
// each running the role with SO_REUSEPORT listeners on the same addresses; it replaces a worker that
// dies, forwards SIGTERM/SIGINT (drain) and reloads, and serves the admin listener with every
// worker's tunnel metrics aggregated (prom-client's AggregatorRegistry over the cluster channel) and
// every worker's status board merged (worker-boards.ts, the same channel).
import cluster from "node:cluster";
import { randomBytes } from "node:crypto";
import type { Worker } from "node:cluster";
import type { Logger } from "pino";
import { AggregatorRegistry } from "prom-client";
import { logEvent } from "@tlsbridge/transport";
import type { LoadedConfig } from "@tlsbridge/config";
import { EXIT_CODES } from "./exit-codes.ts";
import type { ExitCode } from "./exit-codes.ts";
import { startOperations } from "./node-operations.ts";
import { requestWorkerBoards } from "./worker-boards.ts";
import { dropPrivileges, unreadable } from "./privilege-drop.ts";
import { closeOnSignal, HARD_EXIT_AFTER_GRACE_MS } from "./shutdown-on-signal.ts";
import { isWorkerReady, WORKER_PORTS_ENV, WORKER_SLOT_ENV, WORKER_TICKET_KEYS_ENV } from "./worker-messages.ts";
import type { WorkerReload, WorkerTicketKeys } from "./worker-messages.ts";
import { reportStartFailure } from "./start-failure.ts";

/** A worker that died sooner than this after starting is replaced only after a backoff. */
const EARLY_DEATH_MS = 2_000;
const MAX_BACKOFF_MS = 10_000;
/**
 * TLS session ticket keys shared by the workers are replaced this often. Node holds one key set per
 * server (no list of older keys to still accept), so a ticket issued just before a rotation no
 * longer resumes after it: that connection pays one full handshake, then gets a new ticket.
 */
const TICKET_KEY_ROTATION_MS = 12 * 60 * 60 * 1000;

/** One worker slot; `restarts` counts the workers of this slot that died and were replaced. */
type Slot = { worker: Worker; ready: boolean; startedAt: number; failures: number; restarts: number };

/** Supervises `loaded.ops.workers` workers until a signal; resolves with the exit code. */
export async function superviseWorkers(path: string, loaded: LoadedConfig, log: Logger): Promise<ExitCode> {
  const count = loaded.ops.workers;
  const aggregator = new AggregatorRegistry();
  const slots = new Map<number, Slot>();
  let ports: readonly number[] | undefined;
  let stopping = false;
  let operations: Awaited<ReturnType<typeof startOperations>> | undefined;
  // One key set for every worker, so an ingress's ticket resumes whichever worker accepts it.
  let ticketKeys = randomBytes(48);
  const readyCount = (): number => [...slots.values()].filter((s) => s.ready).length;

  const fork = (slot: number, failures: number, replacing?: number, restarts = 0): Promise<readonly number[]> => {
    const env = {
      [WORKER_SLOT_ENV]: String(slot),
      [WORKER_TICKET_KEYS_ENV]: ticketKeys.toString("base64"),
      ...(ports !== undefined ? { [WORKER_PORTS_ENV]: ports.join(",") } : {}),
    };
    const worker = cluster.fork(env);
    const entry: Slot = { worker, ready: false, startedAt: Date.now(), failures, restarts };
    slots.set(slot, entry);
    logEvent(log, "info", "worker.started", { worker: slot, workerPid: worker.process.pid,
      ...(replacing !== undefined ? { replacing: replacing } : {}),
    }, replacing !== undefined ? "worker replaced" : "worker started");
    return new Promise((resolve, reject) => {
      worker.on("message", (message: unknown) => {
        if (!isWorkerReady(message)) return;
        entry.ready = true;
        operations?.nodeMetrics.workersReady(readyCount());
        resolve(message.ports);
      });
      worker.once("exit", (code: number | null, signal: string | null) => {
        if (slots.get(slot) === entry) slots.delete(slot);
        operations?.nodeMetrics.workersReady(readyCount());
        reject(new Error(`worker ${slot} exited (${signal ?? `code ${String(code)}`}) before it listened`));
        if (stopping || ports === undefined) {
          logEvent(log, "info", "worker.exit", { worker: slot, workerPid: worker.process.pid, code, signal, replaced: false }, "worker exited");
          return;
        }
        const early = Date.now() - entry.startedAt < EARLY_DEATH_MS;
        const nextFailures = early ? entry.failures + 1 : 0;
        const delay = nextFailures === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 250 * 2 ** nextFailures);
        logEvent(log, "warn", "worker.exit", { worker: slot, workerPid: worker.process.pid, code, signal, replaced: true, replaceInMs: delay,
        }, "worker died; replacing it");
        operations?.nodeMetrics.workerReplaced();
        setTimeout(() => {
          if (!stopping) fork(slot, nextFailures, slot, entry.restarts + 1).catch(() => {}); // its own exit is logged and replaced again
        }, delay);
      });
    });
  };

  try {
    operations = await startOperations({
      path,
      loaded,
      log,
      listeners: () => {
        const ready = readyCount();
        return { ready: ready > 0, lines: [`workers listening: ${ready}/${count} (ports ${(ports ?? []).join(", ")})`] };
      },
      tunnelMetrics: () => aggregator.clusterMetrics(),
      tunnelStatus: async () => {
        const current = [...slots].sort(([a], [b]) => a - b);
        const boards = await requestWorkerBoards(current.map(([, s]) => s.worker));
        return {
          boards: [...boards.values()],
          workers: current.map(([slot, s]) => ({
            slot, pid: s.worker.process.pid, upSince: new Date(s.startedAt).toISOString(), restarts: s.restarts,
            listening: s.ready, answered: boards.has(s.worker),
          })),
        };
      },
      apply: (_next, trigger) => {
        const message: WorkerReload = { type: "tlsbridge:reload", ...(trigger.files !== undefined ? { files: trigger.files } : {}) };
        for (const { worker } of slots.values()) if (worker.isConnected()) worker.send(message);
      },
    });
  } catch (err) {
    reportStartFailure(err, "could not start the admin listener", loaded.kind, log);
    return EXIT_CODES.runtime;
  }
  // The admin listener is bound: switch to `user:` before any worker starts, so every worker runs as
  // that user from its first line and a replacement binds its listeners (SO_REUSEPORT) as the same
  // user as the others. They read the config's files again: each must be readable by that user.
  try {
    dropPrivileges(loaded, log);
    const blocked = loaded.runAs === undefined ? [] : unreadable(loaded.files);
    if (blocked.length > 0) throw new Error(`the workers run as ${loaded.runAs?.user ?? ""} and cannot read ${blocked.join(", ")}`);
  } catch (err) {
    logEvent(log, "fatal", "internal.error", { err }, "could not switch user");
    process.stderr.write(`tlsbridge ${loaded.kind}: ${(err as Error).message}\n`);
    operations.close();
    return EXIT_CODES.runtime;
  }
  // The first worker binds what the config says (port 0 picks one); the others bind the same ports.
  try {
    ports = await fork(1, 0);
  } catch (err) {
    // The worker said why (listen.failed, or internal.error for a bug) before it exited.
    process.stderr.write(`tlsbridge ${loaded.kind}: could not start: ${(err as Error).message}\n`);
    operations.close();
    return EXIT_CODES.runtime;
  }
  for (let slot = 2; slot <= count; slot += 1) fork(slot, 0).catch(() => {});
  const rotation = setInterval(() => {
    ticketKeys = randomBytes(48);
    const message: WorkerTicketKeys = { type: "tlsbridge:ticket-keys", keys: ticketKeys.toString("base64") };
    for (const { worker } of slots.values()) if (worker.isConnected()) worker.send(message);
  }, TICKET_KEY_ROTATION_MS);
  rotation.unref();

  const exitsOf = (): Promise<unknown>[] =>
    [...slots.values()].map((s) => new Promise((resolve) => (s.worker.isDead() ? resolve(undefined) : s.worker.once("exit", resolve))));
  const stopWorkers = async (): Promise<void> => {
    stopping = true;
    const exits = exitsOf();
    for (const { worker } of slots.values()) worker.process.kill("SIGTERM");
    await Promise.all(exits);
  };
  // Each worker ends itself by its own hard deadline; one that still has not is killed just after it.
  return closeOnSignal(async () => {
    clearInterval(rotation);
    operations?.close();
    await stopWorkers();
  }, loaded.shutdownGraceMs, log, undefined, {
    extraHardExitMs: HARD_EXIT_AFTER_GRACE_MS / 2,
    drainDelayMs: loaded.drainDelayMs,
    onStopping: () => operations?.stopping(),
    onForcedExit: () => {
      for (const { worker } of slots.values()) if (!worker.isDead()) worker.process.kill("SIGKILL");
    },
  });
}
