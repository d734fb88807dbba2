// SPIFFE IDs (`spiffe://trust-domain/path`) for a certificate's URI SAN, checked against the
// SPIFFE ID standard (§2): lowercase trust domain of letters, digits, `.`, `-`, `_`; path segments
// of letters, digits, `.`, `-`, `_`, none empty, `.` or `..`; no query, fragment, port or user.
import { PKI_ERROR_CODES, PkiError } from "./pki-error.ts";

const SPIFFE_ID = /^spiffe:\/\/([a-z0-9._-]+)((?:\/[A-Za-z0-9._-]+)*)$/;

/** Returns `id` when it is a valid SPIFFE ID; throws PkiError TLSB_ERR_PKI_BAD_NAME otherwise. */
export function checkSpiffeId(id: string): string {
  const m = SPIFFE_ID.exec(id);
  const segments = (m?.[2] ?? "").split("/").slice(1);
  if (m === null || id.length > 2048 || segments.some((s) => s === "." || s === "..")) {
    throw new PkiError(PKI_ERROR_CODES.badName,
      `not a SPIFFE ID: ${JSON.stringify(id)} (expected spiffe://trust-domain/path, lowercase trust domain, path segments of letters, digits, '.', '-', '_')`);
  }
  return id;
}
