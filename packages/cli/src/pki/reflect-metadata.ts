// @peculiar/x509 registers its algorithms through tsyringe, which throws on load unless the
// Reflect metadata API exists. This is the smallest version of that API tsyringe uses
// (getMetadata, getOwnMetadata, defineMetadata), kept here instead of a global-patching dependency.
// Installed only when no other polyfill (reflect-metadata, core-js) is present.

type MetadataTarget = object;
type MetadataMap = Map<unknown, unknown>;

const store = new WeakMap<MetadataTarget, Map<PropertyKey | undefined, MetadataMap>>();

function ownMap(target: MetadataTarget, property: PropertyKey | undefined, create: boolean): MetadataMap | undefined {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let map = byProperty.get(property);
  if (!map && create) {
    map = new Map();
    byProperty.set(property, map);
  }
  return map;
}

function getOwnMetadata(key: unknown, target: MetadataTarget, property?: PropertyKey): unknown {
  return ownMap(target, property, false)?.get(key);
}

// Inherited lookup walks the prototype chain, as the reflect-metadata proposal specifies.
function getMetadata(key: unknown, target: MetadataTarget, property?: PropertyKey): unknown {
  for (let t: MetadataTarget | null = target; t !== null; t = Object.getPrototypeOf(t) as MetadataTarget | null) {
    const map = ownMap(t, property, false);
    if (map?.has(key)) return map.get(key);
  }
  return undefined;
}

function defineMetadata(key: unknown, value: unknown, target: MetadataTarget, property?: PropertyKey): void {
  ownMap(target, property, true)?.set(key, value);
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect["getMetadata"] !== "function") {
  for (const [name, fn] of Object.entries({ getMetadata, getOwnMetadata, defineMetadata })) {
    Object.defineProperty(Reflect, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
}
