// CI has no Docker engine, so this checks docker-compose.yml and the Dockerfile as far as a file can
// be checked: compose's structure, the corp/wan/cloud topology (who can reach and resolve whom), the
// pki volume and start order, and that the node configs the compose file mounts pass `tlsbridge
// check` when laid out exactly as the containers see them. `docker compose config` runs when present.
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { REPO_ROOT, runTlsbridge } from "../cli/run-tlsbridge.ts";

type Service = {
  image?: string;
  build?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  networks?: string[];
  network_mode?: string;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  read_only?: boolean;
  [key: string]: unknown;
};
type Compose = {
  name?: string;
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean } | null>;
  volumes: Record<string, unknown>;
};

const COMPOSE_FILE = join(REPO_ROOT, "docker-compose.yml");
const composeText = readFileSync(COMPOSE_FILE, "utf8");
const doc = parseDocument(composeText, { prettyErrors: true });
const compose = doc.toJS() as Compose;
const services = compose.services;
const svc = (name: string): Service => {
  const s = services[name];
  if (s === undefined) throw new Error(`docker-compose.yml has no service '${name}'`);
  return s;
};

// The compose-spec keys this file may use; a typo (`depends-on`) is silently ignored by an engine.
const SERVICE_KEYS = new Set([
  "build", "image", "entrypoint", "command", "environment", "volumes", "networks", "network_mode",
  "depends_on", "ports", "read_only", "cap_drop", "security_opt", "restart", "healthcheck",
]);
const CONDITIONS = new Set(["service_started", "service_healthy", "service_completed_successfully"]);

/** One `volumes:` entry in short syntax: `source:target[:ro]`. */
type Mount = { source: string; target: string; readOnly: boolean; bind: boolean };
function mountsOf(s: Service): Mount[] {
  return (s.volumes ?? []).map((v) => {
    const [source = "", target = "", mode] = v.split(":");
    return { source, target, readOnly: mode === "ro", bind: source.startsWith(".") || source.startsWith("/") };
  });
}

/** Services that share at least one network with `name`: the ones Docker's DNS lets it resolve. */
function neighbours(name: string): Set<string> {
  const mine = new Set(svc(name).networks ?? []);
  return new Set(Object.keys(services).filter((other) => other !== name && (services[other]?.networks ?? []).some((n) => mine.has(n))));
}

describe("docker-compose.yml: structure", () => {
  it("is valid YAML with only compose top-level keys", () => {
    expect(doc.errors.map(String)).toEqual([]);
    expect(doc.warnings.map(String)).toEqual([]);
    expect(Object.keys(compose).sort()).toEqual(["name", "networks", "services", "volumes"]);
  });

  it("uses only known service keys, and every reference resolves", () => {
    for (const [name, s] of Object.entries(services)) {
      for (const key of Object.keys(s)) expect(SERVICE_KEYS.has(key), `${name}.${key}`).toBe(true);
      expect(s.image ?? s.build, `${name} has an image or a build`).toBeDefined();
      // An unquoted `echo "a: b"` in a command parses as a mapping, not as the string it looks like.
      for (const arg of [...(s.entrypoint ?? []), ...(s.command ?? [])]) expect(typeof arg, `${name}: ${JSON.stringify(arg)}`).toBe("string");
      for (const net of s.networks ?? []) expect(Object.keys(compose.networks), `${name} network ${net}`).toContain(net);
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
        expect(CONDITIONS.has(condition), `${name} -> ${dep}: ${condition}`).toBe(true);
      }
      for (const m of mountsOf(s)) {
        expect(m.target.startsWith("/"), `${name} mount target ${m.target}`).toBe(true);
        if (m.bind) expect(existsSync(join(REPO_ROOT, m.source)), `${name} bind source ${m.source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name} volume ${m.source}`).toContain(m.source);
      }
    }
  });

  it("builds one image from this repository's Dockerfile for every tlsbridge service", () => {
    for (const name of ["pki", "service", "peer", "ingress"]) {
      expect(svc(name).build, name).toBe(".");
      expect(svc(name).image, name).toBe("tlsbridge:local");
    }
  });
});

