// The part of a running ingress that a reload swaps: rule sets, peers, the per-peer links
// with the mTLS client context, limits, listener certificates. Connections read it through getters
// once per request, in one synchronous step, so a tunnel routes with either the old set or the new.
import type net from "node:net";
import type tls from "node:tls";
import type { Logger } from "pino";
import type { ClientNetworks } from "@tlsbridge/rules";
import { createNodeSecureContext, listenerTlsSettings } from "@tlsbridge/transport";
import type { ConnectionRegistry, TunnelLimiter, TunnelMetrics, TunnelStatus } from "@tlsbridge/transport";
import type { ListenerContext } from "./tunnel-opener.ts";
import { DEFAULT_SNI_TARGET_PORT } from "./ingress-options.ts";
import type { IngressOptions } from "./ingress-options.ts";
import { PeerChoice } from "./peer-choice.ts";
import { PeerHealth, samePeerRoute } from "./peer-health.ts";
import { PeerHealthProbe } from "./peer-health-probe.ts";
import { PeerLinks } from "./peer-links.ts";
import { AuthFailureLimiter } from "./auth-failure-limiter.ts";
import { ProxyAuthenticator } from "./proxy-auth.ts";
import type { ProxyAuthOptions } from "./proxy-auth.ts";
import { VerifiedCredentials } from "./verified-credentials.ts";
import { VerifyGate } from "./verify-gate.ts";

/** What every listener shares and a reload does not replace. */
type Fixed = {
  readonly registry: ConnectionRegistry;
  readonly limiter: TunnelLimiter;
  readonly metrics: TunnelMetrics;
  readonly status: TunnelStatus;
  readonly log: Logger;
};

/** The current settings of one ingress and the listeners that follow them. */
export class LiveIngressSettings {
  #options: IngressOptions;
  #links: PeerLinks;
  #choice: PeerChoice;
  /** `peerHealth:`: the probe of the group members whose results route (peer-health.ts). */
  #healthProbe: PeerHealthProbe | undefined;
  /** Per listener; a new one per reload, with the users file as it is now. */
  #auth: ReadonlyArray<ProxyAuthenticator | undefined>;
  readonly #log: Logger;
  readonly #metrics: TunnelMetrics;
  readonly #tlsServers = new Map<number, tls.Server>();
  /** Verified credentials, failed-login throttle and scrypt gate: node-wide, and kept across reloads (a reload must not reset them). */
  readonly #authGuards: ProxyAuthOptions = { verified: new VerifiedCredentials(), limiter: new AuthFailureLimiter(), gate: new VerifyGate() };

  constructor(options: IngressOptions, log: Logger, metrics: TunnelMetrics) {
    this.#options = options;
    this.#log = log;
    this.#metrics = metrics;
    const context = createNodeSecureContext(options.tls, options.keyExchangeGroups);
    this.#links = this.#makeLinks(options, context);
    [this.#choice, this.#healthProbe] = this.#makeChoice(options, context);
    this.#auth = authenticators(options, this.#authGuards);
  }

  /** The context of listener `index`: fixed parts as given, the rest read from the current settings. */
  listenerContext(index: number, fixed: Fixed): ListenerContext {
    const live = this;
    const site = this.#listener(index).site;
    return {
      get nodeName() { return live.#options.nodeName; },
      site,
      protocol: this.#listener(index).protocol ?? "http",
      get targetPort() { return live.#listener(index).targetPort ?? DEFAULT_SNI_TARGET_PORT; },
      get rules() { return live.#listener(index).rules; },
      get peerChoice() { return live.#choice; },
      get peerLinks() { return live.#links; },
      get limits() { return live.#options.limits; },
      get auth() { return live.#auth[index]; },
      ...fixed,
    };
  }

  /** The `clients:` networks listener `index` admits now (undefined: anyone). */
  clients(index: number): ClientNetworks | undefined {
    return this.#listener(index).clients;
  }

  /** Remembers an HTTPS-proxy listener, so a reload can give it the new certificate. */
  addTlsServer(index: number, server: net.Server): void {
    this.#tlsServers.set(index, server as tls.Server);
  }

  /**
   * Replaces the session ticket keys of every HTTPS-proxy listener (the supervisor rotates the set its
   * workers share). A reload's setSecureContext() keeps them: Node carries the keys over.
   */
  setTicketKeys(keys: Buffer): void {
    for (const server of this.#tlsServers.values()) server.setTicketKeys(keys);
  }

  /** Starts filling the warm pools and probing the group members. */
  start(): void {
    this.#links.start();
    this.#healthProbe?.start();
  }

  /**
   * Applies `next` to new tunnels: listeners keep their addresses (the runtime refuses a reload that
   * adds, removes or reorders them), everything else is replaced. The old peer links are closed
   * (warm and idle connections only: open tunnels keep their sockets), so no new tunnel resumes a
   * TLS session made under the old CA.
   */
  reload(next: IngressOptions): void {
    if (next.listeners.length !== this.#options.listeners.length) {
      throw new Error("reload cannot add or remove listeners; restart the ingress");
    }
    const context = createNodeSecureContext(next.tls, next.keyExchangeGroups);
    const links = this.#makeLinks(next, context);
    for (const [index, server] of this.#tlsServers) {
      const tlsOptions = next.listeners[index]?.tls;
      if (tlsOptions !== undefined) server.setSecureContext(listenerTlsSettings(tlsOptions.cert, tlsOptions.key, next.keyExchangeGroups));
    }
    const old = this.#links;
    const before = this.#options;
    this.#options = next;
    this.#links = links;
    // A member on the same route keeps its health (ejected stays out); the probe starts at once.
    this.#healthProbe?.stop();
    const health = this.#choice.health;
    [this.#choice, this.#healthProbe] = this.#makeChoice(next, context);
    if (health !== undefined) this.#choice.health?.carryOver(health, (peer) => samePeerRoute(before.peers.get(peer), next.peers.get(peer)));
    this.#auth = authenticators(next, this.#authGuards);
    links.start();
    this.#healthProbe?.start();
    old.close();
  }

  /** Closes the peer links (pools, shared HTTP/2 connections) and stops the health probe. */
  close(): void {
    this.#links.close();
    this.#healthProbe?.stop();
  }

  #listener(index: number): IngressOptions["listeners"][number] {
    const listener = this.#options.listeners[index];
    if (listener === undefined) throw new Error(`no listener ${index}`);
    return listener;
  }

  #makeLinks(options: IngressOptions, context: tls.SecureContext): PeerLinks {
    return new PeerLinks(options.peers, context, options.limits, this.#log, this.#metrics.peerHandshake);
  }

  #makeChoice(options: IngressOptions, context: tls.SecureContext): [PeerChoice, PeerHealthProbe | undefined] {
    if (options.peerHealth === undefined) return [new PeerChoice(options.peers, options.peerGroups), undefined];
    const health = new PeerHealth(options.peerHealth, this.#log, this.#metrics);
    return [
      new PeerChoice(options.peers, options.peerGroups, health),
      new PeerHealthProbe(options, options.peerHealth.intervalMs, context, health),
    ];
  }
}

function authenticators(options: IngressOptions, guards: ProxyAuthOptions): ReadonlyArray<ProxyAuthenticator | undefined> {
  return options.listeners.map((l) => (l.auth === undefined ? undefined : new ProxyAuthenticator(l.auth.users, guards)));
}
