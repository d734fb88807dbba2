// Runs the real `tlsbridge` program as a user would (this Node, the bin file, a working directory)
// and collects its exit code and output, for the cli tests.
import { execFile, spawn } from "node:child_process";
import type { ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

/** packages/cli/bin/tlsbridge.ts. */
export const TLSBRIDGE_BIN = fileURLToPath(new URL("../../packages/cli/bin/tlsbridge.ts", import.meta.url));

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What one run produced. */
export type RunResult = { readonly code: number; readonly stdout: string; readonly stderr: string };

/** Runs `tlsbridge ...args` to completion. */
export function runTlsbridge(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [TLSBRIDGE_BIN, ...args],
      { cwd: options.cwd ?? REPO_ROOT, env: { ...process.env, ...options.env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : undefined;
        if (code === undefined) reject(error ?? new Error("no exit code"));
        else resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Starts `tlsbridge ...args` and leaves it running (for the long-running ingress and peer commands);
 * `env` adds to this process's environment.
 */
export function startTlsbridge(args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [TLSBRIDGE_BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], ...(env !== undefined ? { env: { ...process.env, ...env } } : {}) });
}
