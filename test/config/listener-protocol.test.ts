// `protocol:` on an ingress listener (http, socks5, sni) and the keys that only fit some protocols:
// loaded into IngressOptions, and every mistake reported at its file:line:column with the reason.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadIngressConfig } from "@tlsbridge/config";
import { configScratch, ingressConfigProblems } from "../helpers/config-problems.ts";

const scratch = configScratch("listener-protocol");

/** An ingress.yaml with one listener whose extra lines are `listener`. */
function ingressYaml(name: string, listener: string[]): Promise<string> {
  return scratch.ingressYaml(name, {
    rules: "rules:\n  - match: '.*'\n    peer: east\n",
    listener,
    peers: ["east: { address: '10.0.0.1:4443', servername: peer.example }"],
  });
}

/** The problems with the file each sits in. */
const problemsOf = (path: string): Promise<string[]> => ingressConfigProblems(path, { file: "path" });

beforeAll(async () => {
  await writeFile(join(scratch.etc(), "users"), "");
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
