// The one place @peculiar/x509 is loaded: after the reflect-metadata polyfill its tsyringe needs, with Node's own
// WebCrypto as its provider, so keys are made and certificates signed in-process by OpenSSL.
// Every other pki file imports `x509` from here, never from the package, to keep that order.
import type { webcrypto as nodeWebcrypto } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

/** Node's WebCrypto (`globalThis.crypto`), registered as @peculiar/x509's provider on import. */
export const webcrypto: nodeWebcrypto.Crypto = globalThis.crypto;
x509.cryptoProvider.set(webcrypto);

export { x509 };

/** Every key we make: ECDSA on P-256 (small, fast, accepted by every TLS 1.3 stack). */
export const KEY_ALGORITHM: nodeWebcrypto.EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };

/** Every signature we make: ECDSA with SHA-256, the natural pair for P-256. */
export const SIGNING_ALGORITHM: nodeWebcrypto.EcdsaParams = { name: "ECDSA", hash: "SHA-256" };
