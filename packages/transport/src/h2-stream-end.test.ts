// Regression (issue 9): h2StreamEnd's reset went through Http2Stream.close(), which queues
// END_STREAM before RST_STREAM, and Node sends pending frames ahead of the reset: the other node
// always read a clean end first. A reset must reach the other side with no END_STREAM before it.
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { h2StreamEnd } from "./h2-stream-end.ts";

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** What a plain Node client stream saw when the server wrote `bytes` and then reset through h2StreamEnd. */
async function resetAfter(bytes: number): Promise<{ events: string[]; received: number; rstCode: number | undefined }> {
  const server = http2.createServer();
  server.on("stream", (stream) => {
    stream.on("error", () => {});
    stream.respond({ ":status": 200 });
    stream.write(Buffer.alloc(bytes, 7), () => h2StreamEnd(stream).raw.resetAndDestroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  closers.push(() => {
    session.destroy();
    server.close();
  });
  const stream = session.request({ ":method": "CONNECT", ":authority": "service:1" }, { endStream: false });
  const events: string[] = [];
  let received = 0;
  stream.on("data", (chunk: Buffer) => (received += chunk.length));
  stream.on("end", () => events.push("end"));
  stream.on("error", (err: NodeJS.ErrnoException) => events.push(`error ${String(err.code)}`));
  await new Promise((resolve) => stream.once("close", resolve));
  return { events, received, rstCode: stream.rstCode };
}

describe("h2StreamEnd's reset", () => {
  it.each([0, 1024 * 1024])("after %i bytes: RST_STREAM(CONNECT_ERROR) with no END_STREAM before it", async (bytes) => {
    for (let run = 0; run < 5; run++) {
      const seen = await resetAfter(bytes);
      expect(seen.events).toEqual(["error ERR_HTTP2_STREAM_ERROR"]);
      expect(seen.rstCode).toBe(http2.constants.NGHTTP2_CONNECT_ERROR);
      expect(seen.received).toBeLessThanOrEqual(bytes);
    }
  });
});
