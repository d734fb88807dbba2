// Everything the process that owns a node's operations runs beside the listeners: the
// admin listener, the peer readiness probe (ingress), node-level metrics, the status page's config
// history, and reloads on SIGHUP and on file changes. The single process runs it when `workers` is 1; the supervisor runs it otherwise.
import type { Logger } from "pino";
import { Registry } from "prom-client";
import { logEvent } from "@tlsbridge/transport";
import { CONFIG_DEFAULTS } from "@tlsbridge/config";
import type { LoadedConfig } from "@tlsbridge/config";
import { startAdminServer } from "./admin-server.ts";
import type { AdminServer, Readiness } from "./admin-server.ts";
import { ConfigHistory } from "./config-history.ts";
import { ConfigReloader } from "./config-reloader.ts";
import type { ReloadTrigger } from "./config-reloader.ts";
import { watchFiles } from "./file-watcher.ts";
import type { FileWatcher } from "./file-watcher.ts";
import { nodeStatus } from "./node-status.ts";
import type { WorkerView } from "./node-status.ts";
import { PeerProbe } from "./peer-probe.ts";
import { createNodeMetrics } from "./prom-metrics.ts";
import { describeUnreachable, unreachableTargets } from "./rule-reachability.ts";
import type { BoardSnapshot } from "./status-board.ts";

/** What the operations need from the process that serves (or supervises) the listeners. */
export type OperationsOptions = {
  /** The config file as given on the command line. */
  readonly path: string;
  readonly loaded: LoadedConfig;
  readonly log: Logger;
  /** Whether the listeners are up (single process: started; supervisor: some worker listens). */
  readonly listeners: () => Readiness;
  /** Prometheus text of the tunnel metrics (this process's registry, or every worker's aggregated). */
  readonly tunnelMetrics: () => Promise<string>;
  /** The status boards of the processes serving tunnels (this one, or every worker that answered) and the workers. */
  readonly tunnelStatus: () => Promise<{ readonly boards: readonly BoardSnapshot[]; readonly workers: readonly WorkerView[] }>;
  /** Applies a validated config (the roles' reload, or forwarding to the workers). */
  readonly apply: (next: LoadedConfig, trigger: ReloadTrigger) => void;
};

/** Running operations. */
export type Operations = {
  readonly admin: AdminServer | undefined;
  readonly nodeMetrics: ReturnType<typeof createNodeMetrics>;
  /** A stop signal arrived: `/readyz` answers 503 from now on, whatever else it would say. */
  readonly stopping: () => void;
  /** Stops the admin listener, the probe, the watcher and the SIGHUP handler. */
  readonly close: () => void;
};

/** Starts the operations; rejects when the admin listener cannot bind. */
export async function startOperations(options: OperationsOptions): Promise<Operations> {
  const { loaded, log } = options;
  let stopping = false;
  const startedAt = new Date();
  const history = new ConfigHistory();
  const nodeMetrics = createNodeMetrics();
  nodeMetrics.setCertificates(loaded.certificates);
  const admin = loaded.ops.admin;
  const probe = loaded.kind === "ingress" && admin !== undefined
    ? new PeerProbe(loaded.options, admin.peerProbeIntervalMs, log, nodeMetrics.peerState)
    : undefined;
  let watcher: FileWatcher | undefined;
  let pendingTrigger: ReloadTrigger | undefined;
  const reloader = new ConfigReloader({
    path: options.path,
    initial: loaded,
    skipUnchanged: true,
    log,
    apply: (next) => {
      options.apply(next, pendingTrigger ?? { trigger: "SIGHUP" });
      if (probe !== undefined && next.kind === "ingress") probe.update(next.options);
      watcher?.update(next.files);
    },
    // A file only the rejected config names (say a users file not created yet) is watched too.
    onRejected: (files) => watcher?.update(files),
    onResult: (result, current, outcome) => {
      history.record(result, outcome);
      nodeMetrics.reloaded(result);
      nodeMetrics.setCertificates(current.certificates);
    },
  });
  const reload = (trigger: ReloadTrigger): void => {
    pendingTrigger = trigger;
    reloader.reload(trigger).catch((err: unknown) => logEvent(log, "error", "internal.error", { err }, "reload failed"));
  };
  const onHangup = (): void => {
    logEvent(log, "info", "signal", { signal: "SIGHUP" }, "reloading the config");
    reload({ trigger: "SIGHUP" });
  };
  process.on("SIGHUP", onHangup);
  if (loaded.ops.watchFiles) {
    watcher = watchFiles(loaded.files, CONFIG_DEFAULTS.reloadDebounceMs, (files) => reload({ trigger: "file", files }));
  }
  let server: AdminServer | undefined;
  try {
    server = admin === undefined ? undefined : await startAdminServer(admin.listen, {
      readiness: () => (stopping
        ? { ready: false, lines: ["stopping: a stop signal arrived; the listeners close after drainDelayMs"] }
        : readiness(options.listeners(), probe, reloader.current)),
      metrics: async () => ({
        contentType: Registry.PROMETHEUS_CONTENT_TYPE,
        text: `${await options.tunnelMetrics()}\n${await nodeMetrics.registry.metrics()}`,
      }),
      status: async () => {
        const { boards, workers } = await options.tunnelStatus();
        return nodeStatus({ current: reloader.current, history: history.view(), startedAt, probe: probe?.states(), boards, workers });
      },
    }, log);
  } catch (err) {
    process.off("SIGHUP", onHangup);
    watcher?.close();
    throw err;
  }
  probe?.start();
  return {
    admin: server,
    nodeMetrics,
    stopping: () => {
      stopping = true;
    },
    close: () => {
      process.off("SIGHUP", onHangup);
      // Still installed so a late SIGHUP does not kill a process that is draining.
      process.on("SIGHUP", () => {});
      watcher?.close();
      probe?.stop();
      server?.close();
    },
  };
}

/**
 * Ready while the listeners are up and, on an ingress, every rule can reach a peer that is up
 * (rule-reachability.ts): a group with one member down still serves its rules. Every peer's state
 * is listed either way.
 */
function readiness(listeners: Readiness, probe: PeerProbe | undefined, current: LoadedConfig): Readiness {
  const lines = [...listeners.lines];
  let ready = listeners.ready;
  if (probe === undefined || current.kind !== "ingress") return { ready, lines };
  const up = new Set<string>();
  for (const state of probe.states()) {
    if (state.up === true) {
      up.add(state.peer);
      lines.push(`peer ${state.peer} (${state.address}): up`);
    } else {
      lines.push(`peer ${state.peer} (${state.address}): ${state.up === undefined ? "not probed yet" : `down: ${state.error ?? "unreachable"}`}`);
    }
  }
  const unreachable = unreachableTargets(current.options, (peer) => up.has(peer));
  if (unreachable.length > 0) ready = false;
  lines.push(...unreachable.map(describeUnreachable));
  return { ready, lines };
}
