// README.md is what a newcomer trusts first: its limits table must give the loaders' defaults
// (CONFIG_DEFAULTS), and the Debian packages it says the tests need must be what .ci/run installs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "@tlsbridge/config";
import { REPO_ROOT } from "./run-tlsbridge.ts";

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

describe("README.md stays true", () => {
  it("the limits table gives each node's default for every limit, and nothing else", () => {
    const rows = new Map<string, { ingress: string; peer: string }>();
    for (const m of readme.matchAll(/^\| `(\w+)` \|([^|]*)\|([^|]*)\|/gm)) {
      rows.set(m[1] ?? "", { ingress: (m[2] ?? "").trim(), peer: (m[3] ?? "").trim() });
    }
    for (const role of ["ingress", "peer"] as const) {
      const limits: Record<string, number> = CONFIG_DEFAULTS[role].limits;
      for (const [key, value] of Object.entries(limits)) {
        const shown = rows.get(key)?.[role] ?? "(missing)";
        expect(shown.replace(/ \(none\)$/, ""), `${role} ${key}`).toBe(String(value));
      }
      for (const [key, row] of rows) if (row[role] !== "") expect(Object.keys(limits), `${role} ${key}`).toContain(key);
    }
    expect(readme).toContain(`\`shutdownGraceMs\` (${CONFIG_DEFAULTS.shutdownGraceMs})`);
  });

  it("names the Debian packages .ci/run installs for the tests", () => {
    const ci = readFileSync(join(REPO_ROOT, ".ci", "run"), "utf8");
    const list = /for tool in ([^;]+);/.exec(ci)?.[1]?.trim().split(/\s+/) ?? [];
    // Tools found by command, then libraries checked one by one (`need+=(package)`).
    const packages = [...list.map((t) => t.split(":")[1]), ...[...ci.matchAll(/need\+=\(([a-z0-9.-]+)\)/g)].map((m) => m[1])];
    expect(packages.sort()).toEqual(["chromium", "curl", "iproute2", "libjemalloc2", "netcat-openbsd", "openssh-server", "openssl", "systemd"]);
    for (const p of packages) expect(readme).toContain(`\`${p}\``);
  });
});
