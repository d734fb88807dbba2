// Issue 15: configs an editor can check. schemas/ holds JSON Schemas (draft 2020-12) for
// ingress.yaml, peer.yaml and site rule files, named by a `# yaml-language-server: $schema=` line
// in every shipped config. The schemas and the loader must not drift: every shipped config (the
// examples in configs/, the compose deployment's, the Kubernetes overlays' ConfigMap files) passes
// both a standard validator (ajv) and the loader, a set of broken configs is refused by both, and
// the schemas name exactly the keys and defaults the loader knows.
import { existsSync } from "node:fs";
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS, INGRESS_KEYS, loadAnyConfig, PEER_KEYS } from "@tlsbridge/config";
import { ConfigError, parseRuleFile } from "@tlsbridge/rules";
import { REPO_ROOT, runTlsbridge } from "../cli/run-tlsbridge.ts";

const SCHEMAS = join(REPO_ROOT, "schemas");
const readJson = async (path: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;

const SHIPPED = [
  "configs/ingress.yaml", "configs/peer.yaml", "configs/sites/hq.yaml", "configs/sites/lab.yaml",
  "deploy/compose/ingress.yaml", "deploy/compose/peer.yaml", "deploy/compose/sites/hq.yaml", "deploy/compose/sites/lab.yaml",
  "deploy/kubernetes/overlays/corp/ingress.yaml", "deploy/kubernetes/overlays/corp/hq.yaml", "deploy/kubernetes/overlays/cloud/peer.yaml",
];
/** The folders the shipped configs are copied from, with the files they name beside them. */
const SHIPPED_DIRS = ["configs", "deploy/compose", "deploy/kubernetes/overlays"];

let validators: Map<string, ValidateFunction>;
let base: string;

beforeAll(async () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addSchema(await readJson(join(SCHEMAS, "node-common.schema.json")), "node-common.schema.json");
  validators = new Map();
  for (const name of ["ingress", "peer", "rules"]) {
    validators.set(`${name}.schema.json`, ajv.compile(await readJson(join(SCHEMAS, `${name}.schema.json`))));
  }
  base = await mkdtemp(join(tmpdir(), "tlsbridge-schemas-"));
  for (const dir of SHIPPED_DIRS) await cp(join(REPO_ROOT, dir), join(base, dir), { recursive: true });
  await cp(SCHEMAS, join(base, "schemas"), { recursive: true });
  expect((await runTlsbridge(["pki", "init", DEV_PKI], { cwd: base })).code).toBe(0);
  for (const file of SHIPPED) await placeDevPki(join(base, file));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Where `tlsbridge pki init` writes the dev PKI, under the temp dir. */
const DEV_PKI = "dev-pki";

/**
 * Puts the dev PKI's files where a node config's `tls:` paths point (`pki/ca.crt` in a pod,
 * `../pki/ca.pem` beside the examples), the config itself unchanged: the CA, and the leaf
 * certificate and key of the role its schema names.
 */
async function placeDevPki(path: string): Promise<void> {
  const role = (await schemaOf(path)).name;
  if (role === "rules") return;
  const tls = (parse(await readFile(path, "utf8")) as { tls: Record<"ca" | "cert" | "key", string> }).tls;
  const sources = { ca: "ca.pem", cert: `${role}.pem`, key: `${role}-key.pem` } as const;
  for (const key of ["ca", "cert", "key"] as const) {
    const target = resolve(dirname(path), tls[key]);
    if (existsSync(target)) continue;
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(base, DEV_PKI, sources[key]), target);
  }
}

/** The validator the file's `$schema` line names (the editor's choice), the schema's name (`ingress`, `peer`, `rules`), and the file parsed. */
async function schemaOf(path: string): Promise<{ validate: ValidateFunction; name: string; data: unknown }> {
  const text = await readFile(path, "utf8");
  const named = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
  expect(named, `${path} names its schema`).toBeDefined();
  const target = resolve(dirname(path), named ?? "");
  expect(existsSync(target), `${path}: ${named} exists`).toBe(true);
  const validate = validators.get(basename(target));
  expect(validate, `${path}: ${named} is one of schemas/`).toBeDefined();
  return { validate: validate as ValidateFunction, name: basename(target, ".schema.json"), data: parse(text) as unknown };
}

/** Whether the loader accepts the file: a node config through `check`'s loader, a rule file (by its schema) as the ingress reads it. */
async function loaderAccepts(path: string, knownPeers: readonly string[] = ["cloud-east", "cloud", "peer"]): Promise<true | string> {
  try {
    if ((await schemaOf(path)).name === "rules") parseRuleFile(await readFile(path, "utf8"), path, { knownPeers });
    else await loadAnyConfig(path);
    return true;
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
}

describe("JSON Schemas for the configs", () => {
  it.each(SHIPPED)("%s passes its schema", async (file) => {
    const { validate, data } = await schemaOf(join(REPO_ROOT, file));
    expect(validate(data) ? [] : validate.errors).toEqual([]);
  });

  it.each(SHIPPED)("%s passes the loader, with a dev PKI where its paths point", async (file) => {
    expect(await loaderAccepts(join(base, file))).toBe(true);
  });

  const BROKEN: ReadonlyArray<readonly [string, string, string]> = [
    ["an unknown key", "configs/peer.yaml", "listen: 127.0.0.1:4443\nlisten_typo: 1\n"],
    ["a listen address without a port", "configs/peer.yaml", "listen: 127.0.0.1\n"],
    ["a head limit below 1 KiB", "configs/peer.yaml", "limits: { maxHeadBytes: 10 }\n"],
    ["a timeout that is text", "configs/ingress.yaml", "limits: { idleTimeoutMs: soon }\n"],
    ["zero workers", "configs/ingress.yaml", "workers: 0\n"],
    ["an unknown peer mode", "configs/ingress.yaml", "peers: { cloud-east: { address: '127.0.0.1:4443', mode: h3 } }\n"],
    ["a rule without a peer", "configs/sites/hq.yaml", "rules:\n  - match: localhost\n"],
    ["a rule with port 0", "configs/sites/hq.yaml", "rules:\n  - match: localhost\n    ports: [0]\n    peer: cloud-east\n"],
    ["a rule with an unknown key", "configs/sites/hq.yaml", "rules:\n  - match: localhost\n    peer: cloud-east\n    port: 443\n"],
  ];

  it.each(BROKEN)("%s is refused by the schema and by the loader", async (_name, shipped, override) => {
    // The shipped file with the override's top-level keys replaced.
    const original = await readFile(join(base, shipped), "utf8");
    const merged = { ...(parse(original) as Record<string, unknown>), ...(parse(override) as Record<string, unknown>) };
    const header = original.split("\n")[0] ?? "";
    const path = join(base, shipped.replace(/\.yaml$/, "-broken.yaml"));
    await writeFile(path, `${header}\n${JSON.stringify(merged)}\n`);
    const { validate, data } = await schemaOf(path);
    expect(validate(data)).toBe(false);
    expect(await loaderAccepts(path)).toMatch(/^.*-broken\.yaml:\d+:\d+: /);
  });

  it("name exactly the keys the loader knows, with its defaults", async () => {
    const ingress = await readJson(join(SCHEMAS, "ingress.schema.json"));
    const peer = await readJson(join(SCHEMAS, "peer.schema.json"));
    const props = (schema: Record<string, unknown>) => schema.properties as Record<string, { properties?: Record<string, { default?: unknown }> }>;
    expect(Object.keys(props(ingress)).sort()).toEqual([...INGRESS_KEYS].sort());
    expect(Object.keys(props(peer)).sort()).toEqual([...PEER_KEYS].sort());
    const defaults = (schema: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(props(schema).limits?.properties ?? {}).map(([key, about]) => [key, about.default]));
    expect(defaults(ingress)).toEqual(CONFIG_DEFAULTS.ingress.limits);
    expect(defaults(peer)).toEqual(CONFIG_DEFAULTS.peer.limits);
  });
});
