// The package entry is a contract other packages are written against, and the package must stay
// pure: no sockets, no timers, nothing of ours imported.
import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import * as wire from "@tlsbridge/wire";

describe("@tlsbridge/wire entry", () => {
  it("exports the contracted runtime names", () => {
    for (const name of [
      "TunnelError", "ERRORS", "HeadScanner", "HeadReader", "parseConnectRequest", "parseTarget",
      "parseResponseHead", "headerValues", "formatConnectRequest", "formatConnectEstablished",
      "formatErrorResponse", "formatRelayedResponse", "proxyStatusEntry", "statusTableMarkdown", "errorResponseFor",
    ]) {
      expect(wire, name).toHaveProperty(name);
    }
  });

  it("source files import no sockets, timers or other packages of ours", () => {
    const dir = new URL(".", import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.includes(".test"))) {
      const text = readFileSync(new URL(file, dir), "utf8");
      expect(text, file).not.toMatch(/from "(node:)?(net|tls|dgram|dns|http|https|http2|timers)(\/[a-z]+)?"/);
      expect(text, file).not.toMatch(/\b(setTimeout|setInterval|setImmediate)\(/);
      expect(text, file).not.toMatch(/from "@tlsbridge\//);
    }
  });
});
