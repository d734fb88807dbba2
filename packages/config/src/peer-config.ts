// Loads peer.yaml into exactly the PeerOptions the peer starts with: listen address, TLS files read
// and checked, the allow list compiled, defaults applied, every problem at once, the result frozen.
import { dirname, resolve } from "node:path";
import { ConfigError, expectMap, parseAllowList, readYamlFile, requireKey, throwIfProblems } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import type { PeerLimits, PeerOptions } from "@tlsbridge/peer";
import { COMMON_KEYS, parseCommonSettings } from "./common-settings.ts";
import { CONFIG_DEFAULTS } from "./config-defaults.ts";
import { deepFreeze } from "./deep-freeze.ts";
import { displayPath } from "./display-path.ts";
import { expectHostPort } from "./listen-address.ts";
import type { LoadedPeerConfig } from "./loaded-config.ts";
import { parseOpsSettings } from "./ops-settings.ts";
import { checkWorkersCanBind, parseRunAs } from "./run-as.ts";
import { parsePeerDns } from "./peer-dns.ts";
import { parsePeerIngresses } from "./peer-ingresses.ts";
import { parseLimits } from "./settings-section.ts";
import { parseNodeTls } from "./tls-section.ts";

/** Top-level keys of peer.yaml. */
export const PEER_KEYS: readonly string[] = ["listen", "allow", "ingresses", "dns", ...COMMON_KEYS];

/** Reads and validates a peer config file; throws one ConfigError listing every problem. */
export async function loadPeerConfig(path: string): Promise<LoadedPeerConfig> {
  const abs = resolve(path);
  return peerConfigFromYaml(await readYamlFile(abs, displayPath(abs)), dirname(abs));
}

/** Validates a parsed peer config; relative paths resolve against `baseDir` (the file's folder). */
export async function peerConfigFromYaml(source: YamlSource, baseDir: string): Promise<LoadedPeerConfig> {
  const problems: ConfigProblem[] = [];
  const top = expectMap(source.doc.contents, source, problems, PEER_KEYS);
  if (top === undefined) throw new ConfigError(problems);
  const common = parseCommonSettings(top, "peer", source, problems);
  const ops = parseOpsSettings(top, source, problems);
  const listenNode = requireKey(top, "listen", source, problems);
  const address = top.values.has("listen") ? expectHostPort(listenNode, source, problems, 0) : undefined;
  // `allow` is required: an empty list is allowed (and allows nothing), a missing one is a mistake.
  const allowNode = requireKey(top, "allow", source, problems);
  const allow = top.values.has("allow") ? parseAllowList(allowNode, source, problems) : undefined;
  const ingresses = top.values.has("ingresses") ? parsePeerIngresses(top.values.get("ingresses"), source, problems) : undefined;
  const dns = top.values.has("dns") ? parsePeerDns(top.values.get("dns"), source, problems) : undefined;
  const tlsNode = requireKey(top, "tls", source, problems);
  const tls = top.values.has("tls") ? await parseNodeTls(tlsNode, baseDir, source, problems) : undefined;
  const limits: PeerLimits = parseLimits(top, CONFIG_DEFAULTS.peer.limits, source, problems);
  const runAs = parseRunAs(top, source, problems);
  checkWorkersCanBind(top, runAs, ops.workers, address === undefined ? [] : [address.port], source, problems);
  throwIfProblems(problems);
  if (address === undefined || allow === undefined || tls === undefined) {
    throw new Error("unreachable: missing section without a problem");
  }
  const options: PeerOptions = {
    nodeName: common.nodeName,
    host: address.host,
    port: address.port,
    allow,
    tls: { ca: tls.ca, cert: tls.cert, key: tls.key },
    keyExchangeGroups: common.keyExchangeGroups,
    limits,
    ...(ingresses === undefined ? {} : { ingresses }),
    ...(dns === undefined ? {} : { dns }),
  };
  return deepFreeze({
    kind: "peer",
    file: source.file,
    options,
    shutdownGraceMs: common.shutdownGraceMs,
    drainDelayMs: common.drainDelayMs,
    certificates: tls.certificates,
    ops,
    runAs,
    // source.file is the displayed path: relative to the working directory, or absolute.
    files: [resolve(source.file), ...tls.files],
  });
}
