import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CENSORED, censorSecrets } from "./log-censor.ts";
import { createLogger } from "./logger.ts";

const AUTH = "Basic YWxpY2U6czNjcjN0";

describe("censorSecrets", () => {
  it("censors the secret keys at the top level and one level down", () => {
    expect(censorSecrets({ proxyAuthorization: AUTH, passphrase: "pw", ok: 1 })).toEqual({ proxyAuthorization: CENSORED, passphrase: CENSORED, ok: 1 });
    expect(censorSecrets({ tls: { cert: "c.pem", passphrase: "pw" }, auth: { proxyAuthorization: AUTH } }))
      .toEqual({ tls: { cert: "c.pem", passphrase: CENSORED }, auth: { proxyAuthorization: CENSORED } });
  });

  it("censors Proxy-Authorization in headers objects of any case and in [name, value] lists", () => {
    expect(censorSecrets({ headers: { "Proxy-Authorization": AUTH, host: "h" } })).toEqual({ headers: { "Proxy-Authorization": CENSORED, host: "h" } });
    expect(censorSecrets({ request: { headers: { "PROXY-AUTHORIZATION": AUTH } } })).toEqual({ request: { headers: { "PROXY-AUTHORIZATION": CENSORED } } });
    expect(censorSecrets({ request: { headers: [["Host", "h"], ["proxy-authorization", AUTH]] } }))
      .toEqual({ request: { headers: [["Host", "h"], ["proxy-authorization", CENSORED]] } });
  });

  it("returns the very same object when there is nothing to censor, and never changes the caller's", () => {
    const clean = { event: "tunnel.open", setupMs: 1.5, peerTls: { mode: "h1", resumed: true }, headers: [["Host", "h"]] };
    expect(censorSecrets(clean)).toBe(clean);
    const dirty = { tls: { passphrase: "pw" }, headers: [["Proxy-Authorization", AUTH]] };
    const before = structuredClone(dirty);
    const out = censorSecrets(dirty);
    expect(out).not.toBe(dirty);
    expect(dirty).toEqual(before);
  });

  it("keeps an error an error (message, stack, class) when it censors inside it", () => {
    const err = Object.assign(new TypeError("boom"), { headers: { "proxy-authorization": AUTH } });
    const { err: out } = censorSecrets({ err });
    expect(out).toBeInstanceOf(TypeError);
    expect(out.message).toBe("boom");
    expect(out.stack).toBe(err.stack);
    expect(out.headers).toEqual({ "proxy-authorization": CENSORED });
    expect(err.headers["proxy-authorization"]).toBe(AUTH);
  });

  it("leaves deeper levels alone (like the `*.` paths it replaces)", () => {
    const deep = { a: { b: { passphrase: "pw" } } };
    expect(censorSecrets(deep)).toBe(deep);
  });
});

describe("the cli's logger", () => {
  it("writes no secret from a log object or from a child's bindings", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { lines.push(chunk.toString()); done(); } });
    const log = createLogger({ role: "ingress", level: "info", destination: sink });
    log.child({ site: "hq" }).child({ request: { headers: [["Proxy-Authorization", AUTH]] } })
      .info({ tls: { passphrase: "pw" }, proxyAuthorization: AUTH }, "careless");
    const text = lines.join("");
    expect(text).toContain("careless");
    expect(text).not.toContain(AUTH);
    expect(text).not.toContain('"pw"');
    const line = JSON.parse(text) as { tls: { passphrase: string }; request: { headers: string[][] } };
    expect(line.tls.passphrase).toBe(CENSORED);
    expect(line.request.headers).toEqual([["Proxy-Authorization", CENSORED]]);
  });
});
