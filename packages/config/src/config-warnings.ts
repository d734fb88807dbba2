// What is valid in a config but almost certainly not meant (issue 15: `rules: []` was accepted
// silently, and every CONNECT to that listener got 403 with nothing said at start). `check` prints
// these as warnings and a starting or reloading node logs each as `config.warning`.
import { formatHostPort } from "./listen-address.ts";
import type { LoadedConfig } from "./loaded-config.ts";

/** One line per suspicious part of `loaded`, naming the file; empty when nothing is. */
export function configWarnings(loaded: LoadedConfig): string[] {
  if (loaded.kind !== "ingress") return [];
  return loaded.options.listeners.flatMap((listener, i) => (listener.rules.rules.length > 0 ? [] : [
    `${loaded.ruleFiles[i] ?? loaded.file}: no rules: listener ${listener.site} (${formatHostPort(listener)}) refuses every CONNECT with 403`,
  ]));
}
