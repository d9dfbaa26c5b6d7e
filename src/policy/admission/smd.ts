// The server-side-apply merge MutatingAdmissionPolicy's ApplyConfiguration uses (structured-merge-diff's
// typed conversion, the plugin's atomic-field guard and `live.Merge(patch)`), driven by a Schema.

import { getOwn, setOwn, type Json } from './jsonpatch.ts';
import { goTypeOf, smdSharpV, smdV } from './go-values.ts';
import { fieldSchema, type Schema } from './schema.ts';

type JsonObject = { [key: string]: Json };
const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Go's rendering of a JSON value's kind in structured-merge-diff errors. */
const keyText = (item: JsonObject, keys: readonly string[], defaults: Readonly<Record<string, unknown>>): string =>
  '[' +
  keys
    .filter((k) => k in item || k in defaults)
    .map((k) => `${k}=${JSON.stringify(k in item ? item[k] : defaults[k])}`)
    .join(',') +
  ']';

function itemKey(item: Json, schema: Schema & { kind: 'list' }): string {
  if (schema.listType === 'set') return JSON.stringify(item);
  const defaults = schema.items.kind === 'struct' ? (schema.items.defaults ?? {}) : {};
  return keyText(item as JsonObject, schema.keys ?? [], defaults);
}

/**
 * structured-merge-diff's ObjectToTyped check: every field declared, scalars of the declared kind, keyed list
 * items with their keys and without duplicates. Returns the errors (empty when valid).
 */
export function validateTyped(value: Json, schema: Schema, allowDuplicates = false): string[] {
  const errors: string[] = [];
  const walk = (v: Json, s: Schema, path: string): void => {
    if (v === null) return;
    switch (s.kind) {
      case 'deduced':
        return;
      case 'scalar': {
        if (s.type === 'string' && typeof v !== 'string') errors.push(`${path}: expected string, got ${smdSharpV(v)}`);
        if (s.type === 'number' && typeof v !== 'number')
          errors.push(`${path}: expected numeric (int or float), got ${goTypeOf(v)}`);
        if (s.type === 'boolean' && typeof v !== 'boolean') errors.push(`${path}: expected boolean, got ${smdV(v)}`);
        if (s.type === 'untyped' && typeof v === 'object') errors.push(`${path}: expected any scalar, got ${smdV(v)}`);
        return;
      }
      case 'struct':
        if (!isObject(v)) return void errors.push(`${path}: expected map, got ${smdV(v)}`);
        for (const [k, child] of Object.entries(v)) {
          const f = fieldSchema(s, k);
          if (!f) errors.push(`${path}.${k}: field not declared in schema`);
          else walk(child, f, `${path}.${k}`);
        }
        return;
      case 'map':
        if (!isObject(v)) return void errors.push(`${path}: expected map, got ${smdV(v)}`);
        for (const [k, child] of Object.entries(v)) walk(child, s.values, `${path}.${k}`);
        return;
      case 'list': {
        if (!Array.isArray(v)) return void errors.push(`${path}: expected list, got ${smdV(v)}`);
        const seen = new Set<string>();
        v.forEach((item, i) => {
          if (s.listType === 'map') {
            if (!isObject(item))
              return void errors.push(
                `${path}: element ${i}: associative list with keys may not have non-map elements`,
              );
            const keys = s.keys ?? [];
            const defaults = s.items.kind === 'struct' ? (s.items.defaults ?? {}) : {};
            if (!keys.some((k) => k in item || k in defaults))
              return void errors.push(
                `${path}: element ${i}: associative list with keys has an element that omits all key fields [${keys.map((k) => JSON.stringify(k)).join(' ')}] (and doesn't have default values for any key fields)`,
              );
          }
          if (s.listType !== 'atomic') {
            const key = itemKey(item, s);
            if (seen.has(key) && !allowDuplicates) errors.push(`${path}: duplicate entries for key ${key}`);
            seen.add(key);
          }
          walk(item, s.items, `${path}[${i}]`);
        });
        return;
      }
    }
  };
  walk(value, schema, '');
  return errors;
}

const isAtomic = (s: Schema): boolean =>
  (s.kind === 'struct' && s.atomic === true) ||
  (s.kind === 'map' && s.atomic === true) ||
  (s.kind === 'list' && s.listType === 'atomic');

/**
 * The plugin's guard: the paths (list indexes, not keys) of every value in the patch whose schema is an atomic
 * list, map or struct, even an empty one. Server-side apply would replace them whole; the plugin refuses.
 */
