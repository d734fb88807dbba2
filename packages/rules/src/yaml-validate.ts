// Small checks over YAML nodes that collect problems with positions instead of throwing, so a loader
// can report everything wrong in a file at once. Shared by rule files and the node configs.
import { isAlias, isMap, isScalar, isSeq } from "yaml";
import type { YAMLMap } from "yaml";
import type { ConfigProblem } from "./config-error.ts";
import { addProblem } from "./yaml-source.ts";
import type { YamlSource } from "./yaml-source.ts";

/** A mapping whose keys were checked: the value node for each key, and the map node for positions. */
export type YamlFields = {
  readonly node: YAMLMap;
  /** Value nodes by key; a key written with no value (`peer:`) maps to a null scalar, not undefined. */
  readonly values: ReadonlyMap<string, unknown>;
};

/** Follows an alias (`*name`) to the node it names; anything else is returned as is. */
export function resolveNode(node: unknown, source: YamlSource): unknown {
  return isAlias(node) ? node.resolve(source.doc) : node;
}

/** Short description of what a node holds, for "expected X, got Y" messages. */
export function describeNode(node: unknown): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (node === undefined || node === null) return "nothing";
  if (!isScalar(node)) return "an unsupported node";
  const v = node.value;
  if (v === null || v === undefined) return "nothing";
  if (typeof v === "string") {
    if (v === "") return "an empty string";
    const shown = v.length > 40 ? `${v.slice(0, 40)}...` : v;
    return `string '${shown}'`;
  }
  return `${typeof v} ${String(v)}`;
}

/**
 * Expects a mapping whose keys are strings from `allowedKeys`. Each unknown key is a problem at the
 * key ("unknown key 'x'; expected one of a, b"). Returns the known keys' values, or undefined (with a
 * problem recorded) if the node is not a mapping.
 */
export function expectMap(
  node: unknown,
  source: YamlSource,
  problems: ConfigProblem[],
  allowedKeys: readonly string[],
): YamlFields | undefined {
  const map = resolveNode(node, source);
  if (!isMap(map)) {
    addProblem(map, source, problems, `expected a mapping, got ${describeNode(map)}`);
    return undefined;
  }
  const values = new Map<string, unknown>();
  for (const pair of map.items) {
    const key = resolveNode(pair.key, source);
    if (!isScalar(key) || typeof key.value !== "string") {
      addProblem(key ?? map, source, problems, `expected a string key, got ${describeNode(key)}`);
      continue;
    }
    if (!allowedKeys.includes(key.value)) {
      addProblem(key, source, problems, `unknown key '${key.value}'; expected one of ${allowedKeys.join(", ")}`);
      continue;
    }
    values.set(key.value, pair.value);
  }
  return { node: map, values };
}

/** The value of a key that must be present; a missing key is a problem at the mapping's start. */
export function requireKey(
  fields: YamlFields,
  key: string,
  source: YamlSource,
  problems: ConfigProblem[],
): unknown {
  if (!fields.values.has(key)) {
    addProblem(fields.node, source, problems, `missing required key '${key}'`);
    return undefined;
  }
  return fields.values.get(key);
}

/** Expects a string scalar (quoted or plain); with `nonEmpty`, the empty string is a problem too. */
export function expectString(
  node: unknown,
  source: YamlSource,
  problems: ConfigProblem[],
  options: { readonly nonEmpty?: boolean } = {},
): string | undefined {
  const n = resolveNode(node, source);
  if (isScalar(n) && typeof n.value === "string" && !(options.nonEmpty === true && n.value === "")) return n.value;
  const wanted = options.nonEmpty === true ? "a non-empty string" : "a string";
  addProblem(n, source, problems, `expected ${wanted}, got ${describeNode(n)}`);
  return undefined;
}

/** Expects a boolean (`true` / `false`). */
export function expectBoolean(node: unknown, source: YamlSource, problems: ConfigProblem[]): boolean | undefined {
  const n = resolveNode(node, source);
  if (isScalar(n) && typeof n.value === "boolean") return n.value;
  addProblem(n, source, problems, `expected true or false, got ${describeNode(n)}`);
  return undefined;
}

/** Expects an integer in `[min, max]`; a quoted number ('443') is a string and is rejected. */
export function expectInt(
  node: unknown,
  source: YamlSource,
  problems: ConfigProblem[],
  min: number,
  max: number,
  what = `an integer from ${min} to ${max}`,
): number | undefined {
  const n = resolveNode(node, source);
  if (isScalar(n) && typeof n.value === "number" && Number.isInteger(n.value) && n.value >= min && n.value <= max) {
    return n.value;
  }
  addProblem(n, source, problems, `expected ${what}, got ${describeNode(n)}`);
  return undefined;
}

/** Expects a TCP port number, 1-65535. */
export function expectPort(node: unknown, source: YamlSource, problems: ConfigProblem[]): number | undefined {
  return expectInt(node, source, problems, 1, 65535, "a port number (1-65535)");
}

/** Expects a list; returns its item nodes (aliases not yet resolved; the expect* functions do that). */
export function expectSeq(
  node: unknown,
  source: YamlSource,
  problems: ConfigProblem[],
): readonly unknown[] | undefined {
  const n = resolveNode(node, source);
  if (isSeq(n)) return n.items;
  addProblem(n, source, problems, `expected a list, got ${describeNode(n)}`);
  return undefined;
}

/** Expects a list with at least one item; an empty one is a problem saying `whyNotEmpty` (what to write instead). */
export function expectNonEmptySeq(
  node: unknown,
  source: YamlSource,
  problems: ConfigProblem[],
  whyNotEmpty: string,
): readonly unknown[] | undefined {
  const items = expectSeq(node, source, problems);
  if (items === undefined || items.length > 0) return items;
  addProblem(resolveNode(node, source), source, problems, whyNotEmpty);
  return undefined;
}

/** Expects a list of strings; returns undefined if the list or any item is wrong. */
export function expectStringList(
  node: unknown,
  source: YamlSource,
  problems: ConfigProblem[],
  options: { readonly nonEmpty?: boolean } = {},
): string[] | undefined {
  const items = expectSeq(node, source, problems);
  if (items === undefined) return undefined;
  const out: string[] = [];
  let ok = true;
  for (const item of items) {
    const s = expectString(item, source, problems, options);
    if (s === undefined) ok = false;
    else out.push(s);
  }
  return ok ? out : undefined;
}

/**
 * Expects a non-empty list of distinct ports (`[443, 8443]`). An empty list is a problem: it would
 * match nothing, which is never what was meant; leave the key out to allow any port.
 */
export function expectPortList(
  node: unknown,
  source: YamlSource,
  problems: ConfigProblem[],
): number[] | undefined {
  const items = expectSeq(node, source, problems);
  if (items === undefined) return undefined;
  if (items.length === 0) {
    addProblem(resolveNode(node, source), source, problems, "expected at least one port; leave out 'ports' to allow any port");
    return undefined;
  }
  const out: number[] = [];
  let ok = true;
  for (const item of items) {
    const port = expectPort(item, source, problems);
    if (port === undefined) {
      ok = false;
    } else if (out.includes(port)) {
      addProblem(resolveNode(item, source), source, problems, `duplicate port ${port}`);
      ok = false;
    } else {
      out.push(port);
    }
  }
  return ok ? out : undefined;
}
