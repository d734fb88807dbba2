// Optional scalar settings with defaults: a `limits:` mapping whose keys are exactly the defaults'
// keys, and single numbers such as `shutdownGraceMs`. Bounds follow the unit in the key's name.
import { expectInt, expectMap, expectString, addProblem, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, YamlFields, YamlSource } from "@tlsbridge/rules";
import { SETTING_BOUNDS } from "./config-defaults.ts";

/** `[min, max]` for a numeric setting, by its unit suffix (`...Ms`, `...Bytes`). */
export function boundsOf(key: string): readonly [number, number] {
  if (key === "maxTunnelLifetimeMs") return [0, SETTING_BOUNDS.Ms[1]]; // 0: no lifetime limit
  if (key === "drainDelayMs") return [0, SETTING_BOUNDS.Ms[1]]; // 0: close the listeners at once
  if (key.endsWith("Ms")) return SETTING_BOUNDS.Ms;
  if (key.startsWith("maxTunnels")) return SETTING_BOUNDS.Tunnels;
  if (key.endsWith("Bytes")) return SETTING_BOUNDS.Bytes;
  return [0, Number.MAX_SAFE_INTEGER];
}

/** One integer setting; the default when `key` is absent from `fields`. */
export function optionalInt(
  fields: YamlFields,
  key: string,
  fallback: number,
  source: YamlSource,
  problems: ConfigProblem[],
): number {
  if (!fields.values.has(key)) return fallback;
  const [min, max] = boundsOf(key);
  return expectInt(fields.values.get(key), source, problems, min, max) ?? fallback;
}

/** One string setting, checked by `valid` (described by `what`); the default when absent. */
export function optionalString(
  fields: YamlFields,
  key: string,
  fallback: string,
  valid: (value: string) => boolean,
  what: string,
  source: YamlSource,
  problems: ConfigProblem[],
): string {
  if (!fields.values.has(key)) return fallback;
  const node = fields.values.get(key);
  const value = expectString(node, source, problems, { nonEmpty: true });
  if (value === undefined) return fallback;
  if (!valid(value)) {
    addProblem(resolveNode(node, source), source, problems, `expected ${what}, got '${value}'`);
    return fallback;
  }
  return value;
}

/** A `limits:` mapping: only the defaults' keys, each an integer within its bounds, the rest defaulted. */
export function parseLimits<T extends Readonly<Record<string, number>>>(
  fields: YamlFields,
  defaults: T,
  source: YamlSource,
  problems: ConfigProblem[],
): T {
  if (!fields.values.has("limits")) return { ...defaults };
  const limits = expectMap(fields.values.get("limits"), source, problems, Object.keys(defaults));
  const out: Record<string, number> = { ...defaults };
  if (limits === undefined) return out as T;
  for (const [key, fallback] of Object.entries(defaults)) out[key] = optionalInt(limits, key, fallback, source, problems);
  return out as T;
}
