// The bench package's entry for anything that wants its pure parts or the way it runs other programs
// (the interop and deploy tests; nothing in tlsbridge imports it; `npm run bench` runs main.ts).

export { median, percentile, ratio } from "./stats.ts";
export { parseProcStat, parsePssKiB } from "./proc-parse.ts";
export type { ProcStat } from "./proc-parse.ts";
export { mediansBySystem, ratiosTo } from "./results-table.ts";
export type { RoundRecord, Medians } from "./results-table.ts";
export { checkTargets, TARGETS } from "./targets.ts";
export type { SystemUnderTest, Endpoint, TargetName } from "./sut.ts";
export { prepareSquid, squidUnavailable } from "./squid-launch.ts";
export type { SquidCommand } from "./squid-launch.ts";
export { namespaceName, namespacesUnsupportedReason, netnsExecArgs, removeNamespace, sweepStaleNamespaces } from "./network-namespaces.ts";
export { startChild, stopChild } from "./child-processes.ts";
export { freePort, waitForPort } from "./ports.ts";
export { which } from "./tools.ts";
