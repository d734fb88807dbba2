// Bash completion as a user gets it: `tlsbridge completion bash` sourced into a real bash, the
// completion function called as bash calls it (COMP_WORDS, COMP_CWORD), and COMPREPLY read back.
// Every option it offers is one the command's --help documents and the parser accepts.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTlsbridge } from "./run-tlsbridge.ts";

const run = promisify(execFile);
let dir: string;
let script: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tlsbridge-completion-"));
  await mkdir(join(dir, "configs"));
  await writeFile(join(dir, "configs", "peer.yaml"), "");
  const r = await runTlsbridge(["completion", "bash"]);
  expect(r.code).toBe(0);
  script = join(dir, "tlsbridge.bash");
  await writeFile(script, r.stdout);
});

afterAll(() => rm(dir, { recursive: true, force: true }));

/** What bash offers for the command line `words` (the last one being completed). */
async function complete(...words: string[]): Promise<string[]> {
  const array = words.map((w) => `'${w}'`).join(" ");
  const { stdout } = await run("bash", ["-c", `source '${script}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _tlsbridge; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: dir });
  return stdout.split("\n").filter((l) => l !== "").sort();
}

describe("tlsbridge completion bash", () => {
  it("completes commands, subcommands, options, log levels and config files", async () => {
    expect(await complete("tlsbridge", "p")).toEqual(["peer", "pki"]);
    expect(await complete("tlsbridge", "pki", "")).toEqual(["init", "issue"]);
    expect(await complete("tlsbridge", "rules", "i")).toEqual(["import-ats"]);
    expect(await complete("tlsbridge", "peer", "--")).toEqual(["--config", "--help", "--log-level", "--pretty"]);
    expect(await complete("tlsbridge", "ingress", "--log-level", "d")).toEqual(["debug"]);
    expect(await complete("tlsbridge", "peer", "--config", "configs/p")).toEqual(["configs/peer.yaml"]);
    expect(await complete("tlsbridge", "pki", "init", "pki", "--peer-name", "")).toEqual([]);
  });

  it.each(["ingress", "peer", "check", "pki", "rules", "auth", "completion"])("offers for %s only options its --help documents", async (command) => {
    const offered = (await complete("tlsbridge", command, ...(command === "pki" || command === "rules" ? ["x"] : []), "--")).filter((o) => o !== "--help");
    const help = await runTlsbridge([command, "--help"]);
    expect(help.code).toBe(0);
    for (const option of offered) expect(help.stdout).toContain(option);
  });

  it("refuses a shell it has no script for", async () => {
    const r = await runTlsbridge(["completion", "zsh"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no completion for 'zsh' (only bash)");
  });
});
