// @tlsbridge/config: a node's config files (ingress.yaml, peer.yaml and what they name) loaded into
// exactly the options the roles start with: schemas, defaults, validation with file:line:column,
// the result frozen. Reads files, opens no sockets. The only entry of this package.
export { CONFIG_DEFAULTS, SETTING_BOUNDS } from "./config-defaults.ts";
export { loadIngressConfig, ingressConfigFromYaml, INGRESS_KEYS } from "./ingress-config.ts";
export { loadPeerConfig, peerConfigFromYaml, PEER_KEYS } from "./peer-config.ts";
export { loadAnyConfig, loadConfigOfRole, detectConfigKind } from "./load-config.ts";
export type { LoadedConfig, LoadedIngressConfig, LoadedPeerConfig } from "./loaded-config.ts";
export type { AdminSettings, OpsSettings } from "./ops-settings.ts";
export type { RunAs } from "./run-as.ts";
export { POOL_DEFAULTS } from "./ingress-peers.ts";
export { parseUsersText, USER_NAME } from "./users-file.ts";
export { certificateWarning, describeCertificate } from "./certificate-info.ts";
export { configWarnings } from "./config-warnings.ts";
export type { CertificateInfo } from "./certificate-info.ts";
export { parseHostPort, formatHostPort } from "./listen-address.ts";
export type { HostPort } from "./listen-address.ts";
export { displayPath } from "./display-path.ts";
