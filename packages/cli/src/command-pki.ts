// `tlsbridge pki init DIR`: a private CA plus the peer's server and the ingress's client
// certificates, written as files, with a list of what was written and what to keep secret.
// `tlsbridge pki issue DIR`: one more node certificate from that CA, the other files untouched.
import { displayPath } from "@tlsbridge/config";
import { EXIT_CODES } from "@tlsbridge/runtime";
import type { ExitCode } from "@tlsbridge/runtime";
import { initPki, issueNodeCert } from "./pki/index.ts";
import type { InitPkiOptions, IssueNodeOptions } from "./pki/index.ts";

/** Runs `pki init`; PkiError propagates (main maps its code to an exit code). */
export async function runPkiInit(dir: string, options: InitPkiOptions, out: (line: string) => void): Promise<ExitCode> {
  const files = await initPki(dir, options);
  out(`wrote ${displayPath(files.dir)}/:`);
  const rows: Array<[string, string]> = [
    [files.ca, "CA certificate (both nodes trust it: tls.ca)"],
    [files.caKey, "CA private key (signs new certificates; keep it off the nodes)"],
    [files.peer, "peer server certificate (peer.yaml tls.cert)"],
    [files.peerKey, "peer private key (peer.yaml tls.key)"],
    [files.ingress, "ingress client certificate (ingress.yaml tls.cert)"],
    [files.ingressKey, "ingress private key (ingress.yaml tls.key)"],
  ];
  for (const [path, what] of rows) out(`  ${displayPath(path)}  ${what}`);
  return EXIT_CODES.ok;
}

/** Runs `pki issue`; PkiError propagates (main maps its code to an exit code). */
export async function runPkiIssue(dir: string, options: IssueNodeOptions, out: (line: string) => void): Promise<ExitCode> {
  const files = await issueNodeCert(dir, options);
  const what = options.role === "peer" ? "peer server certificate (peer.yaml tls.cert)" : "ingress client certificate (ingress.yaml tls.cert)";
  out(`wrote, signed by ${displayPath(dir)}/ca.pem:`);
  out(`  ${displayPath(files.cert)}  ${what}`);
  out(`  ${displayPath(files.key)}  its private key (tls.key)`);
  return EXIT_CODES.ok;
}
