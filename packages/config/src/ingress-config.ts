// Loads ingress.yaml into exactly the IngressOptions the ingress starts with: every referenced file
// read and checked, defaults applied, every problem reported at once, the result frozen.
import { dirname, resolve } from "node:path";
import { ConfigError, expectMap, readYamlFile, requireKey, throwIfProblems } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import type { IngressLimits, IngressOptions } from "@tlsbridge/ingress";
import { COMMON_KEYS, parseCommonSettings } from "./common-settings.ts";
import { CONFIG_DEFAULTS } from "./config-defaults.ts";
import { deepFreeze } from "./deep-freeze.ts";
import { displayPath } from "./display-path.ts";
import { parseListeners } from "./ingress-listeners.ts";
import { parsePeerGroups } from "./ingress-peer-groups.ts";
import { parsePeerHealth } from "./ingress-peer-health.ts";
import { parsePeers } from "./ingress-peers.ts";
import type { LoadedIngressConfig } from "./loaded-config.ts";
import { parseOpsSettings } from "./ops-settings.ts";
import { checkWorkersCanBind, parseRunAs } from "./run-as.ts";
import { parseLimits } from "./settings-section.ts";
import { parseNodeTls } from "./tls-section.ts";

/** Top-level keys of ingress.yaml. */
export const INGRESS_KEYS: readonly string[] = ["listeners", "peers", "peerGroups", "peerHealth", ...COMMON_KEYS];

/** Reads and validates an ingress config file; throws one ConfigError listing every problem. */
export async function loadIngressConfig(path: string): Promise<LoadedIngressConfig> {
  const abs = resolve(path);
  return ingressConfigFromYaml(await readYamlFile(abs, displayPath(abs)), dirname(abs));
}

/** Validates a parsed ingress config; relative paths resolve against `baseDir` (the file's folder). */
export async function ingressConfigFromYaml(source: YamlSource, baseDir: string): Promise<LoadedIngressConfig> {
  const problems: ConfigProblem[] = [];
  const top = expectMap(source.doc.contents, source, problems, INGRESS_KEYS);
  if (top === undefined) throw new ConfigError(problems);
  const common = parseCommonSettings(top, "ingress", source, problems);
  const ops = parseOpsSettings(top, source, problems);
  const peersNode = requireKey(top, "peers", source, problems);
  const { peers, names, files: peerFiles } = top.values.has("peers")
    ? await parsePeers(peersNode, baseDir, source, problems)
    : { peers: new Map(), names: undefined, files: [] };
  const { groups: peerGroups, names: groupNames } = top.values.has("peerGroups")
    ? parsePeerGroups(top.values.get("peerGroups"), names, source, problems)
    : { groups: new Map<string, readonly string[]>(), names: new Set<string>() };
  const peerHealth = top.values.has("peerHealth") ? parsePeerHealth(top.values.get("peerHealth"), source, problems) : undefined;
  // A rule's `peer:` may name a peer or a group.
  const routable = names === undefined ? undefined : new Set([...names, ...groupNames]);
  const tlsNode = requireKey(top, "tls", source, problems);
  const listenersNode = requireKey(top, "listeners", source, problems);
  const [tls, parsed] = await Promise.all([
    top.values.has("tls") ? parseNodeTls(tlsNode, baseDir, source, problems) : undefined,
    top.values.has("listeners") ? parseListeners(listenersNode, baseDir, routable, source, problems) : undefined,
  ]);
  const limits: IngressLimits = parseLimits(top, CONFIG_DEFAULTS.ingress.limits, source, problems);
  const runAs = parseRunAs(top, source, problems);
  checkWorkersCanBind(top, runAs, ops.workers, (parsed?.listeners ?? []).map((l) => l.port), source, problems);
  throwIfProblems(problems);
  if (tls === undefined || parsed === undefined) throw new Error("unreachable: missing section without a problem");
  const options: IngressOptions = {
    nodeName: common.nodeName,
    listeners: parsed.listeners,
    peers,
    ...(peerGroups.size > 0 ? { peerGroups } : {}),
    ...(peerHealth !== undefined ? { peerHealth } : {}),
    tls: { ca: tls.ca, cert: tls.cert, key: tls.key },
    keyExchangeGroups: common.keyExchangeGroups,
    limits,
  };
  return deepFreeze({
    kind: "ingress",
    file: source.file,
    options,
    ruleFiles: parsed.ruleFiles,
    shutdownGraceMs: common.shutdownGraceMs,
    drainDelayMs: common.drainDelayMs,
    certificates: [...tls.certificates, ...parsed.certificates],
    ops,
    runAs,
    // source.file is the displayed path: relative to the working directory, or absolute.
    files: [resolve(source.file), ...tls.files, ...parsed.files, ...peerFiles],
  });
}
