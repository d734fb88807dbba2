// `npm run build`: tlsbridge as one file to install (issue 12). esbuild bundles the program and every
// dependency (the wasm parser is inlined in llhttp-wasm's JavaScript) into one CommonJS file; Node's
// single executable applications turn it into a copy of this Node 24 binary with the bundle (and
// package.json, for --version) injected by postject. No Node, npm or repository is needed to run it.
// Then a .tar.gz with it, the example configs, the deployment files, the docs and the bash
// completion. Linux x64 only.
// Usage: node scripts/build-sea.ts [OUT_DIR]   (default: dist/)
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The fuse Node looks for to know it carries an application (Node's single-executable docs). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
/** What the archive holds beside the executable. */
const SHIPPED = ["README.md", "configs", "docs", "deploy"] as const;

if (process.platform !== "linux" || process.arch !== "x64") {
  process.stderr.write(`build: the single executable is built for linux-x64 only (this is ${process.platform}-${process.arch})\n`);
  process.exit(2);
}
const out = resolve(process.argv[2] ?? join(ROOT, "dist"));
const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const bundle = join(out, "tlsbridge.cjs");
await build({
  entryPoints: [join(ROOT, "scripts", "sea-main.ts")],
  outfile: bundle,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node24",
  // version.ts reads package.json next to the sources only outside the executable.
  logOverride: { "empty-import-meta": "silent" },
  logLevel: "warning",
});

const blob = join(out, "tlsbridge.blob");
const seaConfig = join(out, "sea-config.json");
writeFileSync(seaConfig, JSON.stringify({
  main: bundle,
  output: blob,
  disableExperimentalSEAWarning: true,
  // V8's compiled code for the bundle, made now: a faster start.
  useCodeCache: true,
  assets: { "package.json": join(ROOT, "package.json") },
}));
execFileSync(process.execPath, ["--experimental-sea-config", seaConfig], { stdio: "inherit" });

const executable = join(out, "tlsbridge");
copyFileSync(process.execPath, executable);
chmodSync(executable, 0o755);
const postject = createRequire(import.meta.url).resolve("postject/dist/cli.js");
execFileSync(process.execPath, [postject, executable, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE], { stdio: "ignore" });

const name = `tlsbridge-${version}-linux-x64`;
const staging = join(out, name);
mkdirSync(staging);
copyFileSync(executable, join(staging, "tlsbridge"));
chmodSync(join(staging, "tlsbridge"), 0o755);
for (const entry of SHIPPED) cpSync(join(ROOT, entry), join(staging, entry), { recursive: true });
// Bash completion, printed by the executable itself (from the option table its parser reads).
mkdirSync(join(staging, "completions"));
writeFileSync(join(staging, "completions", "tlsbridge.bash"), execFileSync(executable, ["completion", "bash"]));
const archive = join(out, `${name}.tar.gz`);
execFileSync("tar", ["-czf", archive, "-C", out, name]);
rmSync(staging, { recursive: true });
for (const file of [bundle, blob, seaConfig]) rmSync(file);

const mib = (path: string): string => `${(statSync(path).size / 1024 / 1024).toFixed(1)} MiB`;
process.stdout.write(`built ${executable} (${mib(executable)}) and ${archive} (${mib(archive)})\n`);
