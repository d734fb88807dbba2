// The HTTP CONNECT front door (plain, or TLS on an HTTPS-proxy listener): the request is a CONNECT
// head, credentials come in Proxy-Authorization, and answers are HTTP responses with Proxy-Status.
import type net from "node:net";
import { answerAndClose } from "@tlsbridge/transport";
import {
  formatConnectEstablished, formatErrorResponse, formatRelayedResponse, HeadReader, headerValues, parseConnectRequest,
  TunnelError, viaIncludes,
} from "@tlsbridge/wire";
import type { FrontDoor } from "./front-door.ts";
import { readWithinDeadline } from "./read-within-deadline.ts";

/** The HTTP CONNECT door for one client. */
export function httpFrontDoor(client: net.Socket): FrontDoor {
  return {
    readRequest: async ({ limits, nodeName, authenticate }) => {
      const reader = new HeadReader(limits.maxHeadBytes, "TLSB_ERR_HEAD_TOO_LARGE");
      const { head, rest } = await readWithinDeadline(client, (chunk) => reader.push(chunk), performance.now() + limits.headTimeoutMs);
      const request = parseConnectRequest(head);
      if (viaIncludes(request.headers, nodeName)) {
        throw new TunnelError("TLSB_ERR_PROXY_LOOP", `request already passed through ${nodeName}`);
      }
      await authenticate?.(headerValues(request.headers, "proxy-authorization"), request.target.authority);
      return { target: request.target, earlyData: rest, via: headerValues(request.headers, "via") };
    },
    answerOpen: (tunnelStart) => void client.write(Buffer.concat([formatConnectEstablished(), tunnelStart])),
    answerRefusal: (refusal, nodeName) => answerAndClose(client, formatErrorResponse(refusal, nodeName)),
    answerRelayed: (response, nodeName, refusedCertificate) =>
      answerAndClose(client, formatRelayedResponse(response, nodeName, refusedCertificate)),
  };
}
