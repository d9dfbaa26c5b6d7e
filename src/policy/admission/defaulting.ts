// The defaulting step the mutating dispatcher runs after every applied mutation
// (`o.GetObjectDefaulter().Default(newVersionedObject)` in policy/mutating/dispatcher.go): field defaults that
// fill a field when it is absent, creating the maps above it.

import type { Json } from './jsonpatch.ts';
import type { FieldDefault } from './types.ts';

type JsonObject = { [key: string]: Json };
const isObj = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The object with every default of its apiVersion/kind applied; the input is not changed. */
export function applyDefaults(object: Json, defaults: readonly FieldDefault[]): Json {
  if (!isObj(object)) return object;
  const mine = defaults.filter((d) => d.apiVersion === object.apiVersion && d.kind === object.kind);
  if (mine.length === 0) return object;
  const out = structuredClone(object);
  for (const d of mine) {
    let node: JsonObject = out;
    const path = d.field;
    for (const [i, key] of path.entries()) {
      // Own keys only: a field named like an Object.prototype member must not reach the prototype.
      const has = Object.prototype.hasOwnProperty.call(node, key);
      if (i === path.length - 1) {
        if (!has || node[key] === null)
          Object.defineProperty(node, key, { value: d.value, enumerable: true, writable: true, configurable: true });
        break;
      }
      if (!has || node[key] === null)
        Object.defineProperty(node, key, { value: {}, enumerable: true, writable: true, configurable: true });
      const next = node[key];
      if (!isObj(next)) break; // a non-map in the way: the typed object has no such field to default
      node = next;
    }
  }
  return out;
}
