// The ingress's optional `peerHealth:` mapping: how peer group members are probed, taken out of
// rotation and brought back (peer-health.ts in the ingress). Absent: no member is ever ejected (a
// member that cannot be dialed is only tried last for a while, as without it). `peerHealth: {}`
// turns it on with the defaults.
import { expectInt, expectMap } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import type { PeerHealthOptions } from "@tlsbridge/ingress";
import { CONFIG_DEFAULTS } from "./config-defaults.ts";
import { optionalInt } from "./settings-section.ts";

/** The most failures or passes in a row a threshold may ask for. */
const MAX_RUN = 100;

/** Parses `peerHealth:`; undefined with problems recorded when it is not a mapping. */
export function parsePeerHealth(node: unknown, source: YamlSource, problems: ConfigProblem[]): PeerHealthOptions | undefined {
  const fields = expectMap(node, source, problems, ["intervalMs", "failuresToEject", "passesToReturn"]);
  if (fields === undefined) return undefined;
  const defaults = CONFIG_DEFAULTS.peerHealth;
  const run = (key: "failuresToEject" | "passesToReturn"): number =>
    fields.values.has(key) ? expectInt(fields.values.get(key), source, problems, 1, MAX_RUN) ?? defaults[key] : defaults[key];
  return {
    intervalMs: optionalInt(fields, "intervalMs", defaults.intervalMs, source, problems),
    failuresToEject: run("failuresToEject"),
    passesToReturn: run("passesToReturn"),
  };
}
