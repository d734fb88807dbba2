// Which front door serves a listener's clients, by the listener's `protocol:`.
import type net from "node:net";
import type { FrontDoor } from "./front-door.ts";
import { httpFrontDoor } from "./http-front-door.ts";
import type { ListenerProtocol } from "./ingress-options.ts";
import { socks5FrontDoor } from "./socks5-front-door.ts";

/** A new door for one accepted client of a listener that speaks `protocol`. */
export function frontDoorFor(protocol: ListenerProtocol, client: net.Socket): FrontDoor {
  switch (protocol) {
    case "http":
      return httpFrontDoor(client);
    case "socks5":
      return socks5FrontDoor(client);
    case "sni":
      throw new Error("sni listeners are not built yet");
  }
}
