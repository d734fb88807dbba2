// Started as root with `user:` in its config, a node reads its keys and binds its listeners (ports
// below 1024 included) as root, then switches to that user and group for good before it serves
// (issue 12): supplementary groups (only the group) first, then the group, then the user (after setuid no other
// change is allowed). Without `user:`, a node running as root says so in a warning.
import { accessSync, constants } from "node:fs";
import type { Logger } from "pino";
import { logEvent } from "@tlsbridge/transport";
import type { LoadedConfig } from "@tlsbridge/config";

/** The process could not become the configured user (not started as root, or as another user). */
export class PrivilegeDropError extends Error {
  readonly code = "TLSB_ERR_PRIVILEGE_DROP";
}

/**
 * Switches this process to `loaded.runAs` (no-op when it already runs as it) and logs
 * `privileges.dropped` with the files a reload could no longer read; logs `privileges.root` when
 * root runs without `user:`. Throws PrivilegeDropError when the switch is impossible.
 */
export function dropPrivileges(loaded: LoadedConfig, log: Logger): void {
  const runAs = loaded.runAs;
  const uid = process.getuid?.();
  if (runAs === undefined) {
    if (uid === 0) {
      logEvent(log, "warn", "privileges.root", { config: loaded.file },
        "running as root: set `user:` in the config to switch to an unprivileged user once the listeners are bound");
    }
    return;
  }
  if (uid === runAs.uid && process.getgid?.() === runAs.gid) return;
  if (uid !== 0) {
    throw new PrivilegeDropError(`user: ${runAs.user} needs the node started as root or as ${runAs.user} (it runs as uid ${String(uid)})`);
  }
  process.setgroups?.([runAs.gid]); // no supplementary group of root stays
  process.setgid?.(runAs.gid);
  process.setuid?.(runAs.uid);
  logEvent(log, "info", "privileges.dropped", { user: runAs.user, uid: runAs.uid, group: runAs.group, gid: runAs.gid,
    unreadable: unreadable(loaded.files),
  }, `running as ${runAs.user}:${runAs.group} from now on`);
}

/** Files the process can no longer read: a reload that needs them will be rejected. */
export function unreadable(files: readonly string[]): string[] {
  return files.filter((file) => {
    try {
      accessSync(file, constants.R_OK);
      return false;
    } catch {
      return true;
    }
  });
}
