// The status table is API: codes, statuses and Proxy-Status types are fixed by the architecture
// document, and the generated Markdown must list every row.
import { describe, it, expect } from "vitest";
import { ERRORS, ERROR_CODES, errorResponseFor, isErrorCode, statusTableMarkdown } from "./status-table.ts";
import { TunnelError } from "./errors.ts";

const EXPECTED: Record<string, [number, string]> = {
  TLSB_ERR_BAD_REQUEST: [400, "http_request_error"],
  TLSB_ERR_BAD_TARGET: [400, "http_request_error"],
  TLSB_ERR_HEAD_TOO_LARGE: [431, "http_request_error"],
  TLSB_ERR_HEAD_TIMEOUT: [408, "http_request_error"],
  TLSB_ERR_BAD_HELLO: [400, "http_request_error"],
  TLSB_ERR_NO_SNI: [400, "http_request_error"],
  TLSB_ERR_METHOD_NOT_ALLOWED: [405, "http_request_denied"],
  TLSB_ERR_PROXY_AUTH: [407, "http_request_denied"],
  TLSB_ERR_AUTH_BUSY: [503, "connection_limit_reached"],
  TLSB_ERR_NO_ROUTE: [403, "http_request_denied"],
  TLSB_ERR_DESTINATION_DENIED: [403, "destination_ip_prohibited"],
  TLSB_ERR_DESTINATION_ADDRESS: [403, "destination_ip_prohibited"],
  TLSB_ERR_DNS: [502, "dns_error"],
  TLSB_ERR_CONNECTION_REFUSED: [502, "connection_refused"],
  TLSB_ERR_DESTINATION_UNAVAILABLE: [502, "destination_unavailable"],
  TLSB_ERR_CONNECT_TIMEOUT: [504, "connection_timeout"],
  TLSB_ERR_PEER_UNREACHABLE: [502, "connection_refused"],
  TLSB_ERR_PEER_TLS: [502, "tls_protocol_error"],
  TLSB_ERR_PEER_CERT: [502, "tls_certificate_error"],
  TLSB_ERR_INGRESS_CERT: [502, "tls_certificate_error"],
  TLSB_ERR_PEER_RESPONSE: [502, "http_response_incomplete"],
  TLSB_ERR_CORP_PROXY_UNREACHABLE: [502, "connection_refused"],
  TLSB_ERR_CORP_PROXY_TIMEOUT: [504, "connection_timeout"],
  TLSB_ERR_CORP_PROXY_TLS: [502, "tls_protocol_error"],
  TLSB_ERR_CORP_PROXY_CERT: [502, "tls_certificate_error"],
  TLSB_ERR_CORP_PROXY_AUTH: [502, "http_request_denied"],
  TLSB_ERR_CORP_PROXY_DENIED: [502, "http_request_denied"],
  TLSB_ERR_CORP_PROXY_RESPONSE: [502, "http_response_incomplete"],
  TLSB_ERR_TOO_MANY_TUNNELS: [503, "connection_limit_reached"],
  TLSB_ERR_PROXY_LOOP: [508, "proxy_loop_detected"],
  TLSB_ERR_INTERNAL: [500, "proxy_internal_error"],
};

describe("status table", () => {
  it("has exactly the documented codes, statuses and Proxy-Status types", () => {
    expect([...ERROR_CODES].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const code of ERROR_CODES) {
      expect([ERRORS[code].status, ERRORS[code].proxyStatus], code).toEqual(EXPECTED[code]);
      expect(errorResponseFor(code)).toBe(ERRORS[code]);
    }
  });

  it("only 405 carries Allow and only 503 carries Retry-After", () => {
    for (const code of ERROR_CODES) {
      const row = errorResponseFor(code);
      expect(row.allow !== undefined, code).toBe(row.status === 405);
      expect(row.retryAfter !== undefined, code).toBe(row.status === 503);
    }
    expect(ERRORS.TLSB_ERR_METHOD_NOT_ALLOWED.allow).toBe("CONNECT");
  });

  it("renders one Markdown row per code", () => {
    const md = statusTableMarkdown();
    const rows = md.trim().split("\n");
    expect(rows).toHaveLength(ERROR_CODES.length + 2);
    expect(rows[2]).toBe("| `TLSB_ERR_BAD_REQUEST` | 400 Bad Request | `http_request_error` |  | `01` generalFailure | alert 40 handshakeFailure | malformed request head |");
    expect(md).toContain("| `TLSB_ERR_METHOD_NOT_ALLOWED` | 405 Method Not Allowed | `http_request_denied` | `Allow: CONNECT` | `07` commandNotSupported |");
    expect(md).toContain("| `TLSB_ERR_NO_ROUTE` | 403 Forbidden | `http_request_denied` |  | `02` notAllowedByRuleset | alert 112 unrecognizedName |");
  });

  it("isErrorCode knows our codes only", () => {
    expect(isErrorCode("TLSB_ERR_DNS")).toBe(true);
    expect(isErrorCode("toString")).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});

describe("TunnelError", () => {
  it("carries code, cause, details and rcode, and its row's status", () => {
    const cause = new Error("ENOTFOUND");
    const err = new TunnelError("TLSB_ERR_DNS", "no such host", { cause, details: "d", rcode: "NXDOMAIN" });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("TunnelError");
    expect(err.code).toBe("TLSB_ERR_DNS");
    expect(err.cause).toBe(cause);
    expect(err.details).toBe("d");
    expect(err.rcode).toBe("NXDOMAIN");
    expect(err.status).toBe(502);
    expect(err.row.proxyStatus).toBe("dns_error");
    const plain = new TunnelError("TLSB_ERR_NO_ROUTE", "x");
    expect("cause" in plain).toBe(false);
    expect(plain.details).toBeUndefined();
  });
});
