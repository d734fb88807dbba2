// `dns:` in peer.yaml: servers as IP[:port], unknown keys and bad addresses reported at their line
// and column, an empty list refused (it would resolve nothing).
import { describe, expect, it } from "vitest";
import { formatProblem, parseYamlText } from "@tlsbridge/rules";
import type { ConfigProblem } from "@tlsbridge/rules";
import { parsePeerDns } from "./peer-dns.ts";

function parse(yaml: string) {
  const source = parseYamlText(yaml, "peer.yaml");
  const problems: ConfigProblem[] = [];
  const top = source.doc.contents as { get: (key: string, keepScalar: boolean) => unknown };
  const dns = parsePeerDns(top.get("dns", true), source, problems);
  return { dns, problems: problems.map(formatProblem) };
}

describe("parsePeerDns", () => {
  it("takes IPv4 and IPv6 servers, with or without a port, in order", () => {
    expect(parse("dns:\n  servers: ['127.0.0.1:5353', '10.0.0.53', '[fd00::53]:53', '::1']\n")).toEqual({
      dns: { servers: ["127.0.0.1:5353", "10.0.0.53", "[fd00::53]:53", "::1"] }, problems: [],
    });
  });

  it("reports names, bad ports, an empty list, a missing list and unknown keys where they are", () => {
    expect(parse("dns:\n  servers: ['dns.example', '10.0.0.53:70000']\n").problems).toEqual([
      "peer.yaml:2:13: expected a DNS server as an IP address, optionally with a port ('10.0.0.53', '10.0.0.53:5353', '[fd00::53]:5353'), got 'dns.example'",
      "peer.yaml:2:28: port 70000 is outside 1..65535 in '10.0.0.53:70000'",
    ]);
    expect(parse("dns:\n  servers: []\n").problems).toEqual([
      "peer.yaml:2:12: an empty `servers` list resolves nothing; leave `dns` out to use the system's resolver",
    ]);
    expect(parse("dns:\n  server: ['10.0.0.53']\n").problems).toEqual([
      "peer.yaml:2:3: unknown key 'server'; expected one of servers",
      "peer.yaml:2:3: missing key 'servers': the DNS servers to ask (leave `dns` out to use the system's resolver)",
    ]);
  });
});
