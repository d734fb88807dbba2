// `tlsbridge check` takes either node's config: tell them apart by their keys (an ingress has
// `listeners`/`peers`, a peer has `listen`/`allow`) and load it with the right loader.
import { dirname, resolve } from "node:path";
import { isMap, isScalar } from "yaml";
import { ConfigError, readYamlFile } from "@tlsbridge/rules";
import { displayPath } from "./display-path.ts";
import { ingressConfigFromYaml, loadIngressConfig } from "./ingress-config.ts";
import type { LoadedConfig } from "./loaded-config.ts";
import { loadPeerConfig, peerConfigFromYaml } from "./peer-config.ts";

/** Which node a config file is for, or undefined when its keys do not say. */
export function detectConfigKind(keys: readonly string[]): "ingress" | "peer" | undefined {
  const ingress = keys.includes("listeners") || keys.includes("peers");
  const peer = keys.includes("listen") || keys.includes("allow");
  if (ingress === peer) return undefined;
  return ingress ? "ingress" : "peer";
}

/** Loads the config of a node whose role is known (start-up, reload); throws ConfigError. */
export function loadConfigOfRole(role: "ingress" | "peer", path: string): Promise<LoadedConfig> {
  return role === "ingress" ? loadIngressConfig(path) : loadPeerConfig(path);
}

/** Loads an ingress or peer config, whichever the file is; throws ConfigError. */
export async function loadAnyConfig(path: string): Promise<LoadedConfig> {
  const abs = resolve(path);
  const source = await readYamlFile(abs, displayPath(abs));
  const contents = source.doc.contents;
  const keys = isMap(contents)
    ? contents.items.flatMap((pair) => (isScalar(pair.key) && typeof pair.key.value === "string" ? [pair.key.value] : []))
    : [];
  const kind = detectConfigKind(keys);
  if (kind === undefined && keys.includes("rules")) {
    // Issue 15: `check --config configs/sites/hq.yaml` said only that it could not tell the kind.
    throw new ConfigError([{
      file: source.file,
      line: 1,
      column: 1,
      message: "this is a site rule file (rules:), not a node config: check it through the ingress config whose listener names it "
        + "(tlsbridge check --config INGRESS.yaml checks every rule file it names)",
    }]);
  }
  if (kind === undefined) {
    throw new ConfigError([{
      file: source.file,
      line: 1,
      column: 1,
      message: "cannot tell whether this is an ingress config (listeners, peers) or a peer config (listen, allow)",
    }]);
  }
  return kind === "ingress" ? ingressConfigFromYaml(source, dirname(abs)) : peerConfigFromYaml(source, dirname(abs));
}
