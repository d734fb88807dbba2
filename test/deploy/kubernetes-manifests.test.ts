// deploy/kubernetes without a cluster (issue 12): both overlays build (the small resolver in
// test/helpers/kustomize.ts, compared with the real kustomize where kubectl is installed), every
// object validates against the Kubernetes and cert-manager schemas (kubernetes-models), and the
// manifests agree with what they run: the configs in the ConfigMaps pass `tlsbridge check` laid out
// as the pods see them; ports, probes, NetworkPolicy ports, grace period and memory limits follow
// from those configs; image, user and command line follow from the Dockerfile and the program; the
// two overlays' certificates fit each other's configs.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadAnyConfig } from "@tlsbridge/config";
import type { LoadedConfig } from "@tlsbridge/config";
import { HARD_EXIT_AFTER_GRACE_MS } from "../../packages/runtime/src/shutdown-on-signal.ts";
import { REPO_ROOT, runTlsbridge } from "../cli/run-tlsbridge.ts";
import { which } from "@tlsbridge/bench";
import { kubeFieldErrors, kubeModelModule } from "../helpers/kube-field-check.ts";
import { kustomize } from "../helpers/kustomize.ts";
import type { KubeObject } from "../helpers/kustomize.ts";
import { testPki } from "../helpers/pki.ts";

const run = promisify(execFile);
const KUBE_DIR = join(REPO_ROOT, "deploy", "kubernetes");
const OVERLAYS = { corp: "ingress", cloud: "peer" } as const;
type Overlay = keyof typeof OVERLAYS;
const kubectl = which("kubectl");
/** docs/operations.md "Memory": a node's RSS idle, and per open tunnel (jemalloc, as in the image). */
const IDLE_MIB = 115;
const MIB_PER_TUNNEL = 50 / 1000;

type Probe = { httpGet: { path: string; port: string } };
type Container = {
  name: string; image: string; command?: string[]; args: string[];
  ports: Array<{ name: string; containerPort: number }>;
  livenessProbe: Probe; readinessProbe: Probe;
  lifecycle: { preStop: { sleep: { seconds: number } } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown> & { capabilities: { drop: string[] } };
  volumeMounts: Array<{ name: string; mountPath: string; readOnly: boolean }>;
};
type PodSpec = {
  terminationGracePeriodSeconds: number;
  securityContext: { runAsNonRoot: boolean; runAsUser: number };
  affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: Array<{ podAffinityTerm: { topologyKey: string } }> } };
  containers: Container[];
  volumes: Array<{ name: string; projected: { sources: ProjectedSource[] } }>;
};
type ProjectedSource = { configMap?: { name: string }; secret?: { name: string; items: Array<{ key: string; path: string }> } };
type PolicyRule = { ports: Array<{ port: number; protocol: string }>; to?: unknown[]; from?: unknown[] };

const built = Object.fromEntries(Object.keys(OVERLAYS).map((o) => [o, kustomize(join(KUBE_DIR, "overlays", o))])) as Record<Overlay, KubeObject[]>;
const objectOf = (overlay: Overlay, kind: string): KubeObject => {
  const found = built[overlay].filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`${overlay}: ${found.length} objects of kind ${kind}`);
  return found[0] as KubeObject;
};
const specOf = (overlay: Overlay, kind: string): Record<string, unknown> => objectOf(overlay, kind).spec as Record<string, unknown>;
const podOf = (overlay: Overlay): PodSpec => (specOf(overlay, "Deployment").template as { spec: PodSpec }).spec;
const containerOf = (overlay: Overlay): Container => podOf(overlay).containers[0] as Container;
const mebibytes = (quantity: string): number => Number(/^(\d+)Mi$/.exec(quantity)?.[1] ?? Number.NaN);

/** The config file a pod runs with, from its args (`ROLE --config FILE`). */
const configPathOf = (overlay: Overlay): string => containerOf(overlay).args[2] ?? "";

