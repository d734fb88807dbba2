// Entry of the cli's PKI module: certificates for `tlsbridge pki init` / `pki issue` and for tests, made
// in-process with @peculiar/x509 on Node's WebCrypto. Re-exported by the cli's src/index.ts.
export { issueCa, CA_VALIDITY_DAYS } from "./issue-ca.ts";
export type { CaOptions } from "./issue-ca.ts";
export { issueLeafCert, issuePeerCert, issueIngressCert, LEAF_VALIDITY_DAYS } from "./issue-leaf.ts";
export type { LeafOptions, LeafUsage } from "./issue-leaf.ts";
export type { IssuedCertificate } from "./issued-certificate.ts";
export type { ValidityOptions } from "./validity.ts";
export { initPki, DEFAULT_PEER_NAMES, DEFAULT_INGRESS_NAME, PKI_FILE_NAMES } from "./init-pki.ts";
export type { InitPkiOptions, PkiFiles } from "./init-pki.ts";
export { issueNodeCert } from "./issue-node-cert.ts";
export type { IssueNodeOptions, NodeCertFiles } from "./issue-node-cert.ts";
export { PkiError, PKI_ERROR_CODES } from "./pki-error.ts";
export type { PkiErrorCode } from "./pki-error.ts";
