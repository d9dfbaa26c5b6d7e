// JSON Patch with the behaviour of gopkg.in/evanphx/json-patch.v4, the library kube-apiserver applies
// MutatingAdmissionPolicy JSONPatch mutations with. It is not RFC 6902-pure: `replace` on a missing object key
// adds it, negative array indexes count from the end, and the error texts are the library's own
// (`<context>: <cause>` as github.com/pkg/errors wraps them).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Sets an own data property, also for keys such as `__proto__` that plain assignment would treat as the
 * prototype: user objects may carry any key, and must never reach Object.prototype.
 */
export function setOwn<T>(o: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The own property `key` of `o`, never an inherited one (`constructor`, `__proto__`). */
export const getOwn = <T>(o: Record<string, T>, key: string): T | undefined =>
  Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;

export interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  /** Absent when the operation has no `value` field. */
  value?: Json;
}

/** A failed `test` operation: the caller (MutatingAdmissionPolicy) then keeps the object unchanged. */
export class TestFailed extends Error {}

const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';

type Container = { kind: 'doc'; doc: Record<string, Json> } | { kind: 'array'; holder: Json[] };

const isObject = (v: Json | undefined): v is Record<string, Json> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** RFC 6901 unescaping of one token, as the library does it (`~1` first, then `~0`). */
const decodeKey = (k: string): string => k.replace(/~1/g, '/').replace(/~0/g, '~');

/** Go's strconv.Atoi: optional sign, decimal digits, int64 range. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  return n;
}

const goQuote = (s: string): string => JSON.stringify(s);

function get(c: Container, key: string): Json | undefined {
  if (c.kind === 'doc') return Object.prototype.hasOwnProperty.call(c.doc, key) ? c.doc[key] : undefined;
  let idx = atoi(key);
  const len = c.holder.length;
  if (idx < 0) {
    if (idx < -len) throw new Error(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
    idx += len;
  }
  if (idx >= len) throw new Error(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
  return c.holder[idx];
}

function set(c: Container, key: string, val: Json): void {
  if (c.kind === 'doc') {
    setOwn(c.doc, key, val);
    return;
  }
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.holder.length) throw new Error(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
    idx += c.holder.length;
  }
  c.holder[idx] = val;
}

function add(c: Container, key: string, val: Json): void {
  if (c.kind === 'doc') {
    setOwn(c.doc, key, val);
    return;
  }
  if (key === '-') {
    c.holder.push(val);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e) {
    throw new Error(`value was not a proper array index: '${key}': ${(e as Error).message}`);
  }
  const size = c.holder.length + 1;
  if (idx >= size) throw new Error(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
  if (idx < 0) {
    if (idx < -size) throw new Error(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
    idx += size;
  }
  c.holder.splice(idx, 0, val);
}

function remove(c: Container, key: string): void {
  if (c.kind === 'doc') {
    if (!Object.prototype.hasOwnProperty.call(c.doc, key))
      throw new Error(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
    delete c.doc[key];
    return;
  }
  let idx = atoi(key);
  const len = c.holder.length;
  if (idx >= len) throw new Error(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
  if (idx < 0) {
    if (idx < -len) throw new Error(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
    idx += len;
  }
  c.holder.splice(idx, 1);
}

/** The parent container of `path` and the last (unescaped) token; undefined when any step is missing. */
function findObject(root: Json, path: string): { c: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let doc: Json = root;
  for (const part of split.slice(1, -1)) {
    let next: Json | undefined;
    try {
      next = get(asContainer(doc)!, decodeKey(part));
    } catch {
      return undefined;
    }
    if (next === undefined || next === null || typeof next !== 'object') return undefined;
    doc = next;
  }
  const c = asContainer(doc);
  return c ? { c, key: decodeKey(split[split.length - 1]!) } : undefined;
}

function asContainer(v: Json): Container | undefined {
  if (Array.isArray(v)) return { kind: 'array', holder: v };
  if (isObject(v)) return { kind: 'doc', doc: v };
  return undefined;
}

const clone = (v: Json): Json => (v === null || typeof v !== 'object' ? v : (JSON.parse(JSON.stringify(v)) as Json));

