// `tlsbridge check --config FILE [--as NAME] [host:port ...]`: validate a node config and
// everything it names without starting anything, and answer "where would this host:port go" (at an
// ingress: for the proxy user NAME; at a peer: for the ingress identity NAME).
import { parseTarget } from "@tlsbridge/wire";
import type { Target, TunnelError } from "@tlsbridge/wire";
import { loadAnyConfig } from "@tlsbridge/config";
import { EXIT_CODES, UsageError } from "@tlsbridge/runtime";
import type { ExitCode } from "@tlsbridge/runtime";
import { configReport } from "./config-report.ts";
import { ingressTargetReport, peerTargetReport } from "./target-report.ts";

/** Runs `check`; a ConfigError propagates (main prints it and exits 2). */
export async function runCheck(
  config: string,
  targets: readonly string[],
  out: (line: string) => void,
  as?: string,
): Promise<ExitCode> {
  // Parse targets first: a typo on the command line should not wait for certificate parsing.
  const parsed: Target[] = targets.map((t) => {
    try {
      return parseTarget(t);
    } catch (err) {
      // `why` alone: the parser's message repeats the target, which this line already shows.
      const why = (err as TunnelError).details ?? (err as Error).message;
      throw new UsageError(`bad target '${t}': ${why} (expected host:port or [ipv6]:port, e.g. localhost:9080)`, "check");
    }
  });
  const loaded = await loadAnyConfig(config);
  for (const line of configReport(loaded)) out(line);
  for (const target of parsed) {
    const lines = loaded.kind === "ingress" ? ingressTargetReport(loaded, target, as) : peerTargetReport(loaded, target, as);
    for (const line of lines) out(line);
  }
  return EXIT_CODES.ok;
}
