// The SNI front door: no proxy protocol at all. The client speaks TLS straight to the ingress (its
// name resolves here); the ClientHello's server_name, with the listener's target port, is the
// target, and the hello goes to the service unchanged, so the client's TLS runs end to end and the
// ingress never holds a key for it. With ECH the outer (public) name is what routes.
// A refusal is a fatal TLS alert (RFC 8446 §6), or a plain close when the client is not TLS.
import type net from "node:net";
import { answerAndClose, ReadUntilError } from "@tlsbridge/transport";
import {
  ClientHelloReader, formatTlsAlert, headerValues, lastProxyStatusMember, parseTarget, TLS_HANDSHAKE_RECORD,
  tlsAlertForError, tlsAlertForProxyStatus, TunnelError,
} from "@tlsbridge/wire";
import type { FrontDoor } from "./front-door.ts";
import { readWithinDeadline } from "./read-within-deadline.ts";

const EMPTY = Buffer.alloc(0);

/** The SNI door for one client of a listener that dials routed names on `targetPort`. */
export function sniFrontDoor(client: net.Socket, targetPort: number): FrontDoor {
  // Whether the client's first byte opened a TLS handshake record: only then is an alert understood.
  let speaksTls = false;
  const close = (alert: number): void => answerAndClose(client, speaksTls ? formatTlsAlert(alert) : EMPTY);
  return {
    readRequest: async ({ limits }) => {
      const reader = new ClientHelloReader(limits.maxHeadBytes);
      const hello = await readWithinDeadline(client, (chunk) => {
        speaksTls ||= chunk[0] === TLS_HANDSHAKE_RECORD;
        return reader.push(chunk);
      }, performance.now() + limits.headTimeoutMs).catch((err: unknown) => {
        if (err instanceof ReadUntilError && err.reason === "closed" && err.bytesRead > 0) {
          throw new TunnelError("TLSB_ERR_BAD_HELLO", `bad TLS ClientHello: truncated (the client stopped after ${err.bytesRead} bytes)`, {
            cause: err, details: "truncated",
          });
        }
        throw err;
      });
      if (hello.serverName === undefined) {
        throw new TunnelError("TLSB_ERR_NO_SNI", "the ClientHello names no server (no server_name extension)", {
          details: "no server_name in the ClientHello",
        });
      }
      return { target: parseTarget(`${hello.serverName}:${targetPort}`), earlyData: hello.bytes, via: [] };
    },
    answerOpen: (tunnelStart) => {
      if (tunnelStart.length > 0) client.write(tunnelStart);
    },
    answerRefusal: (refusal) => close(tlsAlertForError(refusal.code)),
    answerRelayed: (response) => close(tlsAlertForProxyStatus(lastProxyStatusMember(headerValues(response.headers, "proxy-status"))?.error)),
  };
}
