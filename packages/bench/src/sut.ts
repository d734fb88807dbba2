// What every system under test (direct, socat, stunnel, squid, tlsbridge) offers the scenarios:
// start and stop it, name its processes for /proc sampling, and say where a client connects.

import type { CertPaths } from "./certs.ts";
import type { Side } from "./side.ts";
import type { ServicePorts } from "./start-services.ts";

/** The three services a tunnel can lead to. */
export type TargetName = keyof ServicePorts;

/**
 * Where a client connects to reach a target. With `connectAuthority` the client first sends
 * `CONNECT <authority>` and waits for 200; without it the port already leads to the target (relays).
 */
export type Endpoint = { port: number; connectAuthority?: string };

/** Everything a system needs to start. */
export type SutContext = {
  workDir: string;
  certs: CertPaths;
  /** The services' ports; a far-side process reaches them on its own 127.0.0.1. */
  services: ServicePorts;
  /**
   * Where the second node (peer, server relay) runs and listens: loopback, or the far namespace of
   * the WAN run. Systems launch it there and bind its listener to `far.host`.
   */
  far: Side;
  /**
   * The port on 127.0.0.1 to dial for `far.host`:`port` across the path between the nodes: the same
   * port on loopback, a delay line's in the WAN run (wan-path.ts). Systems dial their second node through it.
   */
  hop: (port: number) => Promise<number>;
};

/** One system under test. */
export type SystemUnderTest = {
  readonly name: string;
  /** True when the generator speaks CONNECT to it; relays get raw bytes instead. */
  readonly speaksConnect: boolean;
  /** One line on what it is, for the docs. */
  readonly description: string;
  /** A reason it cannot run here (a missing program), or undefined. */
  unavailable(): Promise<string | undefined>;
  start(ctx: SutContext): Promise<void>;
  stop(): Promise<void>;
  /** Root pids; their descendants are found through /proc. Empty for `direct`. */
  pids(): number[];
  endpoint(target: TargetName): Endpoint;
};