/** The pods' file system for each overlay: the ConfigMap and the certificate Secret where they are mounted, under `root`. */
let root: string;
const loaded = {} as Record<Overlay, LoadedConfig>;
const hostPath = (podPath: string): string => join(root, podPath);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tlsbridge-kubernetes-"));
  const pki = await testPki();
  for (const overlay of Object.keys(OVERLAYS) as Overlay[]) {
    // The one projected volume: the ConfigMap's files, and the Secret cert-manager fills (ca.crt,
    // tls.crt, tls.key) at the paths its items name.
    const [volume, ...others] = podOf(overlay).volumes;
    expect(others).toEqual([]);
    const mount = containerOf(overlay).volumeMounts.find((m) => m.name === volume?.name);
    expect(mount?.readOnly).toBe(true);
    const leaf = OVERLAYS[overlay] === "peer" ? pki.peer : pki.ingress;
    const secretData: Record<string, string> = { "ca.crt": pki.ca.cert, "tls.crt": leaf.cert, "tls.key": leaf.key };
    const certificate = specOf(overlay, "Certificate") as { secretName: string };
    for (const source of volume?.projected.sources ?? []) {
      if (source.configMap !== undefined) {
        const configMap = objectOf(overlay, "ConfigMap");
        expect(source.configMap.name).toBe(configMap.metadata.name);
        for (const [name, text] of Object.entries(configMap.data as Record<string, string>)) await writeFileAt(join(mount?.mountPath ?? "", name), text);
      }
      if (source.secret !== undefined) {
        expect(source.secret.name).toBe(certificate.secretName);
        for (const item of source.secret.items) await writeFileAt(join(mount?.mountPath ?? "", item.path), secretData[item.key] ?? "");
      }
    }
    loaded[overlay] = await loadAnyConfig(hostPath(configPathOf(overlay)));
  }
});

afterAll(() => rm(root, { recursive: true, force: true }));

/** Writes a file of the pod's file system (folders made as needed). */
async function writeFileAt(podPath: string, text: string): Promise<void> {
  await mkdir(dirname(hostPath(podPath)), { recursive: true });
  await writeFile(hostPath(podPath), text);
}


