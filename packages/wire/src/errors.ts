// The one error class of the wire format (and of the tunnel roles that answer from the status
// table): a stable `code` to match on, never the message.
import { ERRORS } from "./status-table.ts";
import type { ErrorCode, ErrorRow } from "./status-table.ts";

/** Options for {@link TunnelError}. */
export type TunnelErrorOptions = {
  cause?: unknown;
  /** Short text for the client, sent as `details` in Proxy-Status (sanitised there). */
  details?: string;
  /** DNS RCODE for `TLSB_ERR_DNS` (e.g. `NXDOMAIN`), sent as `rcode` in Proxy-Status. */
  rcode?: string;
  /** The hop that failed when it is not the node's usual next hop (a corporate proxy): `next-hop` in Proxy-Status. */
  nextHop?: string;
  /** The status that hop answered, when it answered one: `received-status` in Proxy-Status. */
  receivedStatus?: number;
};

/** A tunnel refusal or failure; `code` picks the row of the status table. */
export class TunnelError extends Error {
  /** Stable code; never changes, unlike the message. */
  readonly code: ErrorCode;
  readonly details?: string;
  readonly rcode?: string;
  readonly nextHop?: string;
  readonly receivedStatus?: number;

  constructor(code: ErrorCode, message: string, options: TunnelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TunnelError";
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
    if (options.rcode !== undefined) this.rcode = options.rcode;
    if (options.nextHop !== undefined) this.nextHop = options.nextHop;
    if (options.receivedStatus !== undefined) this.receivedStatus = options.receivedStatus;
  }

  /** The HTTP status a client sees for this error. */
  get status(): number {
    return this.row.status;
  }

  /** The status table row for this error. */
  get row(): ErrorRow {
    return ERRORS[this.code];
  }
}

/** True for a {@link TunnelError}. */
export function isTunnelError(err: unknown): err is TunnelError {
  return err instanceof TunnelError;
}