export function atomicPaths(patch: Json, schema: Schema): string[] {
  const out: string[] = [];
  const walk = (v: Json, s: Schema, path: string): void => {
    if (v === null) return;
    if (path !== '' && isAtomic(s)) return void out.push(path);
    if (s.kind === 'struct' && isObject(v)) {
      for (const [k, child] of Object.entries(v)) {
        const f = fieldSchema(s, k);
        if (f) walk(child, f, `${path}.${k}`);
      }
    } else if (s.kind === 'map' && isObject(v)) {
      for (const [k, child] of Object.entries(v)) walk(child, s.values, `${path}.${k}`);
    } else if (s.kind === 'list' && Array.isArray(v)) {
      v.forEach((item, i) => walk(item, s.items, `${path}[${i}]`));
    } else if (s.kind === 'deduced' && Array.isArray(v)) out.push(path);
  };
  walk(patch, schema, '');
  return out;
}

/** `live.Merge(patch)` with no field manager: the patch wins field by field, nothing is removed. */
export function merge(live: Json | undefined, patch: Json | undefined, schema: Schema): Json {
  if (patch === undefined) return live ?? null;
  if (live === undefined || live === null) return patch;
  if (patch === null) return live;
  switch (schema.kind) {
    case 'scalar':
      return patch;
    case 'deduced':
      return isObject(live) && isObject(patch) ? mergeMaps(live, patch, () => schema) : patch;
    case 'struct':
      if (schema.atomic || !isObject(live) || !isObject(patch)) return patch;
      return mergeMaps(live, patch, (k) => fieldSchema(schema, k) ?? { kind: 'deduced' });
    case 'map':
      if (schema.atomic || !isObject(live) || !isObject(patch)) return patch;
      return mergeMaps(live, patch, () => schema.values);
    case 'list':
      if (schema.listType === 'atomic' || !Array.isArray(live) || !Array.isArray(patch)) return patch;
      return mergeList(live, patch, schema);
  }
}

function mergeMaps(live: JsonObject, patch: JsonObject, child: (k: string) => Schema): JsonObject {
  const out: JsonObject = { ...live };
  for (const [k, v] of Object.entries(patch)) setOwn(out, k, merge(getOwn(live, k), v, child(k)));
  return out;
}

/** structured-merge-diff's associative-list merge, including its order of shared and new items. */
function mergeList(live: Json[], patch: Json[], schema: Schema & { kind: 'list' }): Json[] {
  const key = (item: Json) => itemKey(item, schema);
  const lKeys = live.map(key);
  const rKeys = patch.map(key);
  const rSet = new Set(rKeys);
  const lByKey = new Map<string, Json>();
  lKeys.forEach((k, i) => {
    if (!lByKey.has(k)) lByKey.set(k, live[i]!);
  });
  // A key duplicated in the live list and present in the patch becomes one item built from the patch alone.
  const lCount = new Map<string, number>();
  for (const k of lKeys) lCount.set(k, (lCount.get(k) ?? 0) + 1);
  const mergeItem = (k: string, r: Json): Json =>
    (lCount.get(k) ?? 0) > 1 ? r : merge(lByKey.get(k), r, schema.items);

  const shared = rKeys.filter((k) => lByKey.has(k));
  let nextIdx = 0;
  const next = () => shared[nextIdx];
  const emitted = new Set<string>();
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < live.length || j < patch.length) {
    if (i < live.length && j < patch.length) {
      const lk = lKeys[i]!;
      const rk = rKeys[j]!;
      if (lk === rk) {
        out.push(mergeItem(rk, patch[j]!));
        emitted.add(rk);
        i++;
        j++;
        if (next() === rk) nextIdx++;
        continue;
      }
      if (rSet.has(lk) && next() !== undefined && next() !== lk && !emitted.has(lk)) {
        i++;
        continue;
      }
    }
    if (i < live.length) {
      const lk = lKeys[i]!;
      if (!rSet.has(lk)) {
        out.push(live[i]!);
        i++;
        continue;
      }
      if (emitted.has(lk)) {
        i++;
        continue;
      }
    }
    if (j < patch.length) {
      const rk = rKeys[j]!;
      if (!emitted.has(rk)) out.push(mergeItem(rk, patch[j]!));
      emitted.add(rk);
      j++;
      if (next() === rk) nextIdx++;
      continue;
    }
    i++;
  }
  return out;
}
