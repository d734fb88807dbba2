// Checks one JSON log line, as a node wrote it, against the log catalogue
// (packages/transport/src/log-catalogue.ts): what the typed logEvent() promises at compile time,
// checked again on the real line, with the fields child loggers bound and the keys pino joined.
import { visit } from "jsonc-parser";
import { COMMON_LOG_FIELDS, LOG_CATALOGUE } from "@tlsbridge/transport";
import type { LogEventSpec, LogFieldSpec, LogFieldType } from "@tlsbridge/transport";

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

/** Whether `value` is what a field of type `type` is written as. */
export function matchesLogFieldType(value: unknown, type: LogFieldType): boolean {
  const isObject = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v);
  switch (type) {
    case "string": return typeof value === "string";
    case "number": return typeof value === "number";
    case "boolean": return typeof value === "boolean";
    case "string[]": return Array.isArray(value) && value.every((v) => typeof v === "string");
    case "object": return isObject(value);
    case "object[]": return Array.isArray(value) && value.every(isObject);
    case "error": return isObject(value) && typeof (value as { message?: unknown }).message === "string";
    case "number|null": return value === null || typeof value === "number";
    case "string|null": return value === null || typeof value === "string";
    case "string|false": return value === false || typeof value === "string";
  }
}

/** Keys written more than once in one JSON object of `text`, at any depth. */
export function duplicateKeys(text: string): string[] {
  const stack: Array<Set<string>> = [];
  const twice: string[] = [];
  visit(text, {
    onObjectBegin: () => void stack.push(new Set()),
    onObjectEnd: () => void stack.pop(),
    onObjectProperty: (name) => {
      const keys = stack.at(-1);
      if (keys?.has(name) === true) twice.push(name);
      keys?.add(name);
    },
  });
  return twice;
}

/** What is wrong with one line `text` written by a node of `role` (empty: nothing). */
export function logLineProblems(role: "ingress" | "peer", text: string): string[] {
  const line = JSON.parse(text) as Record<string, unknown>;
  const event = String(line.event);
  const problems = duplicateKeys(text).map((key) => `${role}: '${event}' writes '${key}' twice`);
  const spec = (LOG_CATALOGUE as Readonly<Record<string, LogEventSpec>>)[event];
  if (spec === undefined) return [...problems, `${role}: event '${event}' is not in the catalogue`];
  if (spec.nodes !== "both" && spec.nodes !== role) problems.push(`${role}: '${event}' is written by ${spec.nodes} only`);
  const level = LEVEL_NAMES[Number(line.level)] ?? String(line.level);
  if (!(spec.levels as readonly string[]).includes(level)) problems.push(`${role}: '${event}' at ${level}, not ${spec.levels.join("/")}`);
  const common: Readonly<Record<string, LogFieldSpec>> = COMMON_LOG_FIELDS;
  const declared = (name: string): LogFieldSpec | undefined => {
    const own = spec.fields[name];
    return own !== undefined && (own.node === undefined || own.node === role) ? own : common[name];
  };
  for (const [key, value] of Object.entries(line)) {
    const field = declared(key);
    if (field === undefined) problems.push(`${role}: '${event}' writes '${key}', not declared`);
    else if (!matchesLogFieldType(value, field.type)) problems.push(`${role}: '${event}' writes '${key}' as ${JSON.stringify(value)}, not ${field.type}`);
  }
  for (const [key, field] of [...Object.entries(common), ...Object.entries(spec.fields)]) {
    if (field.required === true && (field.node === undefined || field.node === role) && !(key in line)) {
      problems.push(`${role}: '${event}' lacks required '${key}'`);
    }
  }
  return problems;
}
