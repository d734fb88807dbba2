// deploy/systemd/tlsbridge@.service as systemd reads it, without booting systemd: `systemd-analyze
// verify` finds no problem in either instance (where systemd is installed; .ci/run installs it),
// `systemd-analyze security` rates its sandbox OK, and the unit agrees with the program: ExecStart's
// flags parse for both roles, ExecReload and KillSignal send the signals the nodes act on, and the
// stop timeout outlasts the grace period and the node's own hard deadline.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CONFIG_DEFAULTS } from "@tlsbridge/config";
import { HARD_EXIT_AFTER_GRACE_MS } from "../../packages/runtime/src/shutdown-on-signal.ts";
import { REPO_ROOT, runTlsbridge } from "../cli/run-tlsbridge.ts";
import { which } from "@tlsbridge/bench";

const run = promisify(execFile);
const UNIT_DIR = join(REPO_ROOT, "deploy", "systemd");
const UNIT = "tlsbridge@.service";
const ROLES = ["ingress", "peer"] as const;
const systemdAnalyze = which("systemd-analyze");

/** A unit file's `[Section]` -> key -> values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) {
      current = new Map();
      sections.set(header[1] ?? "", current);
      continue;
    }
    const at = line.indexOf("=");
    if (current === undefined || at < 0) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, at);
    current.set(key, [...(current.get(key) ?? []), line.slice(at + 1)]);
  }
  return sections;
}

const unitText = readFileSync(join(UNIT_DIR, UNIT), "utf8");
const service = parseUnit(unitText).get("Service") ?? new Map<string, string[]>();
const one = (key: string): string => {
  const values = service.get(key) ?? [];
  if (values.length !== 1) throw new Error(`[Service] ${key} is set ${values.length} times`);
  return values[0] ?? "";
};
const peerDropIn = parseUnit(readFileSync(join(UNIT_DIR, "tlsbridge@peer.service.d", "low-port.conf"), "utf8")).get("Service");

/** The unit laid out for systemd-analyze: ExecStart's program replaced by a stub that exists here. */
let layout: string;

beforeAll(async () => {
  layout = await mkdtemp(join(tmpdir(), "tlsbridge-systemd-"));
  const stub = join(layout, "tlsbridge");
  await writeFile(stub, "#!/bin/sh\n");
  await chmod(stub, 0o755);
  await writeFile(join(layout, UNIT), unitText.replace("/usr/local/bin/tlsbridge", stub));
  await mkdir(join(layout, "tlsbridge@peer.service.d"));
  await copyFile(join(UNIT_DIR, "tlsbridge@peer.service.d", "low-port.conf"), join(layout, "tlsbridge@peer.service.d", "low-port.conf"));
  for (const role of ROLES) await symlink(UNIT, join(layout, `tlsbridge@${role}.service`));
});

afterAll(() => rm(layout, { recursive: true, force: true }));

describe("deploy/systemd/tlsbridge@.service", () => {
  it.skipIf(systemdAnalyze === undefined).each(ROLES)("systemd-analyze verify finds nothing to say about tlsbridge@%s", async (role) => {
    const { stdout, stderr } = await run(systemdAnalyze ?? "", ["verify", "--man=no", `./tlsbridge@${role}.service`], { cwd: layout });
    expect(stderr).toBe("");
    expect(stdout).toBe("");
  });

  it.skipIf(systemdAnalyze === undefined).each(ROLES)("systemd-analyze security rates the sandbox of tlsbridge@%s OK", async (role) => {
    // `security` exits non-zero when it rates the unit above its threshold (default 100: never).
    const { stdout } = await run(systemdAnalyze ?? "", ["security", "--offline=yes", `./tlsbridge@${role}.service`], { cwd: layout });
    expect(stdout).toMatch(/Overall exposure level for tlsbridge@\w+[.]service: \d+[.]\d OK/);
  });

  it("is hardened as the issue asks, with the low-port capability only on the peer", () => {
    for (const [key, value] of Object.entries({
      NoNewPrivileges: "yes", ProtectSystem: "strict", ProtectHome: "yes", PrivateTmp: "yes",
      CapabilityBoundingSet: "CAP_NET_BIND_SERVICE", SystemCallFilter: "@system-service",
      RestrictAddressFamilies: "AF_INET AF_INET6 AF_UNIX", User: "tlsbridge", StandardOutput: "journal",
    })) expect([key, one(key)]).toEqual([key, value]);
    expect(service.has("AmbientCapabilities")).toBe(false);
    expect(peerDropIn?.get("AmbientCapabilities")).toEqual(["CAP_NET_BIND_SERVICE"]);
    // The user the unit runs as is the one the image runs as.
    expect(readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8")).toMatch(/useradd .* tlsbridge\b/);
  });

  it.each(ROLES)("ExecStart's flags are the program's (tlsbridge %s)", async (role) => {
    const [program, ...args] = one("ExecStart").replaceAll("%i", role).split(" ");
    expect(program).toBe("/usr/local/bin/tlsbridge");
    expect(args).toEqual([role, "--config", `/etc/tlsbridge/${role}.yaml`]);
    // parseArgs is strict: an option the program does not know would be a usage error (exit 2).
    const r = await runTlsbridge([...args, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: tlsbridge ${role} --config FILE`);
    // What the unit's signals ask for is what the program says it does on them.
    expect(r.stdout).toContain("SIGTERM/SIGINT: stop accepting, let tunnels drain for shutdownGraceMs");
    expect(r.stdout).toContain("SIGHUP (or a changed config, rule or certificate file): validate and reload");
  });

  it("reloads with SIGHUP and stops with SIGTERM only after the node's own deadline", () => {
    expect(one("ExecReload")).toBe("/bin/kill -HUP $MAINPID");
    expect(one("KillSignal")).toBe("SIGTERM");
    expect(one("KillMode")).toBe("mixed");
    // The longest grace period of the shipped configs (or the default), the node's hard exit after
    // it, and a supervisor's extra half of that: systemd's SIGKILL must come later.
    const graces = ["ingress.yaml", "peer.yaml"].map((name) =>
      (parseYaml(readFileSync(join(REPO_ROOT, "configs", name), "utf8")) as { shutdownGraceMs?: number }).shutdownGraceMs ?? CONFIG_DEFAULTS.shutdownGraceMs);
    const nodeGivesUpMs = Math.max(...graces) + HARD_EXIT_AFTER_GRACE_MS * 1.5;
    expect(Number(one("TimeoutStopSec")) * 1000).toBeGreaterThan(nodeGivesUpMs);
  });
});
