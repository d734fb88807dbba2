// Loaded configs are frozen all the way down so no code path can change a running node's settings
// by accident. Buffers cannot be frozen (V8 refuses) and class instances guard their own state.

/**
 * Freezes plain objects and arrays recursively, and the values of Maps (a Map's entries stay
 * mutable at runtime; its type is ReadonlyMap). Typed arrays and class instances are left alone.
 */
export function deepFreeze<T>(value: T): T {
  freeze(value, new Set());
  return value;
}

function freeze(value: unknown, seen: Set<unknown>): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return;
  if (value instanceof Map) {
    for (const v of value.values()) freeze(v, seen);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return;
  for (const v of Object.values(value)) freeze(v, seen);
  Object.freeze(value);
}