describe("docker-compose.yml: the corp / wan / cloud topology", () => {
  it("puts client on corp, ingress on corp+wan, peer on wan+cloud, service on cloud", () => {
    expect(svc("client").networks).toEqual(["corp"]);
    expect(svc("ingress").networks?.slice().sort()).toEqual(["corp", "wan"]);
    expect(svc("peer").networks?.slice().sort()).toEqual(["cloud", "wan"]);
    expect(svc("service").networks).toEqual(["cloud"]);
    expect(svc("pki").network_mode).toBe("none");
    expect(compose.networks.cloud?.internal).toBe(true);
  });

  it("lets only the peer resolve and reach the service (so DNS happens at the peer)", () => {
    expect(neighbours("service")).toEqual(new Set(["peer"]));
    expect(neighbours("ingress").has("service")).toBe(false);
    expect(neighbours("client")).toEqual(new Set(["ingress"]));
    expect(neighbours("ingress").has("peer")).toBe(true);
  });

  it("mounts the pki volume read-write only into the one-shot pki job, read-only into the nodes", () => {
    const pkiMounts = (name: string) => mountsOf(svc(name)).filter((m) => m.source === "pki");
    expect(pkiMounts("pki")).toEqual([{ source: "pki", target: "/pki", readOnly: false, bind: false }]);
    for (const node of ["peer", "ingress"]) {
      expect(pkiMounts(node), node).toEqual([{ source: "pki", target: "/etc/tlsbridge/pki", readOnly: true, bind: false }]);
    }
    expect(pkiMounts("client")).toEqual([]);
    expect(pkiMounts("service")).toEqual([]);
    expect(svc("pki").command?.join(" ")).toMatch(/tlsbridge\.ts pki init \/pki --peer-name peer$/);
  });

  it("starts the nodes after the pki job succeeded, and the client after the chain is healthy", () => {
    for (const node of ["peer", "ingress"]) {
      expect(svc(node).depends_on?.pki, node).toEqual({ condition: "service_completed_successfully" });
    }
    for (const dep of ["ingress", "peer", "service"]) {
      expect(svc("client").depends_on?.[dep], dep).toEqual({ condition: "service_healthy" });
    }
    expect(svc("pki").restart).toBe("no");
    expect(svc("client").restart).toBe("no");
  });

  it("gives every service waited on as service_healthy a health check that can pass", () => {
    // Regression: once the image's HEALTHCHECK asked a node's admin listener (/healthz on 9901), the
    // sample service, built from the same image but no node, never became healthy, so the client
    // never ran. A tlsbridge node may use the image's check; anything else needs its own.
    const waitedOn = new Set(Object.values(services).flatMap((s) =>
      Object.entries(s.depends_on ?? {}).filter(([, d]) => d.condition === "service_healthy").map(([name]) => name)));
    expect([...waitedOn].sort()).toEqual(["ingress", "peer", "service"]);
    for (const name of waitedOn) {
      const s = svc(name);
      const runsNode = s.entrypoint === undefined && ["ingress", "peer"].includes(s.command?.[0] ?? "");
      const own = s.healthcheck as { test?: string[]; disable?: boolean } | undefined;
      if (runsNode) expect(own, name).toBeUndefined();
      else expect(own?.test?.slice(0, 1), name).toEqual(["CMD"]);
    }
    expect((svc("service").healthcheck as { test: string[] }).test.join(" ")).toContain("connect(8080");
  });

  it("has the client send the curl line through the ingress to the service by name", () => {
    const args = svc("client").command ?? [];
    expect(args.slice(-4)).toEqual(["-p", "-x", "http://ingress:8080", "http://service:8080/"]);
  });

  it("runs the nodes with read-only root filesystems and no capabilities", () => {
    for (const name of ["service", "peer", "ingress"]) {
      expect(svc(name).read_only, name).toBe(true);
      expect(svc(name).cap_drop, name).toEqual(["ALL"]);
    }
  });
});

