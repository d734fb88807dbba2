// `tlsbridge` as a user meets it first: help everywhere, the version, and exit code 2 with one
// line (no stack trace) for every kind of bad command line.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, runTlsbridge, TLSBRIDGE_BIN } from "./run-tlsbridge.ts";

const version = (JSON.parse(readFileSync(`${REPO_ROOT}package.json`, "utf8")) as { version: string }).version;

describe("tlsbridge command line", () => {
  it("--help prints the commands and exits 0", async () => {
    const r = await runTlsbridge(["--help"]);
    expect(r.code).toBe(0);
    for (const command of ["ingress", "peer", "check", "pki init"]) expect(r.stdout).toContain(`tlsbridge ${command}`);
  });

  it.each(["ingress", "peer", "check", "pki"])("%s --help prints its usage and exits 0", async (command) => {
    const r = await runTlsbridge([command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: tlsbridge ${command}`);
  });

  it("--version prints the root package.json version", async () => {
    const r = await runTlsbridge(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it.each([
    [[], "Usage:"],
    [["frobnicate"], "tlsbridge: unknown command 'frobnicate'"],
    [["--frobnicate"], "tlsbridge: unknown option '--frobnicate'"],
    [["check"], "tlsbridge: missing --config FILE"],
    [["ingress"], "tlsbridge: missing --config FILE"],
    [["check", "--config"], "tlsbridge: option '-c, --config <value>' argument missing"],
    [["check", "--nope", "--config", "x.yaml"], "tlsbridge: unknown option '--nope'"],
    [["peer", "--config", "configs/peer.yaml", "extra"], "tlsbridge: unexpected argument 'extra'"],
    [["pki"], "tlsbridge: missing subcommand"],
    [["pki", "init"], "tlsbridge: missing DIR"],
    [["check", "--config", "configs/ingress.yaml", "no-port"], "tlsbridge: bad target 'no-port'"],
    [["peer", "--config", "configs/peer.yaml", "--log-level", "loud"], "tlsbridge: --log-level loud: expected one of"],
  ])("%j exits 2 with one clear line", async (args, message) => {
    const r = await runTlsbridge(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a config that does not exist is a config error (2) naming the file", async () => {
    const r = await runTlsbridge(["check", "--config", "configs/nope.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^configs\/nope\.yaml:1:1: cannot read file: /);
  });

  it("output piped to a reader that stops early (| head) ends quietly, not with an EPIPE stack trace", async () => {
    // Regression: `tlsbridge check ... | head -1` died with "Unhandled 'error' event ... EPIPE". The
    // output must outgrow the pipe's buffer, or every write lands before the reader leaves.
    const dir = await mkdtemp(join(tmpdir(), "tlsbridge-epipe-"));
    try {
      const rules = Array.from({ length: 3000 }, (_, i) => `.*[.]svc${i}[.]example peer${i % 7}.example:4443`).join("\n");
      await writeFile(join(dir, "bridge.config"), `${rules}\n`);
      const child = spawn(process.execPath, [TLSBRIDGE_BIN, "rules", "import-ats", join(dir, "bridge.config")], {
        cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.once("data", () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
      expect(stderr).not.toMatch(/EPIPE|Unhandled|at .*\.ts:\d+/);
      expect(code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