describe("deploy/kubernetes", () => {
  it.skipIf(kubectl === undefined).each(Object.keys(OVERLAYS))("overlay %s builds as kubectl kustomize builds it", async (overlay) => {
    const { stdout } = await run(kubectl ?? "", ["kustomize", join(KUBE_DIR, "overlays", overlay)]);
    const byKey = (objects: KubeObject[]): Record<string, KubeObject> => Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    const real = parseAllDocuments(stdout).map((d) => d.toJS() as KubeObject);
    expect(byKey(built[overlay as Overlay])).toEqual(byKey(real));
  });

  it.each(Object.keys(OVERLAYS))("every object of overlay %s validates against its schema", async (overlay) => {
    const kinds: string[] = [];
    for (const object of built[overlay as Overlay]) {
      const Model = ((await import(kubeModelModule(object))) as Record<string, new (data: unknown) => { validate: () => void }>)[object.kind];
      if (Model === undefined) throw new Error(`no model for ${object.apiVersion} ${object.kind}`);
      expect(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
      kinds.push(object.kind);
    }
    expect(kinds.sort()).toEqual([
      "Certificate", "ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Issuer", "Namespace", "NetworkPolicy", "PodDisruptionBudget", "Service",
    ]);
  });

  it.each(Object.keys(OVERLAYS))("no object of overlay %s has a field its Kubernetes type does not declare", (overlay) => {
    expect(kubeFieldErrors(built[overlay as Overlay])).toEqual([]);
  });

  it("the field check can fail: a misspelt replicas and a probe at the wrong depth are named", () => {
    const deployment = built.corp.find((o) => o.kind === "Deployment");
    if (deployment === undefined) throw new Error("no Deployment in overlay corp");
    const spec = deployment.spec as Record<string, unknown>;
    const misspelt = { ...deployment, metadata: { name: "misspelt" }, spec: { ...spec, replicass: 3 } };
    const misplaced = { ...deployment, metadata: { name: "misplaced" }, spec: { ...spec, readinessProbe: { httpGet: { path: "/readyz", port: 9090 } } } };
    const errors = kubeFieldErrors([misspelt, misplaced]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^Deployment misspelt: .*replicass.*does not exist in type 'IDeploymentSpec'/);
    expect(errors[1]).toMatch(/^Deployment misplaced: .*readinessProbe.*does not exist in type 'IDeploymentSpec'/);
  });

  it("the schema check can fail: a Deployment without its pod template does not validate", async () => {
    const { Deployment } = await import("kubernetes-models/apps/v1/Deployment");
    const broken = structuredClone(objectOf("corp", "Deployment"));
    delete (broken.spec as Record<string, unknown>).template;
    expect(() => new Deployment(broken as never).validate()).toThrow(/template/);
  });

  it.each(Object.keys(OVERLAYS))("overlay %s has what a reader applies as is: replicas, spread, budget, autoscaler, probes, a locked-down pod", (overlay) => {
    const o = overlay as Overlay;
    const deployment = specOf(o, "Deployment");
    expect(deployment.replicas).toBeGreaterThanOrEqual(2);
    const pod = podOf(o);
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]?.podAffinityTerm.topologyKey).toBe("kubernetes.io/hostname");
    expect(specOf(o, "PodDisruptionBudget").minAvailable).toBe(1);
    const hpa = specOf(o, "HorizontalPodAutoscaler") as { minReplicas: number; scaleTargetRef: { name: string }; metrics: Array<{ resource: { name: string } }> };
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.scaleTargetRef.name).toBe(objectOf(o, "Deployment").metadata.name);
    expect(hpa.metrics.map((m) => m.resource.name)).toEqual(["cpu"]);
    const c = containerOf(o);
    expect([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path]).toEqual(["/healthz", "/readyz"]);
    expect(Object.keys(c.resources.requests).sort()).toEqual(["cpu", "memory"]);
    expect(Object.keys(c.resources.limits).sort()).toEqual(["cpu", "memory"]);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(specOf(o, "Service").type).toBe(o === "corp" ? "ClusterIP" : "LoadBalancer");
    expect((objectOf(o, "Namespace").metadata.labels ?? {})["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it.each(Object.keys(OVERLAYS))("the config in overlay %s passes tlsbridge check where the pod mounts it", async (overlay) => {
    const o = overlay as Overlay;
    const r = await runTlsbridge(["check", "--config", hostPath(configPathOf(o)), "api.service.example:443"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(o === "corp" ? /-> peer cloud at peer[.]cloud[.]example:443/ : /allowed/);
    expect(loaded[o].kind).toBe(OVERLAYS[o]);
  });

  it.each(Object.keys(OVERLAYS))("overlay %s: ports, probes, network policy, grace period and memory follow from its config", (overlay) => {
    const o = overlay as Overlay;
    const config = loaded[o];
    const c = containerOf(o);
    const pod = podOf(o);
    const listenPorts = config.kind === "ingress" ? config.options.listeners.map((l) => l.port) : [config.options.port];
    const adminPort = config.ops.admin?.listen.port;
    expect(adminPort).toBeDefined();
    expect(c.ports.map((p) => p.containerPort).sort()).toEqual([...listenPorts, adminPort].sort());
    expect(c.ports.find((p) => p.name === c.readinessProbe.httpGet.port)?.containerPort).toBe(adminPort);
    expect(c.ports.find((p) => p.name === c.livenessProbe.httpGet.port)?.containerPort).toBe(adminPort);
    // Listening on every address of the pod: the kubelet and the Service reach it there.
    expect(config.ops.admin?.listen.host).toBe("0.0.0.0");
    const service = specOf(o, "Service") as { ports: Array<{ targetPort: string }>; selector: Record<string, string> };
    for (const p of service.ports) expect(listenPorts).toContain(c.ports.find((cp) => cp.name === p.targetPort)?.containerPort);
    const template = (specOf(o, "Deployment").template as { metadata: { labels: Record<string, string> } }).metadata.labels;
    expect(template).toMatchObject(service.selector);

    const policy = specOf(o, "NetworkPolicy") as { ingress: PolicyRule[]; egress: PolicyRule[] };
    const ports = (rules: PolicyRule[], where: (r: PolicyRule) => boolean): number[] => [...new Set(rules.filter(where).flatMap((r) => r.ports.map((p) => p.port)))].sort();
    expect(ports(policy.ingress, () => true)).toEqual([...listenPorts, adminPort].sort());
    // Out: DNS to kube-dns, and exactly the ports the config dials: its peers' (ingress), its allow list's (peer).
    const dialled = config.kind === "ingress"
      ? [...config.options.peers.values()].map((p) => p.port)
      : config.options.allow.entries.flatMap((rule) => {
        expect(rule.ports, "an allow entry without ports cannot be matched by the NetworkPolicy").toBeDefined();
        return [...(rule.ports ?? [])];
      });
    expect(ports(policy.egress, (r) => r.to === undefined)).toEqual([...new Set(dialled)].sort());
    expect(ports(policy.egress, (r) => r.to !== undefined)).toEqual([53]);

    // preStop, then the drain delay, the grace period and the node's own deadline (a supervisor's half more).
    const nodeDoneMs = c.lifecycle.preStop.sleep.seconds * 1000 + config.drainDelayMs + config.shutdownGraceMs + HARD_EXIT_AFTER_GRACE_MS * 1.5;
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(nodeDoneMs);
    expect(config.drainDelayMs).toBeGreaterThan(0);

    const maxTunnels = config.options.limits.maxTunnels;
    expect(mebibytes(c.resources.limits.memory ?? "")).toBeGreaterThanOrEqual(IDLE_MIB + MIB_PER_TUNNEL * maxTunnels);
    expect(mebibytes(c.resources.requests.memory ?? "")).toBeGreaterThanOrEqual(IDLE_MIB);
  });

  it.each(Object.keys(OVERLAYS))("overlay %s runs the Dockerfile's image, user and entrypoint with flags the program takes", async (overlay) => {
    const o = overlay as Overlay;
    const dockerfile = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
    const c = containerOf(o);
    expect(c.image).toBe(`tlsbridge:${version}`);
    expect(c.command).toBeUndefined(); // the image's ENTRYPOINT is the program
    expect(dockerfile).toMatch(/^ENTRYPOINT \[.*tlsbridge/m);
    expect(dockerfile).toContain(`--uid ${podOf(o).securityContext.runAsUser} `);
    const exposed = (/^EXPOSE (.+)$/m.exec(dockerfile)?.[1] ?? "").split(" ").map(Number);
    const config = loaded[o];
    const listenPorts = config.kind === "ingress" ? config.options.listeners.map((l) => l.port) : [config.options.port];
    for (const port of listenPorts) expect(exposed).toContain(port);
    expect(dockerfile).toContain(`ENV TLSBRIDGE_ADMIN_PORT=${config.ops.admin?.listen.port}`);
    // parseArgs is strict: a flag the program does not take is a usage error (exit 2).
    const r = await runTlsbridge([...c.args, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: tlsbridge ${OVERLAYS[o]} --config FILE`);
    expect(dirname(configPathOf(o))).toBe(c.volumeMounts[0]?.mountPath);
  });

  it("the two overlays' certificates fit each other's configs", () => {
    const ingressCert = specOf("corp", "Certificate") as { dnsNames: string[]; usages: string[]; issuerRef: { name: string } };
    const peerCert = specOf("cloud", "Certificate") as { dnsNames: string[]; usages: string[]; issuerRef: { name: string } };
    expect(ingressCert.usages).toContain("client auth");
    expect(peerCert.usages).toContain("server auth");
    const ingress = loaded.corp;
    const peer = loaded.cloud;
    if (ingress.kind !== "ingress" || peer.kind !== "peer") throw new Error("overlays swapped");
    for (const p of ingress.options.peers.values()) expect(peerCert.dnsNames).toContain(p.servername);
    // The peer pins ingress names: the ingress certificate carries one it accepts.
    const pins = peer.options.ingresses ?? [];
    expect(pins.length).toBeGreaterThan(0);
    expect(ingressCert.dnsNames.some((name) => pins.some((pin) => pin.matches(name)))).toBe(true);
    for (const overlay of ["corp", "cloud"] as const) {
      expect((specOf(overlay, "Certificate").issuerRef as { name: string }).name).toBe(objectOf(overlay, "Issuer").metadata.name);
    }
  });
});
