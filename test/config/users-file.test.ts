// The proxy users file and the config keys that name it (`auth: { users }` on an ingress listener)
// or pin ingress names (`ingresses:` at the peer): every problem at its file:line:column, nothing of
// a hash echoed, and the users file among the files a reload watches.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatPasswordHash, hashPassword } from "@tlsbridge/ingress";
import type { ConfigProblem } from "@tlsbridge/rules";
import { ConfigError } from "@tlsbridge/rules";
import { loadIngressConfig, loadPeerConfig, parseUsersText } from "@tlsbridge/config";
import { initPki } from "../../packages/cli/src/pki/index.ts";

let base: string;
let good: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "tlsbridge-users-file-"));
  await initPki(join(base, "pki"));
  await mkdir(join(base, "etc", "sites"), { recursive: true });
  await writeFile(join(base, "etc", "sites", "hq.yaml"), "rules:\n  - match: '.*'\n    peer: east\n");
  good = formatPasswordHash(await hashPassword("pw", { ln: 14, r: 8, p: 1 }));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function ingressWithUsers(users: string): Promise<string> {
  await writeFile(join(base, "etc", "sites", "hq-users.htpasswd"), users);
  const path = join(base, "etc", "ingress.yaml");
  await writeFile(path, "listeners:\n  - listen: 127.0.0.1:0\n    rules: sites/hq.yaml\n    auth: { users: sites/hq-users.htpasswd }\n" +
    "peers:\n  east: { address: 'peer.example:4443' }\ntls: { ca: ../pki/ca.pem, cert: ../pki/ingress.pem, key: ../pki/ingress-key.pem }\n");
  return path;
}

async function problemsOf(load: Promise<unknown>): Promise<string[]> {
  const err = await load.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).message.split("\n");
}

describe("users file", () => {
  it("parses user:hash lines, skipping comments and blank lines", () => {
    const problems: ConfigProblem[] = [];
    const users = parseUsersText(`# site hq\n\nalice:${good}\r\n  bob:${good}  \n`, "u", problems);
    expect(problems).toEqual([]);
    expect([...users.keys()]).toEqual(["alice", "bob"]);
  });

  it("reports each bad line at its line and column, never echoing a hash", () => {
    const problems: ConfigProblem[] = [];
    parseUsersText(`alice:${good}\nno colon here\nbob:$2y$10$secretbcrypthash\nalice:${good}\n:${good}\n`, "u.htpasswd", problems);
    expect(problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual([
      "2:1: expected `user:hash` (make a line with `tlsbridge auth add FILE USER`)",
      "3:5: user bob: expected a scrypt hash `$scrypt$ln=N,r=R,p=P$SALT$HASH` (make one with `tlsbridge auth hash`)",
      "4:1: duplicate user alice (already at line 1)",
      '5:1: expected a user name (no \':\', whitespace or control characters; up to 128), got ""',
    ]);
    expect(JSON.stringify(problems)).not.toContain("secretbcrypthash");
  });

  it("a listener's auth loads the users into the options and the file into the watched files", async () => {
    const loaded = await loadIngressConfig(await ingressWithUsers(`alice:${good}\n`));
    expect([...(loaded.options.listeners[0]?.auth?.users.keys() ?? [])]).toEqual(["alice"]);
    expect(loaded.files).toContain(join(base, "etc", "sites", "hq-users.htpasswd"));
  });

  it("a bad users file line fails the ingress config with file:line:column", async () => {
    const lines = await problemsOf(loadIngressConfig(await ingressWithUsers(`alice:${good}\nbob:not-a-hash\n`)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/sites\/hq-users\.htpasswd:2:5: user bob: expected a scrypt hash/);
  });

  it("a missing users file is a problem at the `users` value", async () => {
    const path = join(base, "etc", "missing-users.yaml");
    await writeFile(path, "listeners:\n  - listen: 127.0.0.1:0\n    rules: sites/hq.yaml\n    auth: { users: nope.htpasswd }\n" +
      "peers:\n  east: { address: 'peer.example:4443' }\ntls: { ca: ../pki/ca.pem, cert: ../pki/ingress.pem, key: ../pki/ingress-key.pem }\n");
    const lines = await problemsOf(loadIngressConfig(path));
    expect(lines).toEqual([expect.stringMatching(/missing-users\.yaml:4:20: cannot read users file .*nope\.htpasswd: no such file$/)]);
  });
});

describe("peer `ingresses:`", () => {
  const peerYaml = (ingresses: string): string =>
    `listen: 127.0.0.1:0\ntls: { ca: ../pki/ca.pem, cert: ../pki/peer.pem, key: ../pki/peer-key.pem }\nallow: []\n${ingresses}`;

  it("compiles anchored patterns; absent means any certificate from the CA", async () => {
    const path = join(base, "etc", "peer.yaml");
    await writeFile(path, peerYaml("ingresses:\n  - 'ingress[.]corp[.]example'\n"));
    const pinned = (await loadPeerConfig(path)).options.ingresses ?? [];
    expect(pinned.map((p) => p.matches("ingress.corp.example"))).toEqual([true]);
    expect(pinned.map((p) => p.matches("ingress.corp.example.evil.test"))).toEqual([false]);
    await writeFile(path, peerYaml(""));
    expect((await loadPeerConfig(path)).options.ingresses).toBeUndefined();
  });

  it("a bad regex or an empty list is a problem at its line and column", async () => {
    const path = join(base, "etc", "peer-bad.yaml");
    await writeFile(path, peerYaml("ingresses:\n  - 'ok[.]example'\n  - '(a'\n  - 'x(?=y)'\n"));
    const lines = await problemsOf(loadPeerConfig(path));
    expect(lines[0]).toMatch(/peer-bad\.yaml:6:5: invalid regular expression: missing closing \)/);
    expect(lines[1]).toMatch(/peer-bad\.yaml:7:5: lookahead `\(\?=` is not supported/);
    await writeFile(path, peerYaml("ingresses: []\n"));
    expect((await problemsOf(loadPeerConfig(path)))[0]).toMatch(/peer-bad\.yaml:4:12: an empty `ingresses` list would refuse every ingress/);
  });
});
