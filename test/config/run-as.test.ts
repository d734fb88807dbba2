// `user:`/`group:` in a node config: resolved through the system's user database at load, every
// mistake a problem at its line (a typo, root, a group without a user, a port below 1024 that
// workers running as that user could not bind).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, formatProblem } from "@tlsbridge/rules";
import { loadPeerConfig } from "@tlsbridge/config";
import { writeTestPki } from "../helpers/pki.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tlsbridge-run-as-"));
  await writeTestPki(join(dir, "pki"));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

/** Loads a peer config listening on `listen`, with `extra` lines; the problems as `file:line:col: message`. */
async function load(extra: readonly string[], listen = "127.0.0.1:4443"): Promise<{ runAs?: unknown; errors?: string[] }> {
  const file = join(dir, "peer.yaml");
  await writeFile(file, [`listen: ${listen}`, "tls: { ca: pki/ca.pem, cert: pki/peer.pem, key: pki/peer-key.pem }", "allow: []", ...extra, ""].join("\n"));
  try {
    return { runAs: (await loadPeerConfig(file)).runAs };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { errors: err.problems.map((p) => formatProblem(p).replace(`${file}:`, "peer.yaml:")) };
  }
}

describe("user and group in a node config", () => {
  it("resolves the user and its primary group, or the group named", async () => {
    expect(await load(["user: nobody"])).toEqual({ runAs: { user: "nobody", uid: 65534, group: "nogroup", gid: 65534 } });
    expect(await load(["user: nobody", "group: daemon"])).toEqual({ runAs: { user: "nobody", uid: 65534, group: "daemon", gid: 1 } });
    expect(await load([])).toEqual({ runAs: undefined });
  });

  it("names the line of each mistake", async () => {
    expect((await load(["user: nosuchuser-tlsbridge"])).errors).toEqual([
      "peer.yaml:4:7: no user 'nosuchuser-tlsbridge' on this system (getent passwd nosuchuser-tlsbridge found none)",
    ]);
    expect((await load(["user: root"])).errors).toEqual(["peer.yaml:4:7: user 'root' is root: name an unprivileged user such as nobody or tlsbridge"]);
    expect((await load(["group: nogroup"])).errors).toEqual(["peer.yaml:4:8: 'group' needs 'user' (the user the node switches to)"]);
    expect((await load(["user: nobody", "group: nosuchgroup-tlsbridge"])).errors).toEqual([
      "peer.yaml:5:8: no group 'nosuchgroup-tlsbridge' on this system (getent group nosuchgroup-tlsbridge found none)",
    ]);
  });

  it("refuses a port below 1024 when workers would have to bind it as the user", async () => {
    expect((await load(["user: nobody", "workers: 2"], "127.0.0.1:443")).errors).toEqual([
      "peer.yaml:4:7: with workers: 2 every worker runs as 'nobody' and cannot bind port 443 (below 1024): " +
        "use workers: 1, a port from 1024, or run as that user with CAP_NET_BIND_SERVICE (deploy/systemd)",
    ]);
    expect((await load(["user: nobody"], "127.0.0.1:443")).runAs).toMatchObject({ user: "nobody" });
    expect((await load(["user: nobody", "workers: 2"], "127.0.0.1:4443")).runAs).toMatchObject({ user: "nobody" });
  });
});
