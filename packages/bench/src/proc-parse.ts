// Parsers for the two /proc files the benchmark reads about the system under test: `stat` for
// CPU ticks and parent pid, `smaps_rollup` for PSS. Pure text in, numbers out (proc(5)).

/** What the benchmark needs from /proc/<pid>/stat. Times are in clock ticks (CLK_TCK). */
export type ProcStat = {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** utime + stime: CPU this process used itself. */
  ownTicks: number;
  /** cutime + cstime: CPU of children this process has waited for. */
  childTicks: number;
};

/**
 * Parses /proc/<pid>/stat. The comm field (2) is in parentheses and may itself hold spaces or
 * parentheses, so the fields are split after the last ')'.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`malformed /proc stat: ${text.slice(0, 80)}`);
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // Fields from 3 (state) on; index 0 here is field 3.
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const field = (n: number): number => {
    const v = Number(rest[n - 3]);
    if (!Number.isFinite(v)) throw new Error(`malformed /proc stat field ${n}: ${text.slice(0, 80)}`);
    return v;
  };
  return {
    pid,
    comm,
    state: rest[0] ?? "?",
    ppid: field(4),
    ownTicks: field(14) + field(15),
    childTicks: field(16) + field(17),
  };
}

/** Reads the `Pss:` line of /proc/<pid>/smaps_rollup, in KiB. */
export function parsePssKiB(text: string): number {
  const m = /^Pss:\s+(\d+)\s+kB$/m.exec(text);
  if (!m) throw new Error("no Pss line in smaps_rollup");
  return Number(m[1]);
}
