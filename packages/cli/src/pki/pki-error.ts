// Errors from certificate issuing, `pki init` and `pki issue`, with stable codes so the cli can tell a refusal
// to overwrite (ask for --force) from a bad option (fix the command line) without reading messages.

/** Stable codes of {@link PkiError}. Codes never change; messages may. */
export const PKI_ERROR_CODES = {
  /** `initPki` found files it would overwrite and `force` was not set. */
  exists: "TLSB_ERR_PKI_EXISTS",
  /** A subject alternative name is neither an IP address nor a plausible DNS name. */
  badName: "TLSB_ERR_PKI_BAD_NAME",
  /** `pki issue` found no usable CA in the directory (missing, unreadable, or key and certificate do not match). */
  noCa: "TLSB_ERR_PKI_NO_CA",
  /** `pki issue --out` is not a plain file name, or names the CA's own files. */
  badFileName: "TLSB_ERR_PKI_BAD_FILE_NAME",
  /** notAfter is not after notBefore, or a validity length is not a positive number. */
  badValidity: "TLSB_ERR_PKI_BAD_VALIDITY",
} as const;

/** One of the {@link PKI_ERROR_CODES} values. */
export type PkiErrorCode = (typeof PKI_ERROR_CODES)[keyof typeof PKI_ERROR_CODES];

/** A certificate could not be issued or written; match on `code`, never on the message. */
export class PkiError extends Error {
  readonly code: PkiErrorCode;
  /** Files involved, for TLSB_ERR_PKI_EXISTS. */
  readonly paths: readonly string[];

  constructor(code: PkiErrorCode, message: string, options?: { cause?: unknown; paths?: readonly string[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PkiError";
    this.code = code;
    this.paths = options?.paths ?? [];
  }
}
