// Command-line options of `npm run bench`, parsed with node:util parseArgs, checked once and frozen.

import { parseArgs } from "node:util";
import type { WanParameters } from "./wan-path.ts";

/** Every system the benchmark knows, in report order. */
export const SYSTEMS = ["direct", "socat", "stunnel", "squid", "tlsbridge", "tlsbridge-h1", "tlsbridge-pool", "tlsbridge-h2", "tlsbridge-workers"] as const;
/** The systems of the WAN run (`--wan`) unless --only says otherwise: direct is one plain TCP connection across the path. */
export const WAN_SYSTEMS = ["direct", "stunnel", "squid", "tlsbridge", "tlsbridge-h1", "tlsbridge-pool", "tlsbridge-h2"] as const;
/** The scenarios, in the order each round runs them: hold first, on a freshly started system. */
export const SCENARIOS = ["hold", "rate", "throughput"] as const;
/** What `--wan` runs instead. */
export type WanScenarioName = "wan";

export type SystemName = (typeof SYSTEMS)[number];
export type ScenarioName = (typeof SCENARIOS)[number];

/** Options after defaults. */
export type BenchOptions = Readonly<{
  rounds: number;
  mib: number;
  hold: number;
  rateSeconds: number;
  only: readonly SystemName[];
  scenarios: readonly (ScenarioName | WanScenarioName)[];
  quick: boolean;
  /** The WAN run: every system's inter-node hop through a delay line with these parameters. */
  wan: WanParameters | undefined;
  /** In the WAN run, put the two nodes in network namespaces of their own when root and `ip netns` allow. */
  netns: boolean;
  writeDocs: boolean;
  help: boolean;
}>;

/** Usage text for --help. */
export const USAGE = `usage: npm run bench -- [options]
  --rounds N          rounds, interleaved across systems (default 3; --quick: 1)
  --mib N             MiB moved each way in the throughput scenario (default 512; --quick: 16)
  --hold N            idle tunnels in the hold scenario (default 1000; --quick: 50)
  --seconds S         duration of each rate run (default 4; --quick: 1)
  --only a,b          systems: ${SYSTEMS.join(",")} (default all)
  --scenario a,b      scenarios: ${SCENARIOS.join(",")} (default all)
  --wan               the WAN run instead: each system's two nodes joined through a delay line
                      (systems ${WAN_SYSTEMS.join(",")} unless --only; 2 rounds; --mib default 64)
  --rtt-ms N          the WAN's round-trip time (default 50)
  --mbit N            the WAN's rate each way, Mbit/s (default 1000)
  --no-netns          the WAN run on one loopback (default: the two nodes in two network
                      namespaces joined by a veth link, when run as root)
  --quick             small numbers for a smoke run (does not write docs unless --docs)
  --docs / --no-docs  write docs/benchmarks.md (default: yes unless --quick)
`;

function positiveNumber(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new Error(`--${name} must be a number in (0, ${max}], got ${text}`);
  return n;
}

function list<T extends string>(name: string, text: string | undefined, all: readonly T[]): readonly T[] {
  if (text === undefined) return all;
  const items = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const bad = items.filter((s) => !(all as readonly string[]).includes(s));
  if (bad.length > 0) throw new Error(`--${name}: unknown ${bad.join(", ")} (known: ${all.join(", ")})`);
  return all.filter((s) => items.includes(s)); // canonical order
}

/** Parses argv (without node and script); throws with a message on bad input. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    allowPositionals: false,
    allowNegative: true,
    options: {
      rounds: { type: "string" },
      mib: { type: "string" },
      hold: { type: "string" },
      seconds: { type: "string" },
      only: { type: "string" },
      scenario: { type: "string" },
      quick: { type: "boolean", default: false },
      wan: { type: "boolean", default: false },
      "rtt-ms": { type: "string" },
      mbit: { type: "string" },
      netns: { type: "boolean" },
      docs: { type: "boolean" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const quick = values.quick === true;
  const wan = values.wan === true
    ? {
        rttMs: positiveNumber("rtt-ms", values["rtt-ms"], 50, 1000),
        bitsPerSec: positiveNumber("mbit", values.mbit, 1000, 100_000) * 1e6,
        stall: { everyMs: 1000, forMs: 200 },
      }
    : undefined;
  if (wan === undefined && (values["rtt-ms"] !== undefined || values.mbit !== undefined || values.netns !== undefined)) {
    throw new Error("--rtt-ms, --mbit and --netns go with --wan");
  }
  return Object.freeze({
    rounds: Math.round(positiveNumber("rounds", values.rounds, quick ? 1 : wan ? 2 : 3, 50)),
    mib: Math.round(positiveNumber("mib", values.mib, quick ? 16 : wan ? 64 : 512, 8192)),
    hold: Math.round(positiveNumber("hold", values.hold, quick ? 50 : 1000, 10_000)),
    rateSeconds: positiveNumber("seconds", values.seconds, quick ? 1 : 4, 120),
    only: values.only === undefined && wan ? WAN_SYSTEMS : list("only", values.only, SYSTEMS),
    scenarios: wan ? (["wan"] as const) : list("scenario", values.scenario, SCENARIOS),
    quick,
    wan,
    netns: values.netns ?? true,
    writeDocs: values.docs ?? !quick,
    help: values.help === true,
  });
}