/**
 * The library's equality for `test`: objects and arrays structurally, scalars by their compact JSON bytes. The
 * document side is encoded by Go's encoding/json, which escapes <, > and & (so a string holding them never equals
 * the protojson-encoded value side).
 */
function testEqual(doc: Json, value: Json): boolean {
  if (Array.isArray(doc))
    return Array.isArray(value) && doc.length === value.length && doc.every((d, i) => testEqual(d, value[i]!));
  if (isObject(doc)) {
    if (!isObject(value)) return false;
    const keys = Object.keys(doc);
    return (
      keys.length === Object.keys(value).length &&
      keys.every((k) => Object.prototype.hasOwnProperty.call(value, k) && testEqual(doc[k]!, value[k]!))
    );
  }
  if (value !== null && typeof value === 'object') return false;
  const goJson = JSON.stringify(doc).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return goJson === JSON.stringify(value);
}

/**
 * Applies the operations in order to a copy of `doc`. Throws Error with the library's message for a failing
 * operation, TestFailed for a failing `test`.
 */
export function applyJsonPatch(doc: Json, ops: readonly JsonPatchOperation[]): Json {
  const box: { root: Json } = { root: clone(doc) };
  for (const op of ops) applyOne(box, op);
  return box.root;
}

function applyOne(box: { root: Json }, op: JsonPatchOperation): void {
  const path = op.path;
  const value = op.value === undefined ? null : clone(op.value);
  const wrap = (context: string, f: () => void) => {
    try {
      f();
    } catch (e) {
      throw new Error(`${context}: ${(e as Error).message}`);
    }
  };
  switch (op.op) {
    case 'add': {
      const t = findObject(box.root, path);
      if (!t) throw new Error(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
      wrap(`error in add for path: '${path}'`, () => add(t.c, t.key, value));
      return;
    }
    case 'remove': {
      const t = findObject(box.root, path);
      if (!t) throw new Error(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
      wrap(`error in remove for path: '${path}'`, () => remove(t.c, t.key));
      return;
    }
    case 'replace': {
      if (path === '') {
        if (value === null || typeof value !== 'object')
          throw new Error('replace operation value must be object or array');
        box.root = value;
        return;
      }
      const t = findObject(box.root, path);
      if (!t) throw new Error(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
      try {
        get(t.c, t.key);
      } catch {
        throw new Error(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
      }
      wrap(`error in remove for path: '${path}'`, () => set(t.c, t.key, value));
      return;
    }
    case 'move': {
      const from = op.from ?? '';
      const f = findObject(box.root, from);
      if (!f) throw new Error(`move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
      let val: Json | undefined;
      wrap(`error in move for path: '${f.key}'`, () => {
        val = get(f.c, f.key);
        remove(f.c, f.key);
      });
      const t = findObject(box.root, path);
      if (!t) throw new Error(`move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
      wrap(`error in move for path: '${path}'`, () => add(t.c, t.key, val ?? null));
      return;
    }
    case 'copy': {
      const from = op.from ?? '';
      const f = findObject(box.root, from);
      if (!f) throw new Error(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
      let val: Json | undefined;
      wrap(`error in copy for from: '${from}'`, () => {
        val = get(f.c, f.key);
      });
      const t = findObject(box.root, path);
      if (!t) throw new Error(`copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
      wrap('error while adding value during copy', () => add(t.c, t.key, clone(val ?? null)));
      return;
    }
    case 'test': {
      if (path === '') {
        if (!testEqual(box.root, value)) throw new TestFailed(`testing value ${path} failed: test failed`);
        return;
      }
      const t = findObject(box.root, path);
      if (!t) throw new Error(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
      let val: Json | undefined;
      wrap(`error in test for path: '${path}'`, () => {
        val = get(t.c, t.key);
      });
      if (val === undefined || val === null) {
        // A missing (or null) document value passes only against an absent or null value.
        if (op.value === undefined || op.value === null) return;
        throw new TestFailed(`testing value ${path} failed: test failed`);
      }
      if (op.value === undefined || !testEqual(val, value))
        throw new TestFailed(`testing value ${path} failed: test failed`);
      return;
    }
    default:
      throw new Error(`Unexpected kind: ${op.op}`);
  }
}

/** `jsonpatch.escapeKey`: RFC 6901 escaping of one path token. */
export const escapeKey = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');
