// Watches the files a config names (to reload when a config, rule or certificate file changes).
// It watches their folders, not the files: editors and `mv`-style rotation replace a file by renaming
// over it, which a watch on the old inode would miss. Kubernetes mounts swap a `..data` symlink;
// names starting with `..` count as a change too. Changes are debounced into one call.
import { watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

/** A running watcher. */
export type FileWatcher = {
  /** Watches a new set of files (after a reload named others). */
  readonly update: (files: readonly string[]) => void;
  readonly close: () => void;
};

/** Calls `onChange` with the changed paths once no change came for `debounceMs`. */
export function watchFiles(files: readonly string[], debounceMs: number, onChange: (changed: string[]) => void): FileWatcher {
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();
  const fire = (path: string): void => {
    changed.add(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const paths = [...changed];
      changed.clear();
      onChange(paths);
    }, debounceMs);
    timer.unref();
  };
  const start = (list: readonly string[]): void => {
    const byDir = new Map<string, Set<string>>();
    for (const file of list) {
      const names = byDir.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      byDir.set(dirname(file), names);
    }
    for (const [dir, names] of byDir) {
      try {
        const watcher = watch(dir, { persistent: false }, (_type, name) => {
          const file = name === null ? undefined : String(name);
          if (file === undefined || names.has(file) || file.startsWith("..")) fire(file === undefined ? dir : `${dir}/${file}`);
        });
        watcher.on("error", () => {}); // the folder went away: SIGHUP still reloads
        watchers.push(watcher);
      } catch {
        // Unwatchable folder (gone, no permission): SIGHUP still reloads.
      }
    }
  };
  const stop = (): void => {
    for (const w of watchers) w.close();
    watchers = [];
  };
  start(files);
  return {
    update: (next) => {
      stop();
      start(next);
    },
    close: () => {
      clearTimeout(timer);
      stop();
    },
  };
}
