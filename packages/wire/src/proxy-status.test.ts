// Proxy-Status members must be valid RFC 8941 items whatever text goes into them.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { joinProxyStatus, proxyStatusEntry, sfString, sfTokenOrString, lastProxyStatusMember } from "./proxy-status.ts";

describe("Proxy-Status", () => {
  it("writes node and error type", () => {
    expect(proxyStatusEntry("ingress-hq", "http_request_denied")).toBe("ingress-hq; error=http_request_denied");
  });

  it("quotes a node that is not an sf-token", () => {
    expect(sfTokenOrString("10.0.0.1")).toBe('"10.0.0.1"');
    expect(sfTokenOrString("peer.cloud.example:4443")).toBe("peer.cloud.example:4443");
    expect(proxyStatusEntry("my node", "dns_error")).toBe('"my node"; error=dns_error');
  });

  it("escapes quotes and backslashes in details and drops control and non-ASCII characters", () => {
    expect(proxyStatusEntry("p", "connection_refused", { details: 'say "hi" \\ bye\r\n\x00\u00e9!' })).toBe(
      'p; error=connection_refused; details="say \\"hi\\" \\\\ bye!"',
    );
  });

  it("caps details at 256 characters", () => {
    expect(sfString("x".repeat(1000))).toBe(`"${"x".repeat(256)}"`);
  });

  it("names the failing next hop (RFC 9209 §2.1.1 next-hop), quoted when it is not a token", () => {
    expect(proxyStatusEntry("ingress", "http_request_denied", { receivedStatus: 407, nextHop: "127.0.0.1:3128" })).toBe(
      'ingress; error=http_request_denied; received-status=407; next-hop="127.0.0.1:3128"',
    );
    expect(proxyStatusEntry("ingress", "connection_refused", { nextHop: "proxy.corp.example:3128" })).toBe(
      "ingress; error=connection_refused; next-hop=proxy.corp.example:3128",
    );
  });

  it("writes rcode only for dns_error", () => {
    expect(proxyStatusEntry("peer", "dns_error", { rcode: "NXDOMAIN", details: "no such host" })).toBe(
      'peer; error=dns_error; details="no such host"; rcode="NXDOMAIN"',
    );
    expect(proxyStatusEntry("peer", "connection_refused", { rcode: "NXDOMAIN" })).toBe("peer; error=connection_refused");
  });

  it("writes received-status, and no error parameter for an empty type", () => {
    expect(proxyStatusEntry("ingress", "", { receivedStatus: 403 })).toBe("ingress; received-status=403");
    expect(() => proxyStatusEntry("ingress", "", { receivedStatus: 42 })).toThrow(TypeError);
  });

  it("refuses an error type that is not a token", () => {
    expect(() => proxyStatusEntry("p", "bad type")).toThrow(TypeError);
    expect(() => proxyStatusEntry("p", "x\r\nInjected: 1")).toThrow(TypeError);
  });

  it("keeps upstream members first and drops invalid ones", () => {
    expect(joinProxyStatus(["peer; error=dns_error", "  ", "evil\r\nX: 1", " cdn "], "ingress; error=x")).toBe(
      "peer; error=dns_error, cdn, ingress; error=x",
    );
    expect(joinProxyStatus([], "ingress")).toBe("ingress");
  });

  it("property: any details and node give a single-line member of printable ASCII", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: "binary" }), fc.string({ maxLength: 30 }), (details, node) => {
        const entry = proxyStatusEntry(node, "dns_error", { details, rcode: details });
        expect(entry).toMatch(/^[\x20-\x7e]*$/);
        const quoted = sfString(details);
        expect(quoted).toMatch(/^"(?:[\x20-\x21\x23-\x5b\x5d-\x7e]|\\["\\])*"$/);
        if (quoted !== '""') expect(entry.endsWith(`; details=${quoted}; rcode=${quoted}`)).toBe(true);
        else expect(entry).not.toContain("details=");
      }),
      { numRuns: 1000 },
    );
  });
});

describe("lastProxyStatusMember", () => {
  it("reads the node, error and details of the last member, across field lines", () => {
    const a = proxyStatusEntry("peer-1", "tls_certificate_error", { details: 'refused: "CERT_HAS_EXPIRED", x; y' });
    expect(lastProxyStatusMember([`far; error=dns_error, ${a}`])).toEqual({
      node: "peer-1", error: "tls_certificate_error", details: 'refused: "CERT_HAS_EXPIRED", x; y',
    });
    expect(lastProxyStatusMember(["far; error=dns_error", '"my node"; received-status=502'])).toEqual({ node: "my node" });
  });

  it("gives up on what it does not expect", () => {
    expect(lastProxyStatusMember([])).toBeUndefined();
    expect(lastProxyStatusMember(["(inner list)"])).toBeUndefined();
  });
});
