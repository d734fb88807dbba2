// One `cert.loaded` line per certificate of a config (at start and after each reload), a warning
// when it is expired, not yet valid or close to expiry.
import type { Logger } from "pino";
import { LOG_EVENTS } from "@tlsbridge/transport";
import { certificateWarning, CONFIG_DEFAULTS } from "@tlsbridge/config";
import type { LoadedConfig } from "@tlsbridge/config";

/** Logs every certificate `loaded` read. */
export function logCertificates(loaded: LoadedConfig, log: Logger): void {
  for (const cert of loaded.certificates) {
    const warning = certificateWarning(cert, CONFIG_DEFAULTS.certExpiryWarningDays);
    const fields = { event: LOG_EVENTS.certLoaded, ...cert };
    if (warning === undefined) log.info(fields, "certificate loaded");
    else log.warn(fields, warning);
  }
}
