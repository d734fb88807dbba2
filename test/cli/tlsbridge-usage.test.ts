// `tlsbridge` as a user meets it first: help everywhere, the version, and exit code 2 with one
// line (no stack trace) for every kind of bad command line.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, runTlsbridge } from "./run-tlsbridge.ts";

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
});
