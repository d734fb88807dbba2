// Which front door serves a listener's clients, by the listener's `protocol:`.
import type net from "node:net";
import type { FrontDoor } from "./front-door.ts";
import { httpFrontDoor } from "./http-front-door.ts";
import { sniFrontDoor } from "./sni-front-door.ts";
import { socks5FrontDoor } from "./socks5-front-door.ts";
import type { ListenerContext } from "./tunnel-opener.ts";

/** A new door for one accepted client of the listener `listener`. */
export function frontDoorFor(listener: ListenerContext, client: net.Socket): FrontDoor {
  switch (listener.protocol) {
    case "http":
      return httpFrontDoor(client);
    case "socks5":
      return socks5FrontDoor(client);
    case "sni":
      return sniFrontDoor(client, listener.targetPort);
  }
}
