// A bad command line: the program prints one line plus a hint to `--help` and exits 2, never a stack.

/** Thrown for unknown commands, bad options or bad arguments. Match on `code`. */
export class UsageError extends Error {
  readonly code = "TLSB_ERR_USAGE";
  /** The command whose `--help` the hint points to (`check`, `pki init`), if any. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}
