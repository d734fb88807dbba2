// The supervisor's side of `/status` with `workers:` > 1: the tunnels live in the workers, so it
// asks each one for its status board over the cluster channel, the way prom-client's
// AggregatorRegistry asks them for their metrics, and takes what arrives before a deadline.
import type { Worker } from "node:cluster";
import type { BoardSnapshot } from "./status-board.ts";
import { isWorkerStatusReply } from "./worker-messages.ts";
import type { WorkerStatusRequest } from "./worker-messages.ts";

/** How long a worker has to answer; one that does not is listed as not answering. */
export const WORKER_STATUS_TIMEOUT_MS = 2_000;

let nextId = 1;

/** Each connected worker's board; a worker that did not answer in time has none. */
export async function requestWorkerBoards(workers: readonly Worker[], timeoutMs = WORKER_STATUS_TIMEOUT_MS): Promise<Map<Worker, BoardSnapshot>> {
  const id = nextId++;
  const boards = new Map<Worker, BoardSnapshot>();
  await Promise.all(workers.filter((w) => w.isConnected()).map((worker) => new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("exit", done);
      resolve();
    };
    const onMessage = (message: unknown): void => {
      if (!isWorkerStatusReply(message) || message.id !== id) return;
      boards.set(worker, message.board);
      done();
    };
    const timer = setTimeout(done, timeoutMs);
    worker.on("message", onMessage);
    worker.once("exit", done);
    worker.send({ type: "tlsbridge:status-request", id } satisfies WorkerStatusRequest);
  })));
  return boards;
}
