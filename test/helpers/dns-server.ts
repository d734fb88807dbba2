// A tiny authoritative DNS responder on loopback UDP for tests, so no test asks the system resolver
// (or the network) about a name. Hand-written on node:dgram: it reads one question (RFC 1035 §4.1)
// and answers from a table: A/AAAA records with a TTL, an rcode (NXDOMAIN, SERVFAIL, ...), or silence.
import dgram from "node:dgram";
import { once } from "node:events";
import net from "node:net";

/** How the server answers one name (matched case-insensitively, without a trailing dot). */
export type DnsZoneEntry = {
  readonly a?: readonly string[];
  readonly aaaa?: readonly string[];
  /** Seconds; default 60. */
  readonly ttl?: number;
  /** Answer with this response code and no records. */
  readonly rcode?: keyof typeof RCODES;
  /** Never answer (a server that times out). */
  readonly silent?: boolean;
};

/** A running server: `address` is what `dns.servers` takes (`127.0.0.1:port`). */
export type TestDnsServer = {
  readonly address: string;
  /** Questions received per name, e.g. `queries("svc.test")` (both A and AAAA count). */
  readonly queries: (name: string) => number;
  readonly close: () => Promise<void>;
};

const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const TYPE_A = 1;
const TYPE_AAAA = 28;

/** Starts the server on 127.0.0.1, port 0. Names not in `zone` get NXDOMAIN. */
export async function startDnsServer(zone: Readonly<Record<string, DnsZoneEntry>>): Promise<TestDnsServer> {
  const socket = dgram.createSocket("udp4");
  const counts = new Map<string, number>();
  socket.on("message", (query, from) => {
    const question = parseQuestion(query);
    if (question === undefined) return;
    counts.set(question.name, (counts.get(question.name) ?? 0) + 1);
    const entry = zone[question.name];
    if (entry?.silent === true) return;
    socket.send(answer(query, question, entry), from.port, from.address);
  });
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries: (name) => counts.get(name) ?? 0,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

type Question = { readonly name: string; readonly type: number; readonly end: number };

function parseQuestion(query: Buffer): Question | undefined {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  while (at < query.length) {
    const length = query[at] ?? 0;
    at += 1;
    if (length === 0) break;
    labels.push(query.subarray(at, at + length).toString("latin1"));
    at += length;
  }
  if (at + 4 > query.length) return undefined;
  return { name: labels.join(".").toLowerCase(), type: query.readUInt16BE(at), end: at + 4 };
}

function answer(query: Buffer, question: Question, entry: DnsZoneEntry | undefined): Buffer {
  const rcode = entry === undefined ? RCODES.NXDOMAIN : RCODES[entry.rcode ?? "NOERROR"];
  const addresses = rcode !== RCODES.NOERROR || entry === undefined ? [] : question.type === TYPE_A ? entry.a ?? [] : question.type === TYPE_AAAA ? entry.aaaa ?? [] : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // id
  // QR, the query's opcode and RD; AA and RA set; the rcode.
  header.writeUInt16BE(0x8000 | (query.readUInt16BE(2) & 0x7900) | 0x0400 | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4); // QDCOUNT
  header.writeUInt16BE(addresses.length, 6); // ANCOUNT
  const records = addresses.map((address) => {
    const rdata = question.type === TYPE_A ? Buffer.from(address.split(".").map(Number)) : ipv6Bytes(address);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    rr.writeUInt16BE(question.type, 2);
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(entry?.ttl ?? 60, 6);
    rr.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([rr, rdata]);
  });
  return Buffer.concat([header, query.subarray(12, question.end), ...records]);
}

function ipv6Bytes(address: string): Buffer {
  if (net.isIPv6(address) === false) throw new Error(`not an IPv6 address: ${address}`);
  const [head = "", tail = ""] = address.split("::");
  const groups = (part: string): string[] => (part === "" ? [] : part.split(":"));
  const h = groups(head);
  const t = groups(tail);
  const all = address.includes("::") ? [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t] : h;
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(Number.parseInt(g, 16), i * 2));
  return out;
}
