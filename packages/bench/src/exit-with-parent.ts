// Helper processes of the benchmark (services, delay lines) must not outlive it, even when it is
// killed: stdin is not used, so they watch the parent's pid instead.

/** Exits this process soon after its parent is gone. */
export function exitWithParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.exit(0);
    }
  }, 1000).unref();
}
