// Issue 15: a normal call prints nothing that is not news, and loads only what it uses. Before,
// every `npx tlsbridge` printed npm's EBADENGINE warning twice on a system Node 20 (the pinned
// Node 24 runs the program, so the warning was noise), and every command, `ingress` and `peer`
// included, loaded the X.509 library and its reflect-metadata polyfill that only `pki init` uses.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, runTlsbridge } from "./run-tlsbridge.ts";

/**
 * The environment of a user's shell: without the node_modules/.bin that npm puts first on PATH for
 * scripts (it holds the pinned node) and without the npm_* variables an outer npm run leaves.
 */
const userEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_"))),
  PATH: (process.env.PATH ?? "").split(delimiter).filter((dir) => !dir.includes("node_modules")).join(delimiter),
};

/** `npx ...args` in the repository, as on a first call: with an empty npm cache. */
async function npx(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cache = await mkdtemp(join(tmpdir(), "tlsbridge-npm-cache-"));
  try {
    return await new Promise((resolve) => {
      execFile("npx", [...args], { cwd: REPO_ROOT, env: { ...userEnv, npm_config_cache: cache } }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
      });
    });
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}

/**
 * A module hook, preloaded with --import, that appends every module URL the program loads to the
 * file named by TLSBRIDGE_TEST_MODULE_LOG (Node 24's synchronous module.registerHooks).
 */
const MODULE_LOG_HOOK = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from "node:module";
import { appendFileSync } from "node:fs";
registerHooks({ load(url, context, next) { appendFileSync(process.env.TLSBRIDGE_TEST_MODULE_LOG, url + "\\n"); return next(url, context); } });
`)}`;

async function modulesLoadedBy(args: readonly string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tlsbridge-modules-"));
  try {
    const log = join(dir, "modules.txt");
    await runTlsbridge(args, { cwd: dir, env: { NODE_OPTIONS: `--import=${MODULE_LOG_HOOK}`, TLSBRIDGE_TEST_MODULE_LOG: log } });
    return await readFile(log, "utf8");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("a normal call is quiet and lean", () => {
  it("`npx tlsbridge --version` prints the version and nothing on stderr, whatever the system node", async () => {
    const r = await npx(["tlsbridge", "--version"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("`check` does not load the X.509 library or its polyfill; `pki init` does", async () => {
    const check = await modulesLoadedBy(["check", "--config", join(REPO_ROOT, "configs", "peer.yaml")]);
    expect(check).toContain("packages/config/src");
    expect(check).not.toContain("@peculiar/x509");
    expect(check).not.toContain("reflect-metadata");
    const pki = await modulesLoadedBy(["pki", "init", "pki"]);
    expect(pki).toContain("@peculiar/x509");
  });

  it("undici, used only by tests, is a dev dependency (the image installs without dev dependencies)", async () => {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as Record<string, Record<string, string>>;
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain("undici");
    expect(Object.keys(manifest.devDependencies ?? {})).toContain("undici");
  });
});
