// Whose listener answers on a port. A system under test counts as started once the process the
// bench launched (or a child of it) listens on its ports, not when anything answers there: a free
// port picked for it can be taken by another program before it binds (a loopback run once lost a
// round that way: its smoke test talked to a stranger). Linux /proc only; elsewhere nothing is checked.
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { processTree } from "./proc-sample.ts";

const LISTEN = "0A";

/** Inodes of the TCP sockets listening on `port` in the network namespace `pid` runs in. */
function listeningInodes(pid: number, port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ["tcp", "tcp6"]) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const local = fields[1]?.split(":")[1];
      if (fields[3] === LISTEN && local !== undefined && Number.parseInt(local, 16) === port && fields[9] !== undefined) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** Whether `root` or one of its descendants holds a socket listening on TCP `port`; true when /proc cannot tell. */
export function listensOn(root: number, port: number): boolean {
  if (!existsSync(`/proc/${root}/net/tcp`)) return true;
  const inodes = listeningInodes(root, port);
  if (inodes.size === 0) return false; // nobody listens yet: no need to walk the process tree's descriptors
  for (const { pid } of processTree([root])) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined && inodes.has(inode)) return true;
    }
  }
  return false;
}
