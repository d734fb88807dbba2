// A front door is what a listener speaks to its clients (HTTP CONNECT, SOCKS5, TLS SNI): it reads
// the client's request and writes every answer in its own protocol. Everything in between, from the
// route to the splice (tunnel-opener.ts), is shared and knows nothing of the door.
import type { ResponseHead, Target, TunnelError } from "@tlsbridge/wire";
import type { IngressLimits } from "./ingress-options.ts";

/** What a client asked for, whatever door it came through. */
export type ClientRequest = {
  readonly target: Target;
  /** Bytes the client sent after its request: the start of the tunnel, replayed after the CONNECT. */
  readonly earlyData: Buffer;
  /** `Via` values the request already carried (HTTP only), kept in the replayed CONNECT. */
  readonly via: readonly string[];
};

/**
 * Checks a client's Basic credential (`Proxy-Authorization` values; a door with its own login
 * builds one) against the listener's users: resolves once accepted, throws a TunnelError refusal
 * (already logged as auth.denied). `target` is logged with a refusal when the door knows it already.
 */
export type Authenticate = (credentials: readonly string[], target?: string) => Promise<void>;

/** What the shared path lends a door while it reads the request. */
export type DoorServices = {
  readonly limits: IngressLimits;
  readonly nodeName: string;
  /** Present when the listener has `auth:`. */
  readonly authenticate: Authenticate | undefined;
};

/** One client's conversation with its front door. */
export type FrontDoor = {
  /**
   * Reads the request (answering any negotiation the protocol needs on the way) under the head
   * deadline; throws TunnelError for a refusal, or ReadUntilError when the client left.
   */
  readonly readRequest: (services: DoorServices) => Promise<ClientRequest>;
  /** The tunnel is open: says so to the client, then the peer's first bytes (`tunnelStart`). */
  readonly answerOpen: (tunnelStart: Buffer) => void;
  /** Refuses the request (one of ours) and closes. */
  readonly answerRefusal: (refusal: TunnelError, nodeName: string) => void;
  /** Refuses with the peer's answer (any status but 200) and closes. */
  readonly answerRelayed: (response: ResponseHead, nodeName: string, refusedCertificate: TunnelError | undefined) => void;
};
