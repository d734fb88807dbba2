// Certificate lifetimes: sensible defaults for `pki init`, exact dates for tests that need an expired
// or not-yet-valid certificate, and one check that the window is not empty.
import { PKI_ERROR_CODES, PkiError } from "./pki-error.ts";

/** When a certificate is valid. Exact dates win over `validityDays`. */
export interface ValidityOptions {
  /** Start of validity. Default: five minutes ago, so a peer whose clock runs behind still accepts it. */
  notBefore?: Date;
  /** End of validity. Default: `validityDays` after notBefore. */
  notAfter?: Date;
  /** Lifetime in days when `notAfter` is not given. */
  validityDays?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Resolves options to whole-second dates (X.509 times have no fractions) and checks the window. */
export function resolveValidity(options: ValidityOptions, defaultDays: number): { notBefore: Date; notAfter: Date } {
  const days = options.validityDays ?? defaultDays;
  if (!Number.isFinite(days) || days <= 0) {
    throw new PkiError(PKI_ERROR_CODES.badValidity, `validityDays must be a positive number, got ${days}`);
  }
  const notBefore = wholeSeconds(options.notBefore ?? new Date(Date.now() - CLOCK_SKEW_MS));
  const notAfter = wholeSeconds(options.notAfter ?? new Date(notBefore.getTime() + days * DAY_MS));
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime()) || notAfter <= notBefore) {
    throw new PkiError(
      PKI_ERROR_CODES.badValidity,
      `notAfter (${show(notAfter)}) must be after notBefore (${show(notBefore)})`,
    );
  }
  return { notBefore, notAfter };
}

function show(date: Date): string {
  return Number.isNaN(date.getTime()) ? "invalid date" : date.toISOString();
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