describe("docker-compose.yml: the mounted configs pass tlsbridge check", () => {
  // A temp folder stands in for the containers' filesystem: every bind mount is copied to its
  // target and the pki volume is filled by the pki job's own command, so relative paths in the
  // configs resolve exactly as they do in a container.
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "tlsbridge-compose-"));
    const volume = join(root, "volume-pki");
    const script = svc("pki").command?.join(" ") ?? "";
    const pkiArgs = /tlsbridge\.ts (pki init .*)$/.exec(script)?.[1]?.split(/\s+/) ?? [];
    expect(pkiArgs.slice(0, 3)).toEqual(["pki", "init", "/pki"]);
    const r = await runTlsbridge(["pki", "init", volume, ...pkiArgs.slice(3)]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const name of ["peer", "ingress"]) {
      for (const m of mountsOf(svc(name))) {
        const to = join(root, name, m.target);
        await mkdir(dirname(to), { recursive: true });
        await cp(m.bind ? join(REPO_ROOT, m.source) : volume, to, { recursive: true });
      }
    }
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const configOf = (name: string): string => {
    const args = svc(name).command ?? [];
    expect(args[0]).toBe(name);
    expect(args[1]).toBe("--config");
    return join(root, name, args[2] ?? "");
  };

  it("ingress.yaml: site hq takes service:8080 to the peer by its compose name, site lab refuses it", async () => {
    const r = await runTlsbridge(["check", "--config", configOf("ingress"), "service:8080", "lab-db1:5432"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/listener 0\.0\.0\.0:8080: site hq, .*sites\/hq\.yaml \(1 rules?\)/);
    expect(r.stdout).toMatch(/listener 0\.0\.0\.0:8081: site lab, .*sites\/lab\.yaml \(1 rules?\)/);
    expect(r.stdout).toMatch(/site hq \(0\.0\.0\.0:8080\): rules\[0\] .*'service' ports 8080 -> peer cloud at peer:4443 \(servername peer\)/);
    expect(r.stdout).toMatch(/site lab \(0\.0\.0\.0:8081\): refused \(403\)/);
    expect(r.stdout).toMatch(/lab-db1:5432\n {2}site hq .*refused \(403\).*\n {2}site lab .*-> peer cloud/);
  });

  it("peer.yaml: allows service:8080 and nothing else", async () => {
    const r = await runTlsbridge(["check", "--config", configOf("peer"), "service:8080", "service:22", "peer:4443"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/service:8080: allowed by allow\[0\]/);
    expect(r.stdout).toMatch(/service:22: not allowed \(403\)/);
    expect(r.stdout).toMatch(/peer:4443: not allowed \(403\)/);
  });

  it("the peer's certificate from the pki job carries the servername the ingress verifies", async () => {
    const pem = await readFile(join(root, "peer", "/etc/tlsbridge/pki/peer.pem"));
    expect(new X509Certificate(pem).checkHost("peer")).toBe("peer");
  });

  it("each node listens where the client and the other node expect, with the admin listener the healthcheck asks", () => {
    const ingressYaml = readFileSync(join(REPO_ROOT, "deploy/compose/ingress.yaml"), "utf8");
    const peerYaml = readFileSync(join(REPO_ROOT, "deploy/compose/peer.yaml"), "utf8");
    expect(ingressYaml).toMatch(/listen: 0\.0\.0\.0:8080/);
    expect(ingressYaml).toMatch(/address: peer:4443/);
    expect(peerYaml).toMatch(/listen: 0\.0\.0\.0:4443/);
    // The image's HEALTHCHECK asks /healthz on the admin listener: both node configs must have one.
    for (const node of ["ingress", "peer"]) {
      const config = parseDocument(readFileSync(join(REPO_ROOT, "deploy", "compose", `${node}.yaml`), "utf8")).toJS() as {
        admin?: { listen?: string };
      };
      expect(config.admin?.listen, node).toBe("127.0.0.1:9901");
    }
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));

  it("is multi-stage on a Node 24 slim base, with only production dependencies", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24(-bookworm)?-slim$/m);
    expect(instructions.filter((l) => l.startsWith("FROM ")).length).toBeGreaterThanOrEqual(2);
    expect(instructions.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(instructions.some((l) => l.startsWith("COPY --from=deps /app/node_modules"))).toBe(true);
  });

  it("copies every workspace's package.json before npm ci (else npm ci fails on the lockfile)", () => {
    const workspaces = readdirSync(join(REPO_ROOT, "packages")).filter((p) => existsSync(join(REPO_ROOT, "packages", p, "package.json")));
    for (const p of workspaces) expect(instructions, p).toContain(`COPY packages/${p}/package.json packages/${p}/`);
  });

  it("runs as a non-root user, has a HEALTHCHECK, and the tlsbridge program as entrypoint", () => {
    const users = instructions.filter((l) => l.startsWith("USER "));
    expect(users.at(-1)).toMatch(/^USER tlsbridge/);
    expect(instructions.find((l) => l.startsWith("HEALTHCHECK "))).toContain("/healthz");
    expect(instructions).toContain('ENTRYPOINT ["node", "packages/cli/bin/tlsbridge.ts"]');
  });

  it(".dockerignore keeps tests, local PKI and node_modules out of the build context", () => {
    const ignore = readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8").split("\n");
    for (const entry of ["**/node_modules", "pki", "**/*.test.ts", ".git"]) expect(ignore, entry).toContain(entry);
  });
});

// `docker compose config` validates against the real compose schema without an engine, when the
// compose plugin is installed. The docker client here has no compose plugin: skipped with a reason.
const composeVersion = await promisify(execFile)("docker", ["compose", "version"]).then(
  (r) => r.stdout.trim(),
  () => undefined,
);
describe("docker compose config", () => {
  if (composeVersion === undefined) {
    console.info("skipped: `docker compose config` (no docker compose plugin on this machine)");
  }
  it.skipIf(composeVersion === undefined)("accepts docker-compose.yml", async () => {
    const r = await promisify(execFile)("docker", ["compose", "-f", COMPOSE_FILE, "config", "--quiet"], { cwd: REPO_ROOT });
    expect(r.stderr).toBe("");
  });
});
