// What the live fuzz tests share: sending bytes in pieces to a node and reading its answer until it
// closes, and mutating a good request (flip, insert, delete, truncate) into a bad one.
import net from "node:net";
import fc from "fast-check";

/**
 * Writes `parts` (a tick apart), half-closes unless `keepOpen`, and reads until the node closes.
 * `opened` says when the answer shows an open tunnel: we end our side then, since the node would not.
 */
export function sendAndReadToClose(port: number, parts: readonly Buffer[], keepOpen: boolean, opened: (answer: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error(`no close within 8 s; got ${JSON.stringify(Buffer.concat(chunks).toString("latin1").slice(0, 200))}`)), 8_000);
    socket.on("error", () => {}); // a reset is one way of closing
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      if (!socket.writableEnded && opened(Buffer.concat(chunks))) socket.end();
    });
    // The node's FIN (or reset) is its close; our own half stays open only because allowHalfOpen.
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks));
    };
    socket.on("end", done);
    socket.on("close", done);
    socket.on("connect", async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        socket.write(part);
        await new Promise((r) => setImmediate(r));
      }
      if (!keepOpen && !socket.destroyed) socket.end();
    });
  });
}

/** One byte-level change to an input. */
export type Mutation =
  | { readonly kind: "flip"; readonly at: number; readonly byte: number }
  | { readonly kind: "insert"; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "truncate"; readonly at: number };

/** Up to four byte-level mutations of a good input. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(fc.oneof<fc.Arbitrary<Mutation>[]>(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
), { minLength: 1, maxLength: 4 });

/** `good` with `changes` applied in order. */
export function mutate(good: Buffer, changes: readonly Mutation[]): Buffer {
  let bytes = good;
  for (const m of changes) {
    const at = bytes.length === 0 ? 0 : m.at % bytes.length;
    if (m.kind === "flip") { bytes = Buffer.from(bytes); bytes[at] = m.byte; }
    else if (m.kind === "insert") bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    else if (m.kind === "delete") bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    else bytes = bytes.subarray(0, at);
  }
  return bytes;
}

/** `bytes` cut at the given offsets (taken modulo its length), empty pieces dropped. */
export function cutInto(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
  return [0, ...points].map((from, i) => bytes.subarray(from, [...points, bytes.length][i])).filter((p) => p.length > 0);
}
