// The operations keys both node configs accept: the admin HTTP listener (health, readiness,
// metrics), the number of worker processes, and whether changed files reload themselves.
import { availableParallelism } from "node:os";
import { isScalar } from "yaml";
import { addProblem, describeNode, expectBoolean, expectInt, expectMap, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, YamlFields, YamlSource } from "@tlsbridge/rules";
import { CONFIG_DEFAULTS } from "./config-defaults.ts";
import { expectHostPort } from "./listen-address.ts";
import type { HostPort } from "./listen-address.ts";

/** Top-level keys this file reads. */
export const OPS_KEYS = ["admin", "workers", "watchFiles"] as const;

/** The admin listener; absent from the config: no admin listener at all (nothing opens unasked). */
export type AdminSettings = {
  readonly listen: HostPort;
  /** Ingress: how often each peer is probed (TCP + TLS handshake) for `/readyz`. */
  readonly peerProbeIntervalMs: number;
};

/** The operations settings, defaults applied. */
export type OpsSettings = {
  readonly admin: AdminSettings | undefined;
  /** Processes serving the listeners; 1 runs no supervisor. `auto` is resolved to the CPU count. */
  readonly workers: number;
  /** Reload when the config, a rule file or a certificate/key file changes (SIGHUP always works). */
  readonly watchFiles: boolean;
};

const MAX_WORKERS = 256;

/** Reads `admin`, `workers` and `watchFiles` from a node config's top mapping. */
export function parseOpsSettings(top: YamlFields, source: YamlSource, problems: ConfigProblem[]): OpsSettings {
  return {
    admin: top.values.has("admin") ? parseAdmin(top.values.get("admin"), source, problems) : undefined,
    workers: top.values.has("workers") ? parseWorkers(top.values.get("workers"), source, problems) : CONFIG_DEFAULTS.workers,
    watchFiles: top.values.has("watchFiles")
      ? expectBoolean(top.values.get("watchFiles"), source, problems) ?? CONFIG_DEFAULTS.watchFiles
      : CONFIG_DEFAULTS.watchFiles,
  };
}

function parseAdmin(node: unknown, source: YamlSource, problems: ConfigProblem[]): AdminSettings | undefined {
  const fields = expectMap(node, source, problems, ["listen", "peerProbeIntervalMs"]);
  if (fields === undefined) return undefined;
  if (!fields.values.has("listen")) {
    addProblem(fields.node, source, problems, "missing key 'listen' (the admin listener's host:port, e.g. 127.0.0.1:9901)");
    return undefined;
  }
  const listen = expectHostPort(fields.values.get("listen"), source, problems, 0);
  const defaults = CONFIG_DEFAULTS.admin;
  const peerProbeIntervalMs = fields.values.has("peerProbeIntervalMs")
    ? expectInt(fields.values.get("peerProbeIntervalMs"), source, problems, 100, 3_600_000) ?? defaults.peerProbeIntervalMs
    : defaults.peerProbeIntervalMs;
  return listen === undefined ? undefined : { listen, peerProbeIntervalMs };
}

function parseWorkers(node: unknown, source: YamlSource, problems: ConfigProblem[]): number {
  const n = resolveNode(node, source);
  if (isScalar(n) && n.value === "auto") return Math.min(MAX_WORKERS, availableParallelism());
  if (isScalar(n) && typeof n.value === "number") {
    return expectInt(n, source, problems, 1, MAX_WORKERS, `an integer from 1 to ${MAX_WORKERS} or auto`) ?? 1;
  }
  addProblem(n, source, problems, `expected an integer from 1 to ${MAX_WORKERS} or auto, got ${describeNode(n)}`);
  return 1;
}
