// Hosts are compared in one canonical form so `API.Example.` and `api.example` route the same way.

/**
 * Lowercases a host and strips one trailing root dot (`example.com.` -> `example.com`). A host ending
 * in `..` is left as is: it is malformed, and collapsing it would match a rule for a different name
 * than the one the peer will dial. Idempotent.
 */
export function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  if (lower.endsWith(".") && !lower.endsWith("..")) return lower.slice(0, -1);
  return lower;
}
