// Which side of the path between a system's two nodes a process runs on. The near side (the load
// generator, the ingress or client relay, the delay lines) is the benchmark's own network; the far
// side (the peer or server relay, the services) is a network namespace of its own in the WAN run
// when namespaces work here (wan-namespaces.ts), and the same loopback otherwise.

/** Where far-side processes run and the address they listen on, as seen from the near side. */
export type Side = {
  /** The address near-side processes dial to reach a far-side listener. */
  readonly host: string;
  /** The network namespace the process runs in; absent: the benchmark's own. */
  readonly netns?: string;
};

/** Both sides on the benchmark's own loopback. */
export const LOOPBACK_SIDE: Side = Object.freeze({ host: "127.0.0.1" });
