// The three exit codes of `tlsbridge`, in one place so commands, the bin and tests agree.

/** 0 ok, 2 usage or config error (fix the command line or the file), 1 runtime failure. */
export const EXIT_CODES = {
  ok: 0,
  runtime: 1,
  usage: 2,
} as const;

/** One of the {@link EXIT_CODES} values. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
