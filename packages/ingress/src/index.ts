// @tlsbridge/ingress: the ingress role. Accepts CONNECT from clients, routes by the site's rules,
// carries the tunnel to a peer over mTLS, and splices.
export { startIngress } from "./start-ingress.ts";
export type { RunningIngress } from "./start-ingress.ts";
export type { CorporateProxy, IngressLimits, IngressListenerOptions, IngressOptions, PeerEndpoint, PeerHealthOptions } from "./ingress-options.ts";
export { probePeer } from "./probe-peer.ts";
export { DEFAULT_SCRYPT_COST, formatPasswordHash, hashPassword, parsePasswordHash, verifyPassword } from "./password-hash.ts";
export type { PasswordHash } from "./password-hash.ts";
export { ProxyAuthenticator } from "./proxy-auth.ts";
export type { AuthDeniedReason, AuthOutcome, ProxyAuthOptions, ProxyAuthUsers } from "./proxy-auth.ts";
export { parseBasicCredentials } from "./basic-credentials.ts";
