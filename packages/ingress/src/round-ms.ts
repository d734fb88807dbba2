// Durations in log lines: milliseconds to one decimal, enough to read and cheap to store.

/** `ms` rounded to a tenth. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
