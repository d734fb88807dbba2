// Starts only our ingress, in this process, routing every host to one peer that runs elsewhere (a
// third-party proxy in the interop tests): certificates from the test CA, its log in memory.
import { startIngress } from "@tlsbridge/ingress";
import type { IngressLimits, PeerEndpoint, RunningIngress } from "@tlsbridge/ingress";
import { RuleSet } from "@tlsbridge/rules";
import { DEFAULT_KEY_EXCHANGE_GROUPS } from "@tlsbridge/transport";
import { logSink } from "./log-sink.ts";
import type { LogSink } from "./log-sink.ts";
import { testPki } from "./pki.ts";
import { TEST_INGRESS_LIMITS } from "./two-nodes.ts";
import type { IssuedCertificate } from "../../packages/cli/src/pki/index.ts";

/** The running ingress, its first listener's port and its log. */
export type LoneIngress = {
  readonly ingress: RunningIngress;
  readonly ingressPort: number;
  readonly ingressLog: LogSink;
  readonly close: () => Promise<void>;
};

/** Starts an ingress whose one rule sends every host to `peer` (named `peer.name`); `ingressCert` default: the test ingress's. */
export async function startIngressToPeer(
  peer: Omit<PeerEndpoint, "host"> & { readonly host?: string },
  options: { readonly limits?: Partial<IngressLimits>; readonly ingressCert?: IssuedCertificate } = {},
): Promise<LoneIngress> {
  const pki = await testPki();
  const ingressCert = options.ingressCert ?? pki.ingress;
  const ingressLog = logSink();
  const ingress = await startIngress({
    nodeName: "test-ingress",
    listeners: [{ site: "interop", host: "127.0.0.1", port: 0, rules: RuleSet.fromEntries([{ match: ".*", peer: peer.name }]) }],
    peers: new Map([[peer.name, { host: "127.0.0.1", ...peer }]]),
    tls: { ca: Buffer.from(pki.ca.cert), cert: Buffer.from(ingressCert.cert), key: Buffer.from(ingressCert.key) },
    keyExchangeGroups: DEFAULT_KEY_EXCHANGE_GROUPS,
    limits: { ...TEST_INGRESS_LIMITS, ...options.limits },
  }, { log: ingressLog.log });
  return {
    ingress,
    ingressPort: (ingress.listeners[0] as { port: number }).port,
    ingressLog,
    close: () => ingress.close(),
  };
}
