// One `cert.loaded` line per certificate of a config at start, and after a reload per certificate
// that is new or changed (issue 15: every reload repeated every certificate); a warning when one is
// expired, not yet valid or close to expiry, at start and after every reload.
import type { Logger } from "pino";
import { logEvent } from "@tlsbridge/transport";
import { certificateWarning, CONFIG_DEFAULTS } from "@tlsbridge/config";
import type { LoadedConfig } from "@tlsbridge/config";

/** Logs the certificates `loaded` read; with `previous` (a reload), only those it did not hold and those with a warning. */
export function logCertificates(loaded: LoadedConfig, log: Logger, previous?: LoadedConfig): void {
  const known = new Set(previous?.certificates.map((c) => `${c.file}\n${c.fingerprint256}`));
  for (const cert of loaded.certificates) {
    const warning = certificateWarning(cert, CONFIG_DEFAULTS.certExpiryWarningDays);
    if (warning === undefined && known.has(`${cert.file}\n${cert.fingerprint256}`)) continue;
    // `certRole`, not `role`: the node's `role` is already on every line.
    const { role, ...facts } = cert;
    if (warning === undefined) logEvent(log, "info", "cert.loaded", { ...facts, certRole: role }, "certificate loaded");
    else logEvent(log, "warn", "cert.loaded", { ...facts, certRole: role }, warning);
  }
}
