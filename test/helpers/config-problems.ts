// Config-test scaffolding: a temp dir with a dev PKI where an ingress.yaml with inline fragments is
// written, and what the loader refused, as `line:column: message` strings, for the config tests
// that assert every problem sits where the operator wrote it.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { loadIngressConfig } from "@tlsbridge/config";
import { ConfigError } from "@tlsbridge/rules";
import { initPki } from "../../packages/cli/src/pki/index.ts";

/** How a problem names its file: not at all (the default), by its path, or by its file name. */
export type ProblemFile = { readonly file?: "path" | "name" };

/** Expects `load` to fail with a ConfigError, and returns its problems as `line:column: message`, after the file as `options` say. */
export async function configProblems(load: Promise<unknown>, options: ProblemFile = {}): Promise<string[]> {
  const err = await load.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  const fileOf = (file: string): string => (options.file === "path" ? `${file}:` : options.file === "name" ? `${basename(file)}:` : "");
  return (err as ConfigError).problems.map((p) => `${fileOf(p.file)}${p.line}:${p.column}: ${p.message}`);
}

/** {@link configProblems} of loading the ingress config at `path`. */
export function ingressConfigProblems(path: string, options: ProblemFile = {}): Promise<string[]> {
  return configProblems(loadIngressConfig(path), options);
}

/** The parts of an ingress.yaml that a config test varies; the rest (one listener, tls) is fixed. */
export type IngressYamlParts = {
  /** The text of the listener's rule file, written to `sites/<name>.yaml`. */
  readonly rules: string;
  /** Extra keys of the one listener, one line each, under `rules:`. */
  readonly listener?: readonly string[];
  /** The lines under `peers:`. */
  readonly peers: readonly string[];
  /** Top-level lines between `peers:` and `tls:`. */
  readonly rest?: readonly string[];
};

/** A config test's temp dir: `pki/` from `tlsbridge pki init`, configs in `etc/`, rule files in `etc/sites/`. */
export type ConfigScratch = {
  /** The `etc/` dir, where configs and the files they name go. */
  readonly etc: () => string;
  /**
   * Writes `etc/<name>.yaml`, laid out as below (line numbers in assertions count from it), and its
   * rule file; returns its path.
   * ```
   * listeners:
   *   - listen: 127.0.0.1:0
   *     rules: sites/<name>.yaml
   *     <listener lines>
   * peers:
   *   <peers lines>
   * <rest lines>
   * tls: { ca: ../pki/ca.pem, cert: ../pki/ingress.pem, key: ../pki/ingress-key.pem }
   * ```
   */
  readonly ingressYaml: (name: string, parts: IngressYamlParts) => Promise<string>;
};

/** Registers this test file's {@link ConfigScratch}: made before its tests, removed after them. */
export function configScratch(label: string): ConfigScratch {
  let base = "";
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), `tlsbridge-${label}-`));
    await initPki(join(base, "pki"));
    await mkdir(join(base, "etc", "sites"), { recursive: true });
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });
  const etc = (): string => join(base, "etc");
  return {
    etc,
    ingressYaml: async (name, parts) => {
      await writeFile(join(etc(), "sites", `${name}.yaml`), parts.rules);
      const path = join(etc(), `${name}.yaml`);
      await writeFile(path, [
        "listeners:",
        "  - listen: 127.0.0.1:0",
        `    rules: sites/${name}.yaml`,
        ...(parts.listener ?? []).map((line) => `    ${line}`),
        "peers:",
        ...parts.peers.map((line) => `  ${line}`),
        ...(parts.rest ?? []),
        "tls: { ca: ../pki/ca.pem, cert: ../pki/ingress.pem, key: ../pki/ingress-key.pem }",
        "",
      ].join("\n"));
      return path;
    },
  };
}
