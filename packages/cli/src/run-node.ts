// `tlsbridge ingress` and `tlsbridge peer`: log who we are, load and log the config and
// certificates, start the role, then run until a signal closes it. Roles load lazily, so `check`,
// `pki` and `--help` never pull in sockets and TLS code.
import type { Logger } from "pino";
import { ConfigError } from "@tlsbridge/rules";
import { LOG_EVENTS } from "@tlsbridge/transport";
import { certificateWarning } from "./certificate-info.ts";
import { CONFIG_DEFAULTS } from "./config-defaults.ts";
import { summariseConfig } from "./config-summary.ts";
import { EXIT_CODES } from "./exit-codes.ts";
import type { ExitCode } from "./exit-codes.ts";
import { loadIngressConfig } from "./ingress-config.ts";
import type { LoadedConfig } from "./loaded-config.ts";
import { createLogger } from "./logger.ts";
import { loadPeerConfig } from "./peer-config.ts";
import { closeOnSignal } from "./shutdown-on-signal.ts";
import { programVersion } from "./version.ts";

/** What `ingress` and `peer` take from the command line. */
export type RunNodeOptions = {
  readonly role: "ingress" | "peer";
  readonly config: string;
  readonly logLevel?: string | undefined;
  readonly pretty?: boolean;
};

/** Something started that can be closed with a grace period. */
type Closable = { close(graceMs?: number): Promise<void> };

/** Runs a node until it is stopped; resolves with the exit code. */
export async function runNode(options: RunNodeOptions): Promise<ExitCode> {
  const log = createLogger({ role: options.role, level: options.logLevel, pretty: options.pretty ?? false });
  log.info(
    { event: LOG_EVENTS.startup, version: programVersion(), nodeVersion: process.version, config: options.config },
    `tlsbridge ${options.role} starting`,
  );
  let loaded: LoadedConfig;
  try {
    loaded = options.role === "ingress" ? await loadIngressConfig(options.config) : await loadPeerConfig(options.config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log.error({ event: LOG_EVENTS.configRejected, problems: err.problems }, "config rejected");
    process.stderr.write(`${err.message}\n`);
    return EXIT_CODES.usage;
  }
  const nodeLog = log.child({ node: loaded.options.nodeName });
  nodeLog.info({ event: LOG_EVENTS.configLoaded, ...summariseConfig(loaded) }, "config loaded");
  logCertificates(loaded, nodeLog);

  let running: Closable;
  try {
    running = await start(loaded, nodeLog);
  } catch (err) {
    nodeLog.fatal({ event: LOG_EVENTS.internalError, err }, "could not start");
    process.stderr.write(`tlsbridge ${options.role}: could not start: ${(err as Error).message}\n`);
    return EXIT_CODES.runtime;
  }
  return closeOnSignal((graceMs) => running.close(graceMs), loaded.shutdownGraceMs, nodeLog);
}

async function start(loaded: LoadedConfig, log: Logger): Promise<Closable> {
  if (loaded.kind === "ingress") {
    const { startIngress } = await import("@tlsbridge/ingress");
    return startIngress(loaded.options, { log });
  }
  const { startPeer } = await import("@tlsbridge/peer");
  return startPeer(loaded.options, { log });
}

function logCertificates(loaded: LoadedConfig, log: Logger): void {
  for (const cert of loaded.certificates) {
    const warning = certificateWarning(cert, CONFIG_DEFAULTS.certExpiryWarningDays);
    const fields = { event: LOG_EVENTS.certLoaded, ...cert };
    if (warning === undefined) log.info(fields, "certificate loaded");
    else log.warn(fields, warning);
  }
}
