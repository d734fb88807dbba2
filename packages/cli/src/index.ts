// @tlsbridge/cli: the `tlsbridge` program (main), its config loaders, and the PKI helpers that
// `pki init` and tests use. The only entry of this package.
export { main } from "./main.ts";
export { EXIT_CODES } from "./exit-codes.ts";
export type { ExitCode } from "./exit-codes.ts";
export { UsageError } from "./usage-error.ts";
export { programVersion } from "./version.ts";
export { CONFIG_DEFAULTS } from "./config-defaults.ts";
export { loadIngressConfig, ingressConfigFromYaml, INGRESS_KEYS } from "./ingress-config.ts";
export { loadPeerConfig, peerConfigFromYaml, PEER_KEYS } from "./peer-config.ts";
export { loadAnyConfig, detectConfigKind } from "./load-config.ts";
export type { LoadedConfig, LoadedIngressConfig, LoadedPeerConfig } from "./loaded-config.ts";
export type { CertificateInfo } from "./certificate-info.ts";
export { parseHostPort, formatHostPort } from "./listen-address.ts";
export type { HostPort } from "./listen-address.ts";
export { createLogger, LOG_LEVEL_ENV } from "./logger.ts";
export * from "./pki/index.ts";
