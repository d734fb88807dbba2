// Real curl through a tunnel proxy (`-p -x`), for tests that look at what a user of curl sees.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * curl `-p -x http://[userinfo]127.0.0.1:port url` plus `extra` arguments; resolves with the exit
 * code (56: the proxy refused the CONNECT), body and stderr, never rejects.
 */
export async function curlThrough(port: number, url: string, extra: readonly string[] = [], proxyUserInfo = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("curl", ["-sS", "--max-time", "10", "-p", "-x", `http://${proxyUserInfo}127.0.0.1:${port}`, ...extra, url]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
