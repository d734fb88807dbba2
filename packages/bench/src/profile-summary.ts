// `node packages/bench/src/profile-summary.ts <file.cpuprofile>...`: where a tlsbridge process spent
// its CPU, by function and by module, from V8's --cpu-prof output. Used before optimising.
// Record with: TLSBRIDGE_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- --quick --only tlsbridge

import { readFileSync } from "node:fs";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

/** Self time in ms by function and by module (package or node: built-in), biggest first. */
export function summarise(profile: Profile): { byFunction: Map<string, number>; byModule: Map<string, number>; totalMs: number } {
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let totalMs = 0;
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") continue;
    totalMs += ms;
    const file = url.replace(/^.*\/node_modules\//, "").replace(/^file:\/\/.*\/packages\//, "");
    const key = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    const module = url === "" ? functionName.startsWith("(") ? functionName : "(native)"
      : url.startsWith("node:") ? url
        : url.includes("/node_modules/") ? url.replace(/^.*\/node_modules\/((@[^/]+\/)?[^/]+).*$/, "$1")
          : url.replace(/^.*\/packages\/([^/]+)\/.*$/, "@tlsbridge/$1");
    byModule.set(module, (byModule.get(module) ?? 0) + ms);
  }
  return { byFunction, byModule, totalMs };
}

function top(map: Map<string, number>, n: number, total: number): string {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([k, v]) => `${v.toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`).join("\n");
}

if (import.meta.main) {
  for (const file of process.argv.slice(2)) {
    const { byFunction, byModule, totalMs } = summarise(JSON.parse(readFileSync(file, "utf8")) as Profile);
    process.stdout.write(`== ${file}: ${totalMs.toFixed(0)} ms busy\n-- by module\n${top(byModule, 15, totalMs)}\n-- by function (self)\n${top(byFunction, 30, totalMs)}\n\n`);
  }
}
