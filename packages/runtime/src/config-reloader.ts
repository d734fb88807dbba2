// Reloads a node's config: reads and validates every file again with the same loaders as
// at start; an invalid set is logged as config.rejected and changes nothing; a valid one is applied
// to new tunnels and logged as config.reloaded. Reloads run one at a time; requests that arrive
// during one are folded into a single follow-up reload, and a reload that would read exactly what the
// last one read is skipped (config.unchanged): one edit followed by SIGHUP is one reload (issue 9).
import { resolve } from "node:path";
import type { Logger } from "pino";
import { ConfigError, formatProblem } from "@tlsbridge/rules";
import type { ConfigProblem } from "@tlsbridge/rules";
import { logEvent } from "@tlsbridge/transport";
import { loadConfigOfRole } from "@tlsbridge/config";
import type { LoadedConfig } from "@tlsbridge/config";
import { fingerprintFiles, sameFingerprint } from "./config-fingerprint.ts";
import type { ConfigFingerprint } from "./config-fingerprint.ts";
import { summariseConfig } from "./config-summary.ts";
import { logCertificates } from "./log-certificates.ts";
import { logConfigWarnings } from "./log-config-warnings.ts";
import { restartNeeded } from "./restart-needed.ts";

/** What started a reload. */
export type ReloadTrigger = { readonly trigger: "SIGHUP" | "file" | "supervisor"; readonly files?: readonly string[] };

/** How a reload ended. */
export type ReloadResult = "applied" | "rejected" | "restart_needed";

/** Besides the result: whether the config changed, and why a rejected reload was rejected. */
export type ReloadOutcome = { readonly applied: boolean; readonly errors: readonly string[] };

/** What the reloader needs. */
export type ReloaderOptions = {
  /** The config file as given on the command line. */
  readonly path: string;
  readonly initial: LoadedConfig;
  readonly log: Logger;
  /** Applies a validated config to the running node; may throw (logged, counted as rejected). */
  readonly apply: (next: LoadedConfig) => void;
  /** Told every result (metrics, the status page): whether `current` is a new config, and a rejection's errors. */
  readonly onResult?: (result: ReloadResult, current: LoadedConfig, outcome: ReloadOutcome) => void;
  /**
   * Told, after a rejected reload, what to watch now: the running config's files and every file the
   * rejected config had a problem with (a users, rule or certificate file it named that does not
   * exist yet), so creating or fixing that file reloads. An applied reload replaces the set.
   */
  readonly onRejected?: (watch: readonly string[]) => void;
  /** Workers: the supervisor already logged certificates and warnings. */
  readonly quiet?: boolean;
  /**
   * Skip a reload when no file the last reload read has changed since it read them (the process that
   * owns the triggers: SIGHUP and the watcher both report the same edit). Workers reload whenever the
   * supervisor says.
   */
  readonly skipUnchanged?: boolean;
};

/** The reload loop of one process. */
export class ConfigReloader {
  #current: LoadedConfig;
  readonly #options: ReloaderOptions;
  #running: Promise<void> | undefined;
  #again: ReloadTrigger | undefined;
  /** The files the last reload read (or had a problem with), and their contents just before it read them. */
  #inputs: readonly string[];
  #seen: ConfigFingerprint | undefined;

  constructor(options: ReloaderOptions) {
    this.#options = options;
    this.#current = options.initial;
    this.#inputs = options.initial.files;
  }

  /** The config in force. */
  get current(): LoadedConfig {
    return this.#current;
  }

  /** Reloads now, or right after the reload in progress; resolves when done. */
  reload(trigger: ReloadTrigger): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = trigger;
      return this.#running;
    }
    this.#running = (async () => {
      let next: ReloadTrigger | undefined = trigger;
      while (next !== undefined) {
        this.#again = undefined;
        await this.#once(next);
        next = this.#again;
      }
    })().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #once(trigger: ReloadTrigger): Promise<void> {
    const { log, path } = this.#options;
    const started = performance.now();
    const context = { trigger: trigger.trigger, ...(trigger.files !== undefined ? { files: trigger.files } : {}) };
    // Taken before loading: a write after this point differs from it, so it reloads again; taken after,
    // a write between the load and the digest would pass for seen.
    const inputs = fingerprintFiles(this.#inputs);
    if (this.#options.skipUnchanged === true && this.#seen !== undefined && sameFingerprint(inputs, this.#seen)) {
      logEvent(log, "info", "config.unchanged", { ...context }, "nothing to reload: no file changed since the last reload read them");
      return;
    }
    this.#seen = inputs;
    let next: LoadedConfig;
    try {
      next = await loadConfigOfRole(this.#current.kind, path);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.#inputs = [...new Set([...this.#current.files, ...filesOfProblems(err.problems)])];
      // Watched before the line is logged, as an applied config is: whoever reacts to the line by
      // creating the file must not beat the watch.
      this.#options.onRejected?.(this.#inputs);
      logEvent(log, "error", "config.rejected", { reload: true, ...context, problems: err.problems, errors: err.problems.map(formatProblem),
      }, "reload rejected: the running config keeps serving");
      this.#options.onResult?.("rejected", this.#current, { applied: false, errors: err.problems.map(formatProblem) });
      return;
    }
    this.#inputs = next.files;
    const restart = restartNeeded(this.#current, next);
    if (restart.blocking) {
      logEvent(log, "warn", "config.restart.needed", { ...context, changes: restart.changes, applied: false },
        `reload not applied, restart the node to apply it: ${restart.changes.join("; ")}`);
      this.#options.onResult?.("restart_needed", this.#current, { applied: false, errors: [] });
      return;
    }
    try {
      this.#options.apply(next);
    } catch (err) {
      logEvent(log, "error", "config.rejected", { reload: true, ...context, err }, "reload failed: the running config keeps serving");
      this.#options.onResult?.("rejected", this.#current, { applied: false, errors: [(err as Error).message] });
      return;
    }
    const previous = this.#current;
    this.#current = next;
    if (this.#options.quiet !== true) {
      logCertificates(next, log, previous);
      logConfigWarnings(next, log);
      if (restart.changes.length > 0) {
        logEvent(log, "warn", "config.restart.needed", { ...context, changes: restart.changes, applied: true },
          `reload applied except what needs a restart: ${restart.changes.join("; ")}`);
      }
    }
    logEvent(log, "info", "config.reloaded", { ...context, durationMs: Math.round(performance.now() - started), ...summariseConfig(next),
    }, "config reloaded: new tunnels use it, open tunnels are untouched");
    this.#options.onResult?.(restart.changes.length > 0 ? "restart_needed" : "applied", next, { applied: true, errors: [] });
  }
}

/** Absolute paths of the files problems are in or about (a problem's `file` is shown relative to the working directory). */
export function filesOfProblems(problems: readonly ConfigProblem[]): string[] {
  return problems.flatMap((p) => (p.namedFile === undefined ? [resolve(p.file)] : [resolve(p.file), p.namedFile]));
}
