// The sink and source services learn how many bytes to take or send from a first line
// "<bytes>\n": no half-close is needed, which some relays under test do not propagate.

/** Reads a "<decimal>\n" line at the start of `buf`: the number and the rest, or undefined if incomplete. */
export function readSizeLine(buf: Buffer): { size: number; rest: Buffer } | undefined {
  const nl = buf.indexOf(10);
  if (nl < 0) {
    if (buf.length > 32) throw new Error("size line too long");
    return undefined;
  }
  const text = buf.subarray(0, nl).toString("latin1");
  if (!/^\d{1,15}$/.test(text)) throw new Error(`bad size line ${JSON.stringify(text)}`);
  return { size: Number(text), rest: buf.subarray(nl + 1) };
}
