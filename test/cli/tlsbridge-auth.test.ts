// `tlsbridge auth add FILE USER` and `auth hash` as a user runs them: the password comes from stdin
// (or a terminal), never argv; the file is created 0600, a user's line is replaced in place, and
// what is written verifies with the ingress's own check and loads as a users file.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePasswordHash, verifyPassword } from "@tlsbridge/ingress";
import type { PasswordHash } from "@tlsbridge/ingress";
import { runTlsbridge, TLSBRIDGE_BIN } from "./run-tlsbridge.ts";

/** Runs tlsbridge with `input` on stdin (a pipe, not a terminal). */
function runWithStdin(args: readonly string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TLSBRIDGE_BIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tlsbridge-auth-cmd-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hashOf = (line: string | undefined): PasswordHash => parsePasswordHash(line?.slice(line.indexOf(":") + 1) ?? "") as PasswordHash;

describe("tlsbridge auth", () => {
  it("auth add creates the file (0600) and replaces a user's line on a second run", async () => {
    const file = join(dir, "users.htpasswd");
    const first = await runWithStdin(["auth", "add", file, "alice"], "first password\n");
    expect(first).toMatchObject({ code: 0, stdout: expect.stringContaining("added alice in") });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await runWithStdin(["auth", "add", file, "bob"], "bobs password\n");
    const second = await runWithStdin(["auth", "add", file, "alice"], "second password\r\n");
    expect(second.stdout).toContain("changed the password of alice in");
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
    expect(lines.map((l) => l.slice(0, l.indexOf(":")))).toEqual(["alice", "bob"]);
    expect(await verifyPassword("second password", hashOf(lines[0]))).toBe(true);
    expect(await verifyPassword("first password", hashOf(lines[0]))).toBe(false);
    expect(await verifyPassword("bobs password", hashOf(lines[1]))).toBe(true);
    expect(`${first.stdout}${first.stderr}${second.stdout}${second.stderr}`).not.toContain("password\n");
  });

  it("auth hash prints one hash of the first stdin line", async () => {
    const result = await runWithStdin(["auth", "hash"], "pw\nignored\n");
    expect(result.code).toBe(0);
    const hash = parsePasswordHash(result.stdout.trim());
    expect(typeof hash).not.toBe("string");
    expect(await verifyPassword("pw", hash as PasswordHash)).toBe(true);
  });

  it("refuses a password on the command line, an empty password, a bad user name and a broken file", async () => {
    const file = join(dir, "other.htpasswd");
    const [argv, empty, badUser] = await Promise.all([
      runTlsbridge(["auth", "add", file, "alice", "hunter2"]),
      runWithStdin(["auth", "add", file, "alice"], "\n"),
      runWithStdin(["auth", "add", file, "al:ice"], "pw\n"),
    ]);
    expect(argv).toMatchObject({ code: 2, stderr: expect.stringContaining("auth add takes no password argument") });
    expect(empty).toMatchObject({ code: 2, stderr: expect.stringContaining("empty password") });
    expect(badUser).toMatchObject({ code: 2, stderr: expect.stringContaining("bad user name") });
    await writeFile(file, "garbage line\n");
    const broken = await runWithStdin(["auth", "add", file, "alice"], "pw\n");
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/other\.htpasswd:1:1: expected `user:hash`/);
    expect(await readFile(file, "utf8")).toBe("garbage line\n");
  });

  it("has help, and the program's help lists it", async () => {
    const [own, program] = await Promise.all([runTlsbridge(["auth", "--help"]), runTlsbridge(["--help"])]);
    expect(own.stdout).toContain("Usage: tlsbridge auth add FILE USER");
    expect(program.stdout).toContain("tlsbridge auth add FILE USER");
  });
});
