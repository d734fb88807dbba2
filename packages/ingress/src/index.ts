// @tlsbridge/ingress: the ingress role. Accepts CONNECT from clients, routes by the site's rules,
// carries the tunnel to a peer over mTLS, and splices.
export { startIngress } from "./start-ingress.ts";
export type { RunningIngress } from "./start-ingress.ts";
export type { IngressLimits, IngressListenerOptions, IngressOptions, PeerEndpoint } from "./ingress-options.ts";
