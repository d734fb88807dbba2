// The config's history as the status page shows it: a generation that goes up on every applied
// reload, when the config in force was loaded, and the last rejected reload with its errors.
import type { ReloadOutcome, ReloadResult } from "./config-reloader.ts";

/** The last rejected reload. */
export type RejectedReload = { readonly time: string; readonly errors: readonly string[] };

/** The config history of one node, as `/status` shows it under `config`. */
export type ConfigHistoryView = {
  /** 1 at start, one more on every applied reload. */
  readonly generation: number;
  /** When the config in force was loaded (start or the last applied reload). */
  readonly loadedAt: string;
  /** When the last reload ran and how it ended (`applied`, `rejected`, `restart_needed`); absent before the first. */
  readonly lastReload?: { readonly time: string; readonly result: string };
  readonly lastRejectedReload?: RejectedReload;
};

/** Counts applied reloads and remembers the last rejected one. */
export class ConfigHistory {
  #generation = 1;
  #loadedAt = new Date().toISOString();
  #lastReload: { time: string; result: string } | undefined;
  #lastRejected: RejectedReload | undefined;

  /** Records a reload's result: `applied` when a new config is in force (also when part of it waits for a restart). */
  record(result: ReloadResult, outcome: ReloadOutcome): void {
    const time = new Date().toISOString();
    this.#lastReload = { time, result };
    if (result === "rejected") this.#lastRejected = { time, errors: [...outcome.errors] };
    if (outcome.applied) {
      this.#generation += 1;
      this.#loadedAt = time;
    }
  }

  view(): ConfigHistoryView {
    return {
      generation: this.#generation,
      loadedAt: this.#loadedAt,
      ...(this.#lastReload !== undefined ? { lastReload: this.#lastReload } : {}),
      ...(this.#lastRejected !== undefined ? { lastRejectedReload: this.#lastRejected } : {}),
    };
  }
}
