// `protocol:` on an ingress listener (http, socks5, sni) and the keys that only fit some protocols:
// loaded into IngressOptions, and every mistake reported at its file:line:column with the reason.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "@tlsbridge/rules";
import { loadIngressConfig } from "@tlsbridge/config";
import { initPki } from "../../packages/cli/src/pki/index.ts";

let base: string;

/** An ingress.yaml with one listener whose extra lines are `listener`. */
async function ingressYaml(name: string, listener: string[]): Promise<string> {
  const path = join(base, "etc", `${name}.yaml`);
  await writeFile(path, [
    "listeners:",
    "  - listen: 127.0.0.1:0",
    "    rules: sites/site.yaml",
    ...listener.map((line) => `    ${line}`),
    "peers:",
    "  east: { address: '10.0.0.1:4443', servername: peer.example }",
    "tls: { ca: ../pki/ca.pem, cert: ../pki/ingress.pem, key: ../pki/ingress-key.pem }",
    "",
  ].join("\n"));
  return path;
}

async function problemsOf(path: string): Promise<string[]> {
  const err = await loadIngressConfig(path).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`);
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "tlsbridge-listener-protocol-"));
  await initPki(join(base, "pki"));
  await mkdir(join(base, "etc", "sites"), { recursive: true });
  await writeFile(join(base, "etc", "sites", "site.yaml"), "rules:\n  - match: '.*'\n    peer: east\n");
  await writeFile(join(base, "etc", "users"), "");
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("listener protocol", () => {
  it("defaults to http and loads socks5 and sni (targetPort given, or 443) as given", async () => {
    const plain = await loadIngressConfig(await ingressYaml("plain", []));
    expect(plain.options.listeners[0]).toMatchObject({ protocol: "http" });
    const socks = await loadIngressConfig(await ingressYaml("socks", ["protocol: socks5", "auth: { users: users }"]));
    expect(socks.options.listeners[0]).toMatchObject({ protocol: "socks5", auth: {} });
    const sni = await loadIngressConfig(await ingressYaml("sni", ["protocol: sni", "targetPort: 8443"]));
    expect(sni.options.listeners[0]).toMatchObject({ protocol: "sni", targetPort: 8443 });
    const sniDefault = await loadIngressConfig(await ingressYaml("sni-default", ["protocol: sni"]));
    expect(sniDefault.options.listeners[0]).toMatchObject({ protocol: "sni", targetPort: 443 });
  });

  it("names an unknown protocol and every key the protocol has no use for, where it stands", async () => {
    expect(await problemsOf(await ingressYaml("unknown", ["protocol: socks4"]))).toEqual([
      expect.stringMatching(/unknown\.yaml:4:15: expected http, socks5 or sni, got 'socks4'$/),
    ]);
    expect(await problemsOf(await ingressYaml("sni-auth", ["protocol: sni", "auth: { users: users }"]))).toEqual([
      expect.stringMatching(/sni-auth\.yaml:5:11: auth needs a protocol that carries credentials/),
    ]);
    expect(await problemsOf(await ingressYaml("socks-tls", ["protocol: socks5", "tls: { cert: ../pki/peer.pem, key: ../pki/peer-key.pem }"]))).toEqual([
      expect.stringMatching(/socks-tls\.yaml:5:10: tls is for protocol http: SOCKS5 over TLS is not supported/),
    ]);
    expect(await problemsOf(await ingressYaml("http-port", ["targetPort: 443"]))).toEqual([
      expect.stringMatching(/http-port\.yaml:4:17: targetPort is for protocol sni/),
    ]);
    expect(await problemsOf(await ingressYaml("sni-port", ["protocol: sni", "targetPort: 70000"]))).toEqual([
      expect.stringMatching(/sni-port\.yaml:5:17: .*port/),
    ]);
  });
});
