// A small kustomize, enough for deploy/kubernetes (no cluster and no kustomize binary in CI): it
// builds an overlay into the objects `kubectl kustomize` prints, and refuses any kustomization key
// or patch form it does not implement rather than ignore it. Implemented: resources (files and
// folders), namespace, labels (pairs, includeTemplates), configMapGenerator (files; only with
// disableNameSuffixHash), patches (strategic merge by path: maps merge, lists of named items merge
// by name, other lists are replaced). test/deploy/kubernetes-manifests.test.ts compares it with the
// real kustomize where kubectl is installed.
import { readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parse, parseAllDocuments } from "yaml";

/** One Kubernetes object, as parsed. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
};

const KNOWN_KEYS = new Set(["apiVersion", "kind", "namespace", "resources", "labels", "configMapGenerator", "generatorOptions", "patches"]);
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer", "CustomResourceDefinition"]);

type Kustomization = {
  namespace?: string;
  resources?: string[];
  labels?: Array<{ pairs: Record<string, string>; includeTemplates?: boolean; includeSelectors?: boolean }>;
  configMapGenerator?: Array<{ name: string; files: string[] }>;
  generatorOptions?: { disableNameSuffixHash?: boolean };
  patches?: Array<{ path: string }>;
};

/** Builds the kustomization in `dir` into its objects. */
export function kustomize(dir: string): KubeObject[] {
  const file = join(dir, "kustomization.yaml");
  const k = parse(readFileSync(file, "utf8")) as Kustomization & Record<string, unknown>;
  for (const key of Object.keys(k)) if (!KNOWN_KEYS.has(key)) throw new Error(`${file}: kustomization key '${key}' is not implemented here`);
  const objects: KubeObject[] = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    if (statSync(path).isDirectory()) objects.push(...kustomize(path));
    else objects.push(...parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS() as KubeObject));
  }
  for (const generator of k.configMapGenerator ?? []) {
    if (k.generatorOptions?.disableNameSuffixHash !== true) throw new Error(`${file}: name suffix hashes are not implemented here`);
    const data = Object.fromEntries(generator.files.map((f) => [basename(f), readFileSync(join(dir, f), "utf8")]));
    objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: generator.name }, data });
  }
  for (const { path } of k.patches ?? []) {
    const patch = parse(readFileSync(join(dir, path), "utf8")) as KubeObject;
    const target = objects.find((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
    if (target === undefined) throw new Error(`${file}: patch ${path} matches no ${patch.kind} ${patch.metadata.name}`);
    objects.splice(objects.indexOf(target), 1, strategicMerge(target, patch) as KubeObject);
  }
  for (const o of objects) {
    if (k.namespace !== undefined && !CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
    for (const { pairs, includeTemplates, includeSelectors } of k.labels ?? []) {
      if (includeSelectors === true) throw new Error(`${file}: labels with includeSelectors are not implemented here`);
      o.metadata.labels = { ...o.metadata.labels, ...pairs };
      const template = (o.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template;
      if (includeTemplates === true && template !== undefined) {
        template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...pairs } };
      }
    }
  }
  return objects;
}

/** A strategic merge patch as used here: maps merge, lists of named maps merge by name, other values are replaced. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isMap(patch) && "$patch" in patch) throw new Error("$patch directives are not implemented here");
  if (isMap(base) && isMap(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(patch)) out[key] = key in base ? strategicMerge(base[key], value) : value;
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch) && patch.every(isNamed) && base.every(isNamed)) {
    const out = [...base];
    for (const item of patch) {
      const at = out.findIndex((b) => b.name === item.name);
      if (at < 0) out.push(item);
      else out[at] = strategicMerge(out[at], item) as { name: string };
    }
    return out;
  }
  return patch;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNamed(value: unknown): value is { name: string } {
  return isMap(value) && typeof value.name === "string";
}
