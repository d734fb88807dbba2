// Kubernetes objects checked against the TypeScript interfaces kubernetes-models ships, as tsc checks
// an object literal: a field the interface does not declare (a typo such as `replicass`, a key at
// the wrong depth) is an error. The runtime schema check lets those through: its schemas allow
// unknown fields, while the API server would refuse them (`kubectl apply --validate=strict`).
import { join } from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "../cli/run-tlsbridge.ts";
import type { KubeObject } from "./kustomize.ts";

/** The kubernetes-models module of an object's apiVersion and kind (cert-manager's from its package). */
export function kubeModelModule(object: KubeObject): string {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  return group === "cert-manager.io"
    ? `@kubernetes-models/cert-manager/${group}/${version}/${object.kind}`
    : `kubernetes-models/${group === "" ? "" : `${group}/`}${version}/${object.kind}`;
}

/** `Kind name: message` for every field of `objects` that their interfaces do not declare, or that has the wrong type. */
export function kubeFieldErrors(objects: readonly KubeObject[]): string[] {
  // A file that exists only in memory, inside the repository so that node_modules resolves.
  const file = join(REPO_ROOT, "test", "helpers", "kube-objects.generated.ts");
  const text = objects.map((o, i) =>
    `import type { I${o.kind} as T${i} } from "${kubeModelModule(o)}";\nexport const o${i}: T${i} = ${JSON.stringify(o)};`).join("\n");
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const object = objects[Math.floor(line / 2)];
    const where = object === undefined ? d.file?.fileName ?? "" : `${object.kind} ${object.metadata.name}`;
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
  });
}
