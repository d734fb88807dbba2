// Writes one log line typed against the catalogue (log-catalogue.ts): a field the event does not
// declare, a required one missing, a wrong type or a level the event is not written at fails `tsc`.
import type { Logger } from "pino";
import type { LOG_CATALOGUE, LogEvent, LogFieldType } from "./log-catalogue.ts";

/** The TypeScript type a field of this JSON type is written from. */
type ValueOf<T extends LogFieldType> =
  T extends "string" ? string
  : T extends "number" ? number
  : T extends "boolean" ? boolean
  : T extends "string[]" ? readonly string[]
  : T extends "object" ? object
  : T extends "object[]" ? readonly object[]
  : T extends "error" ? unknown
  : T extends "number|null" ? number | null
  : T extends "string|null" ? string | null
  : T extends "string|false" ? string | false
  : never;

/** The fields a call writes: all but those the logger's bindings carry. */
type FieldsOf<E extends LogEvent> = OmitBound<(typeof LOG_CATALOGUE)[E]["fields"]>;
type OmitBound<F> = { [K in keyof F as F[K] extends { readonly bound: true } ? never : K]: F[K] };

/** Fields every line of the event carries on both nodes (a field required on one node only is optional here). */
type RequiredKey<F> = { [K in keyof F]: F[K] extends { readonly required: true } ? F[K] extends { readonly node: string } ? never : K : never }[keyof F];

/** The fields a line of event `E` may be written with (of one of them, for a union of events). */
export type LogFields<E extends LogEvent> = E extends LogEvent ? FieldsOfOne<E> : never;

type FieldsOfOne<E extends LogEvent> =
  & { -readonly [K in RequiredKey<FieldsOf<E>>]: FieldsOf<E>[K] extends { readonly type: infer T extends LogFieldType } ? ValueOf<T> : never }
  & { -readonly [K in Exclude<keyof FieldsOf<E>, RequiredKey<FieldsOf<E>>>]?:
    (FieldsOf<E>[K] extends { readonly type: infer T extends LogFieldType } ? ValueOf<T> : never) | undefined };

/** The levels event `E` is written at. */
export type LogLevelOf<E extends LogEvent> = (typeof LOG_CATALOGUE)[E]["levels"][number];

/** Writes `event` at `level` with `fields` (pino leaves undefined ones out) and `msg`. */
export function logEvent<E extends LogEvent>(log: Logger, level: NoInfer<LogLevelOf<E>>, event: E, fields: NoInfer<LogFields<E>>, msg: string): void {
  const line: Record<string, unknown> = { event, ...fields };
  log[level](line, msg);
}
