// Censors the secrets a careless log call could carry (a Proxy-Authorization value, a key
// passphrase), on top of the rule that nobody logs them on purpose. Hand-written instead of pino's
// `redact`: its `*.` wildcard paths ran a redacting stringifier over every value of every line, which
// cost ~13 µs per tunnel per node; without it the h2 tunnel rate rose 10-15% (packages/bench/ANALYSIS.md).

/** What a censored value is replaced with. */
export const CENSORED = "[redacted]";

/** Keys whose values are secret wherever they appear (top level or one level down). */
const SECRET_KEYS: ReadonlySet<string> = new Set(["proxyAuthorization", "passphrase"]);

/** The header whose value is secret, in a `headers` object (any case) or name/value pair list. */
const SECRET_HEADER = "proxy-authorization";

type Bag = Record<string, unknown>;

/**
 * `object` with every secret at its top level or one level down replaced by CENSORED: the keys above,
 * and Proxy-Authorization in a `headers` object or `[name, value]` list. Nothing is copied unless a
 * secret is found, and the caller's objects are never changed.
 */
export function censorSecrets<T extends object>(object: T): T {
  return censorMembers(object, true) as T;
}

function censorMembers(object: object, descend: boolean): object {
  let copy: Bag | undefined;
  for (const key in object) {
    const value = (object as Bag)[key];
    const censored = censorValue(key, value, descend);
    if (censored !== value) {
      copy ??= shallowCopy(object);
      copy[key] = censored;
    }
  }
  return copy ?? object;
}

function censorValue(key: string, value: unknown, descend: boolean): unknown {
  if (SECRET_KEYS.has(key)) return value === undefined ? value : CENSORED;
  if (typeof value !== "object" || value === null) return value;
  if (key === "headers") return censorHeaders(value);
  return descend ? censorMembers(value, false) : value;
}

function censorHeaders(headers: object): object {
  if (Array.isArray(headers)) {
    // Our parsed form: [name, value] pairs in wire order.
    const secret = (pair: unknown): boolean =>
      Array.isArray(pair) && typeof pair[0] === "string" && pair[0].toLowerCase() === SECRET_HEADER;
    return headers.some(secret) ? headers.map((pair: unknown) => (secret(pair) ? [(pair as unknown[])[0], CENSORED] : pair)) : headers;
  }
  let copy: Bag | undefined;
  for (const name in headers) {
    if (name.toLowerCase() !== SECRET_HEADER) continue;
    copy ??= shallowCopy(headers);
    copy[name] = CENSORED;
  }
  return copy ?? headers;
}

/** A copy to censor in; an Error keeps its class, message and stack (its own properties are not enumerable). */
function shallowCopy(object: object): Bag {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(object) as object | null) as Bag, object);
  if (object instanceof Error) {
    copy.message = object.message;
    copy.stack = object.stack;
  }
  return copy;
}
