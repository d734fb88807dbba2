// `via:` on a peer in ingress.yaml (issue 14): the corporate proxy loaded into the peer's endpoint,
// credentials only from a file or an environment variable (never inline, never echoed in an error),
// and every mistake reported at its file:line:column.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadIngressConfig } from "@tlsbridge/config";
import { parseTarget } from "@tlsbridge/wire";
import { configScratch, ingressConfigProblems } from "../helpers/config-problems.ts";
import { ingressTargetReport } from "../../packages/cli/src/target-report.ts";

const scratch = configScratch("peer-via");

function ingressYaml(name: string, via: string): Promise<string> {
  return scratch.ingressYaml(name, {
    rules: "rules:\n  - match: '.*'\n    peer: east\n",
    peers: ["east:", "  address: peer.cloud.example:4443", `  via: ${via}`],
  });
}

beforeAll(async () => {
  await writeFile(join(scratch.etc(), "proxy.credentials"), "svc-tlsbridge:from-a-file\n", { mode: 0o600 });
  await writeFile(join(scratch.etc(), "bad.credentials"), "no colon here\n", { mode: 0o600 });
});

describe("via: on a peer", () => {
  it("loads the short form: an http:// proxy, no credentials", async () => {
    const loaded = await loadIngressConfig(await ingressYaml("short", "http://proxy.corp.example:3128"));
    expect(loaded.options.peers.get("east")?.via).toEqual({ name: "proxy.corp.example:3128", host: "proxy.corp.example", port: 3128 });
    // `tlsbridge check` says which proxy the peer is reached through.
    expect(ingressTargetReport(loaded, parseTarget("api.example:443")).join("\n")).toContain(
      "peer east at peer.cloud.example:4443 (servername peer.cloud.example) via corporate proxy proxy.corp.example:3128",
    );
  });

  it("loads an https:// proxy with its CA and Basic credentials from a file, which it watches for reloads", async () => {
    const loaded = await loadIngressConfig(await ingressYaml("long", "{ proxy: 'https://proxy.corp.example:3129', ca: ../pki/ca.pem, credentialsFile: proxy.credentials }"));
    const via = loaded.options.peers.get("east")?.via;
    expect(via).toMatchObject({ name: "proxy.corp.example:3129", host: "proxy.corp.example", port: 3129, tls: { servername: "proxy.corp.example" } });
    expect(via?.tls?.ca?.toString()).toContain("BEGIN CERTIFICATE");
    expect(via?.proxyAuthorization).toBe(`Basic ${Buffer.from("svc-tlsbridge:from-a-file").toString("base64")}`);
    expect(loaded.files).toContain(join(scratch.etc(), "proxy.credentials"));
  });

  it("takes credentials from an environment variable the config names", async () => {
    process.env.TLSBRIDGE_TEST_PROXY_CREDENTIALS = "svc:from-env";
    try {
      const loaded = await loadIngressConfig(await ingressYaml("env", "{ proxy: 'http://10.0.0.9:8080', credentialsEnv: TLSBRIDGE_TEST_PROXY_CREDENTIALS }"));
      expect(loaded.options.peers.get("east")?.via?.proxyAuthorization).toBe(`Basic ${Buffer.from("svc:from-env").toString("base64")}`);
    } finally {
      delete process.env.TLSBRIDGE_TEST_PROXY_CREDENTIALS;
    }
  });

  it("refuses inline credentials, other schemes, a missing variable and a malformed credentials file, each where it stands", async () => {
    expect(await ingressConfigProblems(await ingressYaml("inline", "'http://user:secret@proxy.corp.example:3128'"))).toEqual([
      "7:10: credentials never go in the proxy URL (it is logged and shared): use credentialsFile or credentialsEnv",
    ]);
    expect((await ingressConfigProblems(await ingressYaml("socks", "'socks5://proxy.corp.example:1080'")))[0]).toMatch(/^7:10: expected the corporate proxy as http:\/\/host:port or https:\/\/host:port .*got scheme socks5:/);
    expect(await ingressConfigProblems(await ingressYaml("noenv", "{ proxy: 'http://proxy:3128', credentialsEnv: TLSBRIDGE_TEST_UNSET_VARIABLE }"))).toEqual([
      "7:56: environment variable TLSBRIDGE_TEST_UNSET_VARIABLE is not set; it should hold user:password for the corporate proxy",
    ]);
    const bad = await ingressConfigProblems(await ingressYaml("badfile", "{ proxy: 'http://proxy:3128', credentialsFile: bad.credentials }"));
    expect(bad).toEqual([expect.stringMatching(/^7:57: .*bad\.credentials must hold one line user:password/)]);
    expect(bad.join()).not.toContain("no colon here");
    expect(await ingressConfigProblems(await ingressYaml("both", "{ proxy: 'http://proxy:3128', credentialsFile: proxy.credentials, credentialsEnv: X }"))).toEqual([
      "7:92: give credentialsFile or credentialsEnv, not both",
    ]);
    expect(await ingressConfigProblems(await ingressYaml("caplain", "{ proxy: 'http://proxy:3128', ca: ../pki/ca.pem }"))).toEqual([
      "7:19: ca: is for an https:// proxy; this one is http://",
    ]);
  });
});
