// Header field helpers shared by the parsers and writers: lookup by name, and the checks that keep
// CR/LF/NUL out of anything we write (header injection) (RFC 9110 §5.1, §5.5).

/** Header fields in wire order, names as received. */
export type HeaderList = Array<[string, string]>;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** True when `s` is an RFC 9110 §5.6.2 token (a valid field name or method). */
export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

/** Every value of header `name` (case-insensitive), in order. */
export function headerValues(headers: ReadonlyArray<readonly [string, string]>, name: string): string[] {
  const want = name.toLowerCase();
  const out: string[] = [];
  for (const [k, v] of headers) if (k.toLowerCase() === want) out.push(v);
  return out;
}

/** True when `s` is a valid field value: no control characters except HTAB, and Latin-1 only. */
export function isFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) return false;
  }
  return true;
}

/** Throws TypeError unless `name`/`value` can be written as a header line as they are. */
export function assertHeader(name: string, value: string): void {
  if (!isToken(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
  if (!isFieldValue(value)) {
    throw new TypeError(`invalid value for header ${name}: control character (CR, LF, NUL...) or non-Latin-1`);
  }
}

/** Writes validated header lines (`name: value\r\n`), values trimmed of SP/HTAB. */
export function headerLines(headers: ReadonlyArray<readonly [string, string]>): string {
  let out = "";
  for (const [name, value] of headers) {
    assertHeader(name, value);
    out += `${name}: ${trimOws(value)}\r\n`;
  }
  return out;
}

/** `s` without leading and trailing SP/HTAB (OWS). */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return s.slice(a, b);
}

/**
 * Splits a head that llhttp has already accepted into its start line and header fields, decoding
 * bytes as Latin-1 so obs-text survives a relay unchanged (llhttp-wasm decodes as UTF-8).
 * Leading empty lines (RFC 9112 §2.2) are skipped.
 */
export function splitHead(head: Uint8Array): { startLine: string; headers: HeaderList } {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString("latin1");
  const lines = text.split("\r\n");
  let i = 0;
  while (i < lines.length && lines[i] === "") i++;
  const startLine = lines[i++] ?? "";
  const headers: HeaderList = [];
  for (; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    headers.push([line.slice(0, colon), trimOws(line.slice(colon + 1))]);
  }
  return { startLine, headers };
}
