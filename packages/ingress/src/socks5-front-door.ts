// The SOCKS5 front door (RFC 1928, RFC 1929): method negotiation, an optional username/password
// login against the listener's users (the same authenticator, cache and throttle as HTTP proxy
// auth), then one CONNECT request. Names go to the peer unresolved (socks5h semantics: DNS happens
// only at the peer). Every refusal is a SOCKS answer for the step the client is at.
import type net from "node:net";
import { answerAndClose } from "@tlsbridge/transport";
import {
  formatSocks5AuthStatus, formatSocks5MethodChoice, formatSocks5Reply, headerValues, lastProxyStatusMember,
  SOCKS5_COMMAND, SOCKS5_METHOD, SOCKS5_REPLY, Socks5Reader, socks5ReplyForError, socks5ReplyForProxyStatus, TunnelError,
} from "@tlsbridge/wire";
import type { Socks5Message } from "@tlsbridge/wire";
import { formatBasicCredentials } from "./basic-credentials.ts";
import type { FrontDoor } from "./front-door.ts";
import { readWithinDeadline } from "./read-within-deadline.ts";

/** The step the client is at, which decides the shape of a refusal. */
type Step = "greeting" | "credentials" | "request" | "answered";

const EMPTY = Buffer.alloc(0);

/** The SOCKS5 door for one client. */
export function socks5FrontDoor(client: net.Socket): FrontDoor {
  let step: Step = "greeting";
  const closeWith = (answer: Buffer): void => {
    step = "answered";
    answerAndClose(client, answer);
  };
  return {
    readRequest: async ({ limits, authenticate }) => {
      // Local to the read: the door outlives it for the tunnel's life, the reader's bytes must not.
      const reader = new Socks5Reader();
      const deadline = performance.now() + limits.headTimeoutMs;
      // A message the client pipelined with the last one is already held by the reader.
      const next = async <K extends Socks5Message["kind"]>(kind: K): Promise<Extract<Socks5Message, { kind: K }>> => {
        const message = reader.push(EMPTY) ?? await readWithinDeadline(client, (chunk) => reader.push(chunk), deadline);
        if (message.kind !== kind) throw new Error(`SOCKS5 reader returned a ${message.kind}, expected a ${kind}`);
        return message as Extract<Socks5Message, { kind: K }>;
      };
      const greeting = await next("greeting");
      if (authenticate === undefined) {
        if (!greeting.methods.includes(SOCKS5_METHOD.noAuth)) {
          closeWith(formatSocks5MethodChoice(SOCKS5_METHOD.noneAcceptable));
          throw new TunnelError("TLSB_ERR_BAD_REQUEST", "SOCKS5 client offers no method this listener accepts (no authentication)", {
            details: "no acceptable authentication method",
          });
        }
        client.write(formatSocks5MethodChoice(SOCKS5_METHOD.noAuth));
      } else {
        if (!greeting.methods.includes(SOCKS5_METHOD.userPassword)) {
          closeWith(formatSocks5MethodChoice(SOCKS5_METHOD.noneAcceptable));
          await authenticate([]); // refuses as `missing`, logged like an HTTP client without credentials
        }
        client.write(formatSocks5MethodChoice(SOCKS5_METHOD.userPassword));
        reader.expect("credentials");
        step = "credentials";
        const { user, password } = await next("credentials");
        await authenticate([formatBasicCredentials(user, password)]);
        client.write(formatSocks5AuthStatus(true));
      }
      reader.expect("request");
      step = "request";
      const request = await next("request");
      if (request.command !== SOCKS5_COMMAND.connect) {
        throw new TunnelError("TLSB_ERR_METHOD_NOT_ALLOWED", `SOCKS5 command ${request.command} not supported (only CONNECT)`, {
          details: "command not supported",
        });
      }
      return { target: request.target, earlyData: reader.rest, via: [] };
    },
    answerOpen: (tunnelStart) => {
      step = "answered";
      client.write(Buffer.concat([formatSocks5Reply(SOCKS5_REPLY.succeeded), tunnelStart]));
    },
    answerRefusal: (refusal) => {
      if (step === "greeting") closeWith(formatSocks5MethodChoice(SOCKS5_METHOD.noneAcceptable));
      else if (step === "credentials") closeWith(formatSocks5AuthStatus(false));
      else if (step === "request") closeWith(formatSocks5Reply(socks5ReplyForError(refusal.code)));
    },
    answerRelayed: (response, _nodeName, refusedCertificate) => {
      const said = lastProxyStatusMember(headerValues(response.headers, "proxy-status"));
      closeWith(formatSocks5Reply(refusedCertificate !== undefined ? SOCKS5_REPLY.generalFailure : socks5ReplyForProxyStatus(said?.error)));
    },
  };
}
