// The IPC between the supervisor and its workers (`workers:` > 1): a worker says it listens (and on
// which ports, so the others and replacements bind the same ones when the config says port 0), the
// supervisor asks for reloads and for each worker's status board (`/status`, like prom-client's own
// metrics requests on the same channel).
import type { BoardSnapshot } from "./status-board.ts";

/** Environment variable carrying the ports a worker binds, one per listener, in config order. */
export const WORKER_PORTS_ENV = "TLSBRIDGE_WORKER_PORTS";

/** Environment variable carrying the worker's slot (1..N), for its log lines. */
export const WORKER_SLOT_ENV = "TLSBRIDGE_WORKER_SLOT";

/**
 * Environment variable carrying the node's TLS session ticket keys (48 bytes, base64) from the
 * supervisor to each worker, so a ticket from one worker resumes at another. The environment of a
 * process is readable only by its user (and root), like the private key file the node already reads.
 */
export const WORKER_TICKET_KEYS_ENV = "TLSBRIDGE_TICKET_KEYS";

/** Supervisor to worker: use these ticket keys from now on (base64, 48 bytes): the rotation. */
export type WorkerTicketKeys = { readonly type: "tlsbridge:ticket-keys"; readonly keys: string };

/** True for a {@link WorkerTicketKeys}. */
export function isWorkerTicketKeys(message: unknown): message is WorkerTicketKeys {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "tlsbridge:ticket-keys"
    && typeof (message as { keys?: unknown }).keys === "string";
}

/** The ticket keys a worker was handed (48 bytes), or undefined. */
export function workerTicketKeys(env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  const text = env[WORKER_TICKET_KEYS_ENV];
  if (text === undefined || text === "") return undefined;
  const keys = Buffer.from(text, "base64");
  return keys.length === 48 ? keys : undefined;
}

/** Worker to supervisor: listening on these ports. */
export type WorkerReady = { readonly type: "tlsbridge:ready"; readonly ports: readonly number[] };

/** Supervisor to worker: reload the config (the supervisor validated it already). */
export type WorkerReload = { readonly type: "tlsbridge:reload"; readonly files?: readonly string[] };

/** True for a {@link WorkerReady}. */
export function isWorkerReady(message: unknown): message is WorkerReady {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "tlsbridge:ready";
}

/** True for a {@link WorkerReload}. */
export function isWorkerReload(message: unknown): message is WorkerReload {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "tlsbridge:reload";
}

/** The ports a worker was told to bind, or undefined (the first worker binds what the config says). */
export function workerPorts(env: NodeJS.ProcessEnv = process.env): number[] | undefined {
  const text = env[WORKER_PORTS_ENV];
  if (text === undefined || text === "") return undefined;
  const ports = text.split(",").map(Number);
  return ports.every((p) => Number.isInteger(p) && p >= 0 && p <= 65_535) ? ports : undefined;
}

/** Supervisor to worker: send your status board (`/status`), answering with the same `id`. */
export type WorkerStatusRequest = { readonly type: "tlsbridge:status-request"; readonly id: number };

/** Worker to supervisor: its status board. */
export type WorkerStatusReply = { readonly type: "tlsbridge:status"; readonly id: number; readonly board: BoardSnapshot };

/** True for a {@link WorkerStatusRequest}. */
export function isWorkerStatusRequest(message: unknown): message is WorkerStatusRequest {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "tlsbridge:status-request"
    && typeof (message as { id?: unknown }).id === "number";
}

/** True for a {@link WorkerStatusReply}. */
export function isWorkerStatusReply(message: unknown): message is WorkerStatusReply {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "tlsbridge:status"
    && typeof (message as { id?: unknown }).id === "number" && typeof (message as { board?: unknown }).board === "object";
}
