// `npm start` as a newcomer runs it, in its self-checking form: the demo makes pki/ if needed,
// starts the sample service and two real tlsbridge nodes on the fixed demo ports, sends
// `curl -p -x http://127.0.0.1:8080 http://localhost:9080/hello` through them, runs the SOCKS5 and
// SNI curl lines the demo prints (from the issue) exactly as printed, and exits 0.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./run-tlsbridge.ts";

const rolesPresent = ["ingress", "peer"].every((role) => existsSync(join(REPO_ROOT, "packages", role, "src", "index.ts")));

describe("npm start -- --check", () => {
  it.skipIf(!rolesPresent)("tunnels a GET to the sample service through ingress and peer, then stops cleanly", async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [join(REPO_ROOT, "scripts", "demo.ts"), "--check"], { cwd: REPO_ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr });
      });
    });
    expect(result.stdout).toMatch(/^ok: CONNECT 200, GET 200: hello from the tlsbridge demo service: GET \/hello/m);
    expect(result.stdout).toMatch(/^ok: socks5: curl --socks5-hostname 127\.0\.0\.1:1080 http:\/\/localhost:9080\/hello: hello from .* GET \/hello/m);
    expect(result.stdout).toMatch(
      /^ok: sni: curl --resolve localhost:8443:127\.0\.0\.1 --cacert pki\/ca\.pem https:\/\/localhost:8443\/hello: hello from .* GET \/hello/m,
    );
    expect(result.stdout).toContain("[peer]");
    expect(result.stdout).toContain("[ingress]");
    expect(result.code, result.stderr).toBe(0);
  }, 90_000);
});
