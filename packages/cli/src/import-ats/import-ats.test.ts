// `tlsbridge rules import-ats` on the configurations the ATS tls_bridge documentation shows: a
// plugin.config line with pairs, `--file` before and after direct pairs, a mapping file with
// comments; and a check that every "what changes" note it prints is true of both matchers.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileHostPattern, parseYamlText, ruleSetFromYaml } from "@tlsbridge/rules";
import { UsageError } from "@tlsbridge/runtime";
import { runRules } from "./command.ts";
import { keepAtsAnchoring, notesFor, sampleHost } from "./notes.ts";
import { parseAtsConfig, parseAtsPeer } from "./parse.ts";
import { distinctPeers, namePeers } from "./yaml.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tlsbridge-import-ats-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes files into the temp dir, runs the command there, and returns what it printed. */
async function importAts(files: Record<string, string>, args: string[] = []) {
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const out: string[] = [];
  const err: string[] = [];
  const first = Object.keys(files)[0] ?? "";
  const code = await runRules(["import-ats", join(dir, first), ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** Loads a produced rule file as the ingress would, with the peers the import named. */
function load(yaml: string, peers: string[]) {
  return ruleSetFromYaml(parseYamlText(yaml, "imported.yaml"), { knownPeers: peers });
}

/** ATS's matcher: PCRE_ANCHORED (start only), case-sensitive. JS regex is close enough for these. */
const atsMatches = (pattern: string, host: string): boolean => new RegExp(`^(?:${pattern})`).test(host);

const noFiles = (): string => {
  throw new Error("no such file");
};

describe("parseAtsConfig", () => {
  it("reads the documented plugin.config line: one pair", () => {
    const c = parseAtsConfig("tls_bridge.so .*[.]service[.]com peer.ats:4443\n", "plugin.config", noFiles);
    expect(c.problems).toEqual([]);
    expect(c.kind).toBe("plugin.config");
    expect(c.mappings).toEqual([{ pattern: ".*[.]service[.]com", peer: "peer.ats:4443", file: "plugin.config", line: 1 }]);
  });

  it("keeps the order of direct pairs and --file mappings, as ATS does", () => {
    const bridge = "# Primary service location.\n.*[.]service[.]com peer.ats:4443\n\n   # Secondary.\n.*[.]altsvc.ats      altpeer.ats:4443\n";
    const read = (path: string): string => {
      expect(path).toBe(join("/etc/trafficserver", "bridge.config")); // relative to the config folder
      return bridge;
    };
    const before = parseAtsConfig("tls_bridge.so db[.]example peer.ats:4443 --file bridge.config\n", "/etc/trafficserver/plugin.config", read);
    const after = parseAtsConfig("tls_bridge.so --file bridge.config db[.]example peer.ats:4443\n", "/etc/trafficserver/plugin.config", read);
    expect(before.mappings.map((m) => m.pattern)).toEqual(["db[.]example", ".*[.]service[.]com", ".*[.]altsvc.ats"]);
    expect(after.mappings.map((m) => m.pattern)).toEqual([".*[.]service[.]com", ".*[.]altsvc.ats", "db[.]example"]);
    expect(before.includes).toEqual(["bridge.config"]);
    expect(after.mappings[1]).toEqual({ pattern: ".*[.]altsvc.ats", peer: "altpeer.ats:4443", file: "bridge.config", line: 5 });
  });

  it("reads a mapping file the same as the equivalent plugin.config line (the docs say they behave alike)", () => {
    const file = "# Primary service location.\n.*[.]service[.]com peer.ats:4443\n\n   # Secondary.\n.*[.]altsvc.ats      altpeer.ats:4443\n";
    const line = "tls_bridge.so .*[.]service[.]com peer.ats:4443     .*[.]altsvc.ats altpeer.ats:4443\n";
    const strip = (c: ReturnType<typeof parseAtsConfig>) => c.mappings.map(({ pattern, peer }) => ({ pattern, peer }));
    const fromFile = parseAtsConfig(file, "bridge.config", noFiles);
    expect(fromFile.kind).toBe("mapping file");
    expect(strip(fromFile)).toEqual(strip(parseAtsConfig(line, "plugin.config", noFiles)));
  });

  it("ignores other plugins' lines and comments in plugin.config", () => {
    const c = parseAtsConfig("# plugins\nstats_over_http.so\n/opt/ats/libexec/tls_bridge.so a[.]b p:1\n", "plugin.config", noFiles);
    expect(c.problems).toEqual([]);
    expect(c.mappings.map((m) => m.line)).toEqual([3]);
  });

  it("reports what ATS would have rejected or what cannot be read, with file:line", () => {
    expect(parseAtsConfig("tls_bridge.so a[.]b p:1 c[.]d\n", "plugin.config", noFiles).problems)
      .toEqual(["plugin.config:1: destination regular expression 'c[.]d' without a peer"]);
    expect(parseAtsConfig("tls_bridge.so --file\n", "plugin.config", noFiles).problems)
      .toEqual(["plugin.config:1: --file without a file name"]);
    expect(parseAtsConfig("tls_bridge.so --file gone.config\n", "plugin.config", noFiles).problems)
      .toEqual(["plugin.config:1: --file gone.config: no such file"]);
    expect(parseAtsConfig("a[.]b p:1 extra\n", "bridge.config", noFiles).problems)
      .toEqual(["bridge.config:1: expected 'regex peer', got 3 fields"]);
    expect(parseAtsConfig("header_rewrite.so x.conf\n", "plugin.config", noFiles).problems)
      .toEqual(["plugin.config: a plugin.config without a tls_bridge.so line"]);
  });

  it("reads ATS peers as host[:port], 443 when no port is given", () => {
    expect(parseAtsPeer("peer.ats:4443")).toEqual({ host: "peer.ats", port: 4443 });
    expect(parseAtsPeer("peer.ats")).toEqual({ host: "peer.ats", port: 443 });
    expect(parseAtsPeer("[2001:db8::1]:4443")).toEqual({ host: "2001:db8::1", port: 4443 });
    expect(parseAtsPeer("peer.ats:99999")).toBeUndefined();
  });
});

describe("namePeers", () => {
  it("names a peer by its host, by host-port when one host has several ports, and prefixes addresses", () => {
    const m = (peer: string) => ({ pattern: "x", peer, file: "f", line: 1 });
    const names = namePeers([m("peer.ats:4443"), m("alt.ats:4443"), m("alt.ats:8443"), m("10.0.0.5"), m("[2001:db8::1]:4443")]);
    expect([...names.values()].map((p) => `${p.name}=${p.address}`)).toEqual([
      "peer.ats=peer.ats:4443",
      "alt.ats-4443=alt.ats:4443",
      "alt.ats-8443=alt.ats:8443",
      "peer-10.0.0.5=10.0.0.5:443",
      "peer-2001-db8--1=[2001:db8::1]:4443",
    ]);
  });

  // Issue 15: `peer-west.example` and `peer-west.example:443` became two peers with one address.
  it("names the spellings of one address as one peer, 443 confirmed when any spelling says it", () => {
    const m = (peer: string) => ({ pattern: "x", peer, file: "f", line: 1 });
    const names = namePeers([m("peer-west.example"), m("peer-west.example:443"), m("Peer-West.example"), m("peer-east.example")]);
    expect(distinctPeers(names).map((p) => `${p.name}=${p.address}${p.defaultPort ? " (443 assumed)" : ""}`)).toEqual([
      "peer-west.example=peer-west.example:443",
      "peer-east.example=peer-east.example:443 (443 assumed)",
    ]);
    expect(names.get("peer-west.example:443")).toBe(names.get("peer-west.example"));
  });
});

describe("what changes: every note is true of ATS's matcher and of ours", () => {
  const patterns = [".*[.]service[.]com", ".*[.]altsvc.ats", "db[0-9]+[.]internal", "api\\.corp\\.example", "host-[a-z]{2}[.]example"];
  for (const pattern of patterns) {
    it(`${pattern}`, () => {
      const ours = compileHostPattern(pattern);
      const sample = sampleHost(pattern, ours.matches);
      expect(sample, "a sample host").toBeDefined();
      const widened = `${sample!}.evil.test`;
      expect(atsMatches(pattern, widened), "ATS matched the widened host").toBe(true);
      expect(ours.matches(widened), "tlsbridge does not").toBe(false);
      expect(notesFor(pattern).anchoring).toContain(widened);
      const keep = keepAtsAnchoring(pattern);
      expect(notesFor(pattern).anchoring).toContain(`'${keep}'`);
      expect(compileHostPattern(keep).matches(widened), "the suggested rewrite keeps ATS's behaviour").toBe(true);
      const upper = sample!.toUpperCase();
      expect(atsMatches(pattern, upper), "ATS was case-sensitive").toBe(false);
      expect(ours.matches(upper), "tlsbridge is not").toBe(true);
      expect(notesFor(pattern).caseFolding).toContain(upper);
    });
  }

  it("says nothing changes in anchoring for a pattern that ends in .* or $", () => {
    expect(notesFor("www[.]example.*").anchoring).toBeUndefined();
    expect(notesFor("www[.]example$").anchoring).toBeUndefined();
    expect(notesFor("www[.]example\\.*").anchoring).toBeDefined(); // `\.*`: dots, not anything
  });

  it("wraps a top-level alternation before adding .*", () => {
    expect(keepAtsAnchoring("a[.]x|b[.]y")).toBe("(?:a[.]x|b[.]y).*");
    expect(compileHostPattern("(?:a[.]x|b[.]y).*").matches("b.y.evil")).toBe(true);
  });

  it("hints at an unescaped dot (which matched any character in ATS too)", () => {
    expect(notesFor(".*[.]altsvc.ats").hints).toHaveLength(1);
    expect(notesFor(".*[.]service[.]com").hints).toEqual([]);
  });
});

describe("tlsbridge rules import-ats", () => {
  it("writes a rule file that loads, routes as intended, and prints the peers and the notes", async () => {
    const r = await importAts({
      "plugin.config": "tls_bridge.so .*[.]service[.]com peer.ats:4443 .*[.]altsvc.ats altpeer.ats:4443\n",
    });
    expect(r.code).toBe(0);
    const rules = load(r.stdout, ["peer.ats", "altpeer.ats"]);
    expect(rules.rules.map((x) => [x.match, x.peer])).toEqual([[".*[.]service[.]com", "peer.ats"], [".*[.]altsvc.ats", "altpeer.ats"]]);
    expect(rules.match("www.service.com", 443)?.rule.peer).toBe("peer.ats");
    expect(rules.match("www.service.com.evil.test", 443)).toBeUndefined();
    expect(rules.match("WWW.Service.COM", 443)?.rule.peer).toBe("peer.ats");
    expect(r.stderr).toContain("ATS's tls_bridge anchored a destination regex only at its start");
    expect(r.stderr).toContain("e.g. www.service.com.evil.test");
    expect(r.stderr).toContain("To keep ATS's behaviour write '.*[.]service[.]com.*'");
    expect(r.stderr).toContain("e.g. WWW.SERVICE.COM");
    expect(r.stderr).toMatch(/peers:\n {4}peer\.ats:\n {6}address: peer\.ats:4443\n {4}altpeer\.ats:\n {6}address: altpeer\.ats:4443/);
    // The same snippet is in the file's header, commented out.
    expect(r.stdout).toMatch(/^# {3}peers:$/m);
  });

  it("writes --out, and does not replace it without --force", async () => {
    const out = join(dir, "hq.yaml");
    const files = { "bridge.config": "# one mapping\n.*[.]service[.]com peer.ats:4443\n" };
    const first = await importAts(files, ["--out", out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`wrote ${out} (1 rule)`);
    expect(load(await readFile(out, "utf8"), ["peer.ats"]).rules).toHaveLength(1);
    await expect(importAts(files, ["--out", out])).rejects.toThrow(UsageError);
    expect((await importAts(files, ["--out", out, "--force"])).code).toBe(0);
  });

  it("refuses, writing nothing, when a regex uses PCRE features the linear-time engine lacks", async () => {
    const out = join(dir, "never.yaml");
    const r = await importAts({ "pcre.config": "(?!admin)[a-z]+[.]example peer.ats:4443\nok[.]example peer.ats:99999\n" }, ["--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pcre\.config:1: '\(\?!admin\)\[a-z\]\+\[\.\]example': lookahead `\(\?!` is not supported/);
    expect(r.stderr).toContain("pcre.config:2: peer 'peer.ats:99999' is not host, host:port or [ipv6]:port");
    expect(r.stderr).toContain("nothing written (2 problems)");
    await expect(readFile(out)).rejects.toThrow();
  });

  it("says so when the file holds no mapping", async () => {
    const r = await importAts({ "empty.config": "# nothing here\n" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/empty\.config: no tls_bridge mappings found/);
  });

  it("is a command of the real program", async () => {
    const bin = fileURLToPath(new URL("../../bin/tlsbridge.ts", import.meta.url));
    await writeFile(join(dir, "p.config"), "tls_bridge.so .*[.]service[.]com peer.ats:4443\n");
    const r = await promisify(execFile)(process.execPath, [bin, "rules", "import-ats", join(dir, "p.config")]);
    expect(r.stdout).toContain("  - match: '.*[.]service[.]com'");
    expect(r.stderr).toContain("rules[0] '.*[.]service[.]com' -> peer.ats");
    const usage = await promisify(execFile)(process.execPath, [bin, "rules", "frobnicate"]).catch((e: { code: number; stderr: string }) => e);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown subcommand 'rules frobnicate'") });
  });
});
