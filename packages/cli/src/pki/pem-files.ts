// Writing a set of PEM files the way every pki command does: refuse before writing anything when
// one exists (unless `force`), keys mode 0600, certificates 0644, and a file that appears meanwhile
// is never overwritten (write-pem-file.ts).
import { access } from "node:fs/promises";
import { PKI_ERROR_CODES, PkiError } from "./pki-error.ts";
import { writePemFile } from "./write-pem-file.ts";

/** One file to write: a certificate (0644) or a private key (0600). */
export type PemFile = { readonly path: string; readonly text: string; readonly kind: "cert" | "key" };

const MODES = { cert: 0o644, key: 0o600 } as const;

/** Throws PkiError TLSB_ERR_PKI_EXISTS naming every path of `paths` that exists. */
export async function refuseExisting(paths: readonly string[]): Promise<void> {
  const existing = (await Promise.all(paths.map(async (path) => ((await exists(path)) ? path : undefined))))
    .filter((path): path is string => path !== undefined);
  if (existing.length > 0) {
    throw new PkiError(PKI_ERROR_CODES.exists,
      `refusing to overwrite existing PKI files (use --force to replace them): ${existing.join(", ")}`, { paths: existing });
  }
}

/** Writes `files` in order; with `force` each replaces what is there, without it none does. */
export async function writePemFiles(files: readonly PemFile[], force: boolean, command: string): Promise<void> {
  for (const { path, text, kind } of files) {
    try {
      await writePemFile(path, text, MODES[kind], force);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") {
        throw new PkiError(PKI_ERROR_CODES.exists, `refusing to overwrite ${path}, created while ${command} ran`, { cause: err, paths: [path] });
      }
      throw err;
    }
  }
}

/** Whether `path` exists (errors other than ENOENT propagate). */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}
