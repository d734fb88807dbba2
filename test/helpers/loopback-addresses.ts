// The `addresses:` a test's allow entry needs to reach services on loopback: the peer refuses
// loopback unless an entry admits it explicitly (issue 14), and every test service listens there.

/** IPv4 and IPv6 loopback, as an allow entry's `addresses`. */
export const LOOPBACK_ADDRESSES: readonly string[] = ["127.0.0.0/8", "::1"];
