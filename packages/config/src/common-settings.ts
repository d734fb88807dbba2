// Settings both node configs share: the node's name, the key exchange groups between the nodes,
// the drain delay and the shutdown grace period. Defaults come from CONFIG_DEFAULTS.
import tls from "node:tls";
import type { ConfigProblem, YamlFields, YamlSource } from "@tlsbridge/rules";
import { CONFIG_DEFAULTS } from "./config-defaults.ts";
import { OPS_KEYS } from "./ops-settings.ts";
import { RUN_AS_KEYS } from "./run-as.ts";
import { optionalInt, optionalString } from "./settings-section.ts";

/** Top-level keys every node config accepts besides its own. */
export const COMMON_KEYS = ["node", "tls", "limits", "keyExchangeGroups", "shutdownGraceMs", "drainDelayMs", ...OPS_KEYS, ...RUN_AS_KEYS] as const;

/** The shared settings, defaults applied. */
export type CommonSettings = {
  readonly nodeName: string;
  readonly keyExchangeGroups: string;
  readonly shutdownGraceMs: number;
  /** After SIGTERM/SIGINT: how long the node stays open (readiness already 503) before its listeners close. */
  readonly drainDelayMs: number;
};

/** A Proxy-Status/Via friendly name: an HTTP token without odd punctuation. */
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** OpenSSL group list syntax: names separated by colons. */
const GROUP_LIST = /^\*?[A-Za-z0-9_-]+(?::\*?[A-Za-z0-9_-]+)*$/; // `*`: send this group's key share at once

/** Whether this OpenSSL knows every group of `list` (else the node would fail at start). */
function groupsKnown(list: string): boolean {
  try {
    tls.createSecureContext({ ecdhCurve: list });
    return true;
  } catch {
    return false;
  }
}

/** Reads `node`, `keyExchangeGroups` and `shutdownGraceMs` from a node config's top mapping. */
export function parseCommonSettings(
  top: YamlFields,
  role: "ingress" | "peer",
  source: YamlSource,
  problems: ConfigProblem[],
): CommonSettings {
  return {
    nodeName: optionalString(top, "node", CONFIG_DEFAULTS[role].node, (s) => NODE_NAME.test(s),
      "a node name (letters, digits, '.', '_', '-'; up to 63)", source, problems),
    keyExchangeGroups: optionalString(top, "keyExchangeGroups", CONFIG_DEFAULTS.keyExchangeGroups, (s) => GROUP_LIST.test(s) && groupsKnown(s),
      "a colon-separated list of TLS groups such as *X25519MLKEM768:*X25519", source, problems),
    shutdownGraceMs: optionalInt(top, "shutdownGraceMs", CONFIG_DEFAULTS.shutdownGraceMs, source, problems),
    drainDelayMs: optionalInt(top, "drainDelayMs", CONFIG_DEFAULTS.drainDelayMs, source, problems),
  };
}
