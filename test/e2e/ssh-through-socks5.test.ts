// The README's ssh line for the SOCKS5 listener, as a user runs it: OpenSSH's client with
// `ProxyCommand nc -X 5 -x INGRESS %h %p` (netcat-openbsd) logs in to a real sshd on loopback through
// the ingress and the peer, verifying the server's host key, and a 2 MiB stream piped through the
// session comes out with the same SHA-256. Both peer modes. Needs root (sshd), sshd, ssh and an nc
// with -X; `.ci/run` installs openssh-server and netcat-openbsd, elsewhere the test skips, saying why.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, which } from "@tlsbridge/bench";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startForeignProcess } from "../helpers/foreign-process.ts";
import type { ForeignProcess } from "../helpers/foreign-process.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return "sshd needs root";
  for (const [program, pkg] of [["sshd", "openssh-server"], ["ssh", "openssh-client"], ["ssh-keygen", "openssh-client"], ["nc", "netcat-openbsd"]]) {
    if (which(program as string) === undefined) return `${program} is not installed (Debian package ${pkg}; .ci/run installs it)`;
  }
  // netcat-traditional has no -X: only the OpenBSD netcat speaks SOCKS. Its help goes to stderr.
  const usage = spawnSync("nc", ["-h"], { encoding: "utf8" });
  const help = `${usage.stdout}${usage.stderr}`;
  if (!help.includes("-X")) return "this nc has no -X (install netcat-openbsd)";
  return undefined;
}

const why = skipReason();
if (why !== undefined) console.info(`skipped: ssh through SOCKS5: ${why}`);

/** Runs `ssh` with `args`, feeding it `input`; resolves with its exit code, stdout and stderr. */
function runSsh(args: readonly string[], input: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.on("error", () => {}); // ssh may exit before reading it all: the exit code says why
    child.stdin.end(input);
  });
}

describe.skipIf(why !== undefined).each(["h1", "h2"] as const)("ssh through the SOCKS5 listener, peer mode %s", (peerMode) => {
  let dir: string;
  let sshd: ForeignProcess;
  let sshPort: number;
  let nodes: TwoNodes;
  let sshArgs: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tlsbridge-ssh-"));
    const keygen = (file: string): void => void execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, file)]);
    keygen("host_key");
    keygen("client_key");
    await writeFile(join(dir, "authorized_keys"), await readFile(join(dir, "client_key.pub")));
    sshPort = await freePort();
    await writeFile(join(dir, "known_hosts"), `[localhost]:${sshPort} ${(await readFile(join(dir, "host_key.pub"), "utf8")).trim()}\n`);
    await writeFile(join(dir, "sshd_config"), `Port ${sshPort}
ListenAddress 127.0.0.1
HostKey ${join(dir, "host_key")}
PidFile ${join(dir, "sshd.pid")}
AuthorizedKeysFile ${join(dir, "authorized_keys")}
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
`);
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
    sshd = await startForeignProcess(which("sshd") as string, ["-D", "-e", "-f", join(dir, "sshd_config")], { logFile: join(dir, "sshd.log"), ports: [sshPort] });
    nodes = await startTwoNodes({ ingressProtocol: "socks5", peerMode });
    sshArgs = [
      "-F", "/dev/null", "-i", join(dir, "client_key"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
      "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${join(dir, "known_hosts")}`,
      "-o", `ProxyCommand=nc -X 5 -x 127.0.0.1:${nodes.ingressPort} %h %p`,
      "-p", String(sshPort), "root@localhost",
    ];
  });
  afterAll(async () => {
    await nodes?.close();
    await sshd?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("logs in, verifying the host key, and runs a command", async () => {
    const result = await runSsh([...sshArgs, "echo", "tunnelled"], Buffer.alloc(0));
    expect(result, `sshd log:\n${await sshd.output()}`).toMatchObject({ code: 0, stdout: "tunnelled\n" });
    const access = await nodes.ingressLog.waitFor("access", (l) => l.target === `localhost:${sshPort}`);
    expect(access).toMatchObject({ outcome: "done", status: 200 });
  });

  it("carries 2 MiB through the session byte for byte", async () => {
    const data = randomBytes(2 * 1024 * 1024);
    const result = await runSsh([...sshArgs, "sha256sum"], data);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split(" ")[0]).toBe(createHash("sha256").update(data).digest("hex"));
  });
});
