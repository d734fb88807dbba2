// `npm run bench`: checks the tools, makes certificates, starts the services, runs the rounds
// across the chosen systems, prints the tables and writes bench-results/*.jsonl and docs/benchmarks.md.

import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCerts } from "./certs.ts";
import { killAllChildren, stopChild } from "./child-processes.ts";
import { writeBenchmarksDoc } from "./docs-writer.ts";
import { machineInfo } from "./machine.ts";
import { USAGE, parseOptions } from "./options.ts";
import type { BenchOptions } from "./options.ts";
import { renderResults } from "./report.ts";
import { writeWanSection } from "./wan-docs.ts";
import { renderWanResults } from "./wan-report.ts";
import { mediansBySystem, roundsBySystem } from "./results-table.ts";
import type { RoundRecord } from "./results-table.ts";
import { runRounds } from "./run-rounds.ts";
import { namespacesUnsupportedReason } from "./network-namespaces.ts";
import { LOOPBACK_SIDE } from "./side.ts";
import { startServices } from "./start-services.ts";
import type { SystemUnderTest } from "./sut.ts";
import { createDirect } from "./sut-direct.ts";
import { createSocat } from "./sut-socat.ts";
import { createSquid } from "./sut-squid.ts";
import { createStunnel } from "./sut-stunnel.ts";
import { createTlsbridge } from "./sut-tlsbridge.ts";
import { DEBIAN_PACKAGES, ensurePackages, squidHasOpenssl, which } from "./tools.ts";
import { farSideFromEnvironment, runInNamespaces } from "./wan-namespaces.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const log = (line: string): void => void process.stdout.write(`${line}\n`);

function missingPackages(o: BenchOptions): string[] {
  const need: string[] = [];
  if (o.only.includes("socat") && !which("socat")) need.push(DEBIAN_PACKAGES.socat);
  if (o.only.includes("stunnel") && !which("stunnel4") && !which("stunnel")) need.push(DEBIAN_PACKAGES.stunnel4);
  if (o.only.includes("squid")) {
    const squid = which("squid");
    if (!squid || !squidHasOpenssl(squid)) need.push(DEBIAN_PACKAGES.squid);
  }
  return need;
}

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const started = new Date();
  const run = started.toISOString().replace(/[:.]/g, "-");
  const notes: string[] = [];
  // Set inside the near namespace of a WAN run (wan-namespaces.ts), which has no way out to install from.
  const farNamespace = farSideFromEnvironment();

  const installProblem = farNamespace === undefined ? ensurePackages(missingPackages(o), log) : undefined;
  if (installProblem) {
    log(installProblem);
    notes.push(installProblem);
  }
  if (o.wan !== undefined && o.netns && farNamespace === undefined) {
    const why = namespacesUnsupportedReason();
    if (why === undefined) return runInNamespaces(log);
    log(`network namespaces: ${why}; both nodes run on this machine's loopback (--no-netns does so on purpose)`);
    notes.push(`Both nodes on one loopback: ${why}.`);
  }
  const far = farNamespace ?? LOOPBACK_SIDE;

  const all: SystemUnderTest[] = [
    createDirect(), createSocat(), createStunnel(), createSquid(),
    createTlsbridge("default"), createTlsbridge("h1"), createTlsbridge("pool"), createTlsbridge("h2"), createTlsbridge("workers"),
  ];
  const systems: SystemUnderTest[] = [];
  for (const sut of all.filter((s) => (o.only as readonly string[]).includes(s.name))) {
    const why = await sut.unavailable();
    if (why === undefined) systems.push(sut);
    else {
      log(`skipping ${sut.name}: ${why}`);
      notes.push(`${sut.name} skipped: ${why}.`);
    }
  }
  if (systems.length === 0) throw new Error("no system to measure");

  const workDir = mkdtempSync(join(tmpdir(), "tlsbridge-bench-"));
  let keepWorkDir = false;
  // Also on a signal (child-processes.ts exits the process): certificates and configs go with it.
  process.once("exit", () => {
    if (!keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  });
  chmodSync(workDir, 0o755); // squid runs as `proxy` and must read the certificates
  const certDir = join(workDir, "certs");
  mkdirSync(certDir, { mode: 0o755 });
  const resultsDir = join(REPO, "bench-results");
  mkdirSync(resultsDir, { recursive: true });
  const resultsFile = join(resultsDir, `${run}.jsonl`);
  const machine = machineInfo();
  appendFileSync(resultsFile, `${JSON.stringify({ type: "meta", run, machine, options: o })}\n`);

  const records: RoundRecord[] = [];
  let failed = false;
  const services = await startServices(workDir, far);
  try {
    const certs = generateCerts(certDir);
    log(`work dir ${workDir}; services ${JSON.stringify(services.ports)}`);
    await runRounds(systems, { workDir, certs, services: services.ports, far }, o, run, (r) => {
      records.push(r);
      if (r.error !== undefined) failed = true;
      appendFileSync(resultsFile, `${JSON.stringify({ type: "result", ...r })}\n`);
    }, log);
  } finally {
    await stopChild(services.child);
  }

  const medians = mediansBySystem(records);
  const names = systems.map((s) => s.name);
  const results = o.wan === undefined ? renderResults(medians, names, roundsBySystem(records), records) : renderWanResults(medians, names, records);
  log(`\n${results}`);
  log(`raw results: ${relative(REPO, resultsFile)}`);
  const firstErrors = [...new Set(records.filter((r) => r.error !== undefined).map((r) => `${r.system} ${r.scenario}: ${r.error}`))];
  for (const e of firstErrors.slice(0, 10)) notes.push(`failed: ${e}`);

  const command = process.argv.length > 2 ? `npm run bench -- ${process.argv.slice(2).join(" ")}` : "npm run bench";
  const path = join(REPO, "docs", "benchmarks.md");
  if (o.writeDocs && o.wan !== undefined) {
    writeWanSection({
      path, machine, parameters: o.wan, command, farNamespace: farNamespace !== undefined,
      startedAt: started.toISOString(), durationSec: (Date.now() - started.getTime()) / 1000,
      rounds: o.rounds, mib: o.mib, rateSeconds: o.rateSeconds, resultsFile: relative(REPO, resultsFile), results, notes,
    });
    log(`wrote the WAN section of ${relative(REPO, path)}`);
  } else if (o.writeDocs) {
    writeBenchmarksDoc({
      path,
      machine,
      options: o,
      command,
      startedAt: started.toISOString(),
      durationSec: (Date.now() - started.getTime()) / 1000,
      resultsFile: relative(REPO, resultsFile),
      results,
      notes,
      descriptions: new Map(all.map((s) => [s.name, s.description] as const)),
    });
    log(`wrote ${relative(REPO, path)}`);
  }
  if (failed) {
    keepWorkDir = true;
    log(`some runs failed; logs kept in ${workDir}`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    killAllChildren();
    process.exitCode = code;
  },
  (err: unknown) => {
    killAllChildren();
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
