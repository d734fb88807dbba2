// The heads a node writes to its client: exact bytes, the status table's rows, and no way for a
// caller's or the peer's text to inject a header line.
import { describe, it, expect } from "vitest";
import { formatConnectEstablished, formatErrorResponse, formatRelayedResponse } from "./response-writer.ts";
import { parseResponseHead } from "./response-head.ts";
import { TunnelError } from "./errors.ts";
import { ERROR_CODES, ERRORS } from "./status-table.ts";
import { headerValues } from "./header-fields.ts";

describe("formatConnectEstablished", () => {
  it("writes the 200 head", () => {
    expect(formatConnectEstablished().toString()).toBe("HTTP/1.1 200 Connection Established\r\n\r\n");
    expect(formatConnectEstablished([["Via", "1.1 peer"]]).toString()).toBe(
      "HTTP/1.1 200 Connection Established\r\nVia: 1.1 peer\r\n\r\n",
    );
  });

  it("refuses injected lines and framing headers", () => {
    expect(() => formatConnectEstablished([["Via", "x\r\nSet-Cookie: a"]])).toThrow(TypeError);
    expect(() => formatConnectEstablished([["Content-Length", "0"]])).toThrow(TypeError);
  });
});

describe("formatErrorResponse", () => {
  it("writes a 405 with Allow", () => {
    const err = new TunnelError("TLSB_ERR_METHOD_NOT_ALLOWED", "GET not allowed");
    expect(formatErrorResponse(err, "ingress-hq").toString()).toBe(
      "HTTP/1.1 405 Method Not Allowed\r\n" +
        "Proxy-Status: ingress-hq; error=http_request_denied\r\n" +
        "Allow: CONNECT\r\n" +
        "Connection: close\r\n" +
        "Content-Length: 0\r\n\r\n",
    );
  });

  it("writes a 502 dns_error with rcode and details, upstream members first", () => {
    const err = new TunnelError("TLSB_ERR_DNS", "lookup failed", { details: 'no "x"', rcode: "NXDOMAIN" });
    expect(formatErrorResponse(err, "peer-east", ["cdn; error=x"]).toString()).toBe(
      "HTTP/1.1 502 Bad Gateway\r\n" +
        'Proxy-Status: cdn; error=x, peer-east; error=dns_error; details="no \\"x\\""; rcode="NXDOMAIN"\r\n' +
        "Connection: close\r\n" +
        "Content-Length: 0\r\n\r\n",
    );
  });

  it("writes a 503 with Retry-After and a 407 with a challenge unless one is given", () => {
    const busy = formatErrorResponse(new TunnelError("TLSB_ERR_TOO_MANY_TUNNELS", "full"), "i").toString();
    expect(busy).toContain("\r\nRetry-After: 1\r\n");
    expect(busy.startsWith("HTTP/1.1 503 Service Unavailable\r\n")).toBe(true);
    const auth = new TunnelError("TLSB_ERR_PROXY_AUTH", "no creds");
    expect(formatErrorResponse(auth, "i").toString()).toContain('\r\nProxy-Authenticate: Basic realm="tlsbridge"\r\n');
    const custom = formatErrorResponse(auth, "i", [], [["Proxy-Authenticate", 'Basic realm="hq"']]).toString();
    expect(custom).toContain('\r\nProxy-Authenticate: Basic realm="hq"\r\n');
    expect(custom).not.toContain("tlsbridge");
  });

  it("every code gives a head our own parser reads back with the row's status and type", () => {
    for (const code of ERROR_CODES) {
      const head = parseResponseHead(formatErrorResponse(new TunnelError(code, "x"), "node-1"));
      expect(head.status, code).toBe(ERRORS[code].status);
      expect(head.reason, code).toBe(ERRORS[code].reason);
      expect(headerValues(head.headers, "proxy-status"), code).toEqual([`node-1; error=${ERRORS[code].proxyStatus}`]);
      expect(headerValues(head.headers, "connection"), code).toEqual(["close"]);
      expect(headerValues(head.headers, "content-length"), code).toEqual(["0"]);
      expect(headerValues(head.headers, "allow").length, code).toBe(code === "TLSB_ERR_METHOD_NOT_ALLOWED" ? 1 : 0);
      expect(headerValues(head.headers, "retry-after").length, code).toBe(code === "TLSB_ERR_TOO_MANY_TUNNELS" || code === "TLSB_ERR_AUTH_BUSY" ? 1 : 0);
    }
  });

  it("refuses an extra header with CR/LF", () => {
    const err = new TunnelError("TLSB_ERR_NO_ROUTE", "no route");
    expect(() => formatErrorResponse(err, "i", [], [["X", "a\nb"]])).toThrow(TypeError);
  });
});

describe("formatRelayedResponse", () => {
  const peer = parseResponseHead(
    Buffer.from(
      "HTTP/1.1 403 Forbidden\r\n" +
        "Proxy-Status: peer-east; error=destination_ip_prohibited\r\n" +
        "Content-Length: 12\r\n" +
        "Connection: close, X-Hop\r\n" +
        "X-Hop: 1\r\n" +
        "Keep-Alive: timeout=5\r\n" +
        "X-Request-Id: abc\r\n\r\n",
    ),
  );

  it("keeps the peer's status and Proxy-Status, appends ours, drops hop-by-hop fields", () => {
    expect(formatRelayedResponse(peer, "ingress-hq", undefined).toString()).toBe(
      "HTTP/1.1 403 Forbidden\r\n" +
        "X-Request-Id: abc\r\n" +
        "Proxy-Status: peer-east; error=destination_ip_prohibited, ingress-hq; received-status=403\r\n" +
        "Connection: close\r\n" +
        "Content-Length: 0\r\n\r\n",
    );
  });

  it("adds our error type when given", () => {
    const err = new TunnelError("TLSB_ERR_PEER_RESPONSE", "bad", { details: "body dropped" });
    const out = parseResponseHead(formatRelayedResponse(peer, "ingress-hq", err));
    expect(out.status).toBe(403);
    expect(headerValues(out.headers, "proxy-status")).toEqual([
      'peer-east; error=destination_ip_prohibited, ingress-hq; error=http_response_incomplete; received-status=403; details="body dropped"',
    ]);
  });

  it("never writes what it could not have parsed", () => {
    const forged = { status: 502, reason: "Bad\r\nX-Evil: 1", headers: [["X-A", "ok"], ["X-B", "a\r\nX-Evil: 1"], ["Bad Name", "v"]] as Array<[string, string]> };
    const out = formatRelayedResponse(forged, "i", undefined).toString();
    expect(out).not.toContain("X-Evil");
    expect(out).toBe("HTTP/1.1 502 \r\nX-A: ok\r\nProxy-Status: i; received-status=502\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
});
