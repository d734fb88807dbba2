// The CONNECT the ingress replays must be byte-exact and must not let a header inject lines.
import { describe, it, expect } from "vitest";
import { formatConnectRequest } from "./request-writer.ts";
import { parseConnectRequest } from "./request-head.ts";
import { parseTarget } from "./target.ts";

describe("formatConnectRequest", () => {
  it("writes request line, Host and extra headers", () => {
    const out = formatConnectRequest(parseTarget("Svc.Example.:443"), [["Via", "1.1 ingress-hq"], ["host", "other:1"]]);
    expect(out.toString()).toBe("CONNECT svc.example:443 HTTP/1.1\r\nHost: svc.example:443\r\nVia: 1.1 ingress-hq\r\n\r\n");
  });

  it("round-trips through parseConnectRequest, IPv6 included", () => {
    const target = parseTarget("[2001:db8::1]:8443");
    const req = parseConnectRequest(formatConnectRequest(target, [["X-Forwarded-For", "10.0.0.1"]]));
    expect(req.target).toEqual(target);
    expect(req.headers).toEqual([["Host", "[2001:db8::1]:8443"], ["X-Forwarded-For", "10.0.0.1"]]);
  });

  it("throws on CR, LF or NUL in a value, or a bad name", () => {
    const t = parseTarget("a.example:1");
    expect(() => formatConnectRequest(t, [["X", "a\r\nEvil: 1"]])).toThrow(TypeError);
    expect(() => formatConnectRequest(t, [["X", "a\nb"]])).toThrow(TypeError);
    expect(() => formatConnectRequest(t, [["X", "a\x00b"]])).toThrow(TypeError);
    expect(() => formatConnectRequest(t, [["X\r\nEvil", "1"]])).toThrow(TypeError);
    expect(() => formatConnectRequest(t, [["", "1"]])).toThrow(TypeError);
  });

  it("throws on a hand-made target that parseTarget would not produce", () => {
    const forged = { host: "a", port: 1, kind: "dns" as const, authority: "a:1 HTTP/1.1\r\nX: y\r\n\r\nGET" };
    expect(() => formatConnectRequest(forged)).toThrow(TypeError);
  });
});
