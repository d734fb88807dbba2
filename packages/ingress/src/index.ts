// @tlsbridge/ingress: the ingress role. Accepts clients through a front door (HTTP CONNECT, SOCKS5,
// SNI), routes by the site's rules, carries the tunnel to a peer over mTLS, and splices.
export { startIngress } from "./start-ingress.ts";
export type { RunningIngress } from "./start-ingress.ts";
export { DEFAULT_SNI_TARGET_PORT } from "./ingress-options.ts";
export type {
  CorporateProxy, IngressLimits, IngressListenerOptions, IngressOptions, ListenerProtocol, PeerEndpoint, PeerHealthOptions,
} from "./ingress-options.ts";
export { probePeer } from "./probe-peer.ts";
export { DEFAULT_SCRYPT_COST, formatPasswordHash, hashPassword, parsePasswordHash, verifyPassword } from "./password-hash.ts";
export type { PasswordHash } from "./password-hash.ts";
export { ProxyAuthenticator } from "./proxy-auth.ts";
export type { AuthDeniedReason, AuthOutcome, ProxyAuthOptions, ProxyAuthUsers } from "./proxy-auth.ts";
export { parseBasicCredentials } from "./basic-credentials.ts";
export { H2_MAX_CONNECTIONS_PER_PEER } from "./h2-peer-session.ts";
