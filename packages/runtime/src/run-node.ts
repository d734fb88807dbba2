// `tlsbridge ingress` and `tlsbridge peer`: log who we are, load and log the config and
// certificates, then serve in this process (serve-node.ts) or supervise workers (supervisor.ts)
// until a signal closes it. Roles load lazily, so `check`, `pki` and `--help` never pull in sockets.
import cluster from "node:cluster";
import { ConfigError, formatProblem } from "@tlsbridge/rules";
import { logEvent, reclaimReadBuffersWith } from "@tlsbridge/transport";
import { loadConfigOfRole } from "@tlsbridge/config";
import type { LoadedConfig } from "@tlsbridge/config";
import { summariseConfig } from "./config-summary.ts";
import { EXIT_CODES } from "./exit-codes.ts";
import type { ExitCode } from "./exit-codes.ts";
import { logCertificates } from "./log-certificates.ts";
import { logConfigWarnings } from "./log-config-warnings.ts";
import { createLogger } from "./logger.ts";
import { serveNode } from "./serve-node.ts";
import { memoryAllocator } from "./memory-allocator.ts";
import { installMemoryProbe } from "./memory-probe.ts";
import { collectFullGarbage, collectYoungGeneration } from "./v8-flags.ts";
import { programVersion } from "./version.ts";
import { WORKER_SLOT_ENV } from "./worker-messages.ts";

/** What `ingress` and `peer` take from the command line. */
export type RunNodeOptions = {
  readonly role: "ingress" | "peer";
  readonly config: string;
  readonly logLevel?: string | undefined;
  readonly pretty?: boolean;
};

/** Runs a node until it is stopped; resolves with the exit code. */
export async function runNode(options: RunNodeOptions): Promise<ExitCode> {
  reclaimReadBuffersWith(collectYoungGeneration);
  const log = createLogger({ role: options.role, level: options.logLevel, pretty: options.pretty ?? false });
  if (!cluster.isWorker) {
    logEvent(log, "info", "startup", {
      version: programVersion(), nodeVersion: process.version, config: options.config, allocator: memoryAllocator(),
    }, `tlsbridge ${options.role} starting`);
  }
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfigOfRole(options.role, options.config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    logEvent(log, "error", "config.rejected", { problems: err.problems, errors: err.problems.map(formatProblem) }, "config rejected");
    process.stderr.write(`${err.message}\n`);
    return EXIT_CODES.usage;
  }
  const worker = cluster.isWorker;
  installMemoryProbe(collectFullGarbage, log);
  const nodeLog = log.child({ node: loaded.options.nodeName, ...(worker ? { worker: Number(process.env[WORKER_SLOT_ENV]) } : {}) });
  if (!worker) {
    // Workers load the same files the supervisor just logged: they stay quiet about them.
    logEvent(nodeLog, "info", "config.loaded", { ...summariseConfig(loaded) }, "config loaded");
    logCertificates(loaded, nodeLog);
    logConfigWarnings(loaded, nodeLog);
  }
  if (!worker && loaded.ops.workers > 1) {
    const { superviseWorkers } = await import("./supervisor.ts");
    return superviseWorkers(options.config, loaded, nodeLog);
  }
  return serveNode(options.config, loaded, nodeLog);
}
