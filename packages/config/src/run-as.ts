// `user:` and `group:` in a node's config: whom the node becomes once, started as root, it has read
// its keys and bound its listeners (issue 12). Names are resolved here through the system's user
// database (`getent`, so NSS sources count), so a typo is a config error at its line, not a failed start.
import { execFileSync } from "node:child_process";
import { addProblem, expectString, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, YamlFields, YamlSource } from "@tlsbridge/rules";

/** Top-level keys this file reads. */
export const RUN_AS_KEYS = ["user", "group"] as const;

/** The unprivileged identity a node started as root switches to. */
export type RunAs = { readonly user: string; readonly uid: number; readonly group: string; readonly gid: number };

/** Ports below this need root (or CAP_NET_BIND_SERVICE) to bind. */
const FIRST_UNPRIVILEGED_PORT = 1024;

/** One `getent` entry split on ':' (name, password, id, ...), or undefined when the database has none. */
function lookUp(database: "passwd" | "group", key: string): string[] | undefined {
  try {
    return execFileSync("getent", [database, key], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim().split(":");
  } catch {
    return undefined;
  }
}

/** Reads `user` and `group`; undefined when `user` is absent (the node keeps who started it). */
export function parseRunAs(top: YamlFields, source: YamlSource, problems: ConfigProblem[]): RunAs | undefined {
  if (!top.values.has("user")) {
    if (top.values.has("group")) {
      addProblem(resolveNode(top.values.get("group"), source), source, problems, "'group' needs 'user' (the user the node switches to)");
    }
    return undefined;
  }
  const userNode = resolveNode(top.values.get("user"), source);
  const name = expectString(userNode, source, problems, { nonEmpty: true });
  if (name === undefined) return undefined;
  const account = lookUp("passwd", name);
  if (account === undefined) {
    addProblem(userNode, source, problems, `no user '${name}' on this system (getent passwd ${name} found none)`);
    return undefined;
  }
  const uid = Number(account[2]);
  if (uid === 0) {
    addProblem(userNode, source, problems, `user '${name}' is root: name an unprivileged user such as nobody or tlsbridge`);
    return undefined;
  }
  let gid = Number(account[3]);
  if (top.values.has("group")) {
    const groupNode = resolveNode(top.values.get("group"), source);
    const groupName = expectString(groupNode, source, problems, { nonEmpty: true });
    if (groupName === undefined) return undefined;
    const group = lookUp("group", groupName);
    if (group === undefined) {
      addProblem(groupNode, source, problems, `no group '${groupName}' on this system (getent group ${groupName} found none)`);
      return undefined;
    }
    gid = Number(group[2]);
    if (gid === 0) {
      addProblem(groupNode, source, problems, `group '${groupName}' is root's group: name an unprivileged group`);
      return undefined;
    }
  }
  return { user: account[0] ?? name, uid, group: lookUp("group", String(gid))?.[0] ?? String(gid), gid };
}

/**
 * With `workers` above 1 the supervisor switches user before it starts the workers, so they bind as
 * that user: a port below 1024 cannot work (and a replacement worker could not bind it later).
 */
export function checkWorkersCanBind(
  top: YamlFields,
  runAs: RunAs | undefined,
  workers: number,
  ports: readonly number[],
  source: YamlSource,
  problems: ConfigProblem[],
): void {
  if (runAs === undefined || workers <= 1) return;
  const low = ports.filter((p) => p > 0 && p < FIRST_UNPRIVILEGED_PORT);
  if (low.length === 0) return;
  addProblem(resolveNode(top.values.get("user"), source), source, problems,
    `with workers: ${workers} every worker runs as '${runAs.user}' and cannot bind port ${low.join(", ")} (below ${FIRST_UNPRIVILEGED_PORT}): ` +
    "use workers: 1, a port from 1024, or run as that user with CAP_NET_BIND_SERVICE (deploy/systemd)");
}
