// @tlsbridge/peer: the peer role. Accepts mTLS connections from ingresses, checks the destination
// against the allow list, resolves and dials the service, and splices.
export { startPeer } from "./start-peer.ts";
export type { RunningPeer } from "./start-peer.ts";
export type { PeerLimits, PeerOptions } from "./peer-options.ts";
export { createServiceResolver } from "./service-resolver.ts";
export type { PeerDnsOptions, ServiceResolverTuning } from "./service-resolver.ts";
export { addressRefusalReason, checkDestinationAddresses, DestinationAddressError, specialPurposeOf } from "./destination-address.ts";
export type { AddressCheck } from "./destination-address.ts";
