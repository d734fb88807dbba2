// Which certificate a peer presents to an ingress right now: the reload tests' proof that a
// rotated certificate is in force.
import tls from "node:tls";
import { testPki } from "./pki.ts";

/** The SHA-256 fingerprint of the certificate the peer on `port` presents, verified against `cas`. */
export async function presentedFingerprint(port: number, cas: readonly string[]): Promise<string> {
  const pki = await testPki();
  const socket = tls.connect({
    host: "127.0.0.1", port, servername: "localhost", ca: [...cas], cert: pki.ingress.cert, key: pki.ingress.key, minVersion: "TLSv1.3",
  });
  await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
  const fingerprint = socket.getPeerX509Certificate()?.fingerprint256 ?? "";
  socket.destroy();
  return fingerprint;
}
