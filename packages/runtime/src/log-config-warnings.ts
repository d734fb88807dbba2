// One `config.warning` line per part of a config that is valid but almost certainly not meant
// (configWarnings), at start and after every applied reload: `check` prints the same lines.
import type { Logger } from "pino";
import { logEvent } from "@tlsbridge/transport";
import { configWarnings } from "@tlsbridge/config";
import type { LoadedConfig } from "@tlsbridge/config";

/** Logs the warnings of `loaded`, if any. */
export function logConfigWarnings(loaded: LoadedConfig, log: Logger): void {
  for (const warning of configWarnings(loaded)) logEvent(log, "warn", "config.warning", { file: loaded.file }, warning);
}
