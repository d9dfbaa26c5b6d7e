// Turning a mutation's CEL result into a patch and applying it: ApplyConfiguration through the SMD merge,
// JSONPatch through the evanphx v4 port (k8s.io/apiserver mutating/patch).

import { MapValue, ObjectValue, toJSON, type Value } from '../../cel/index.ts';
import { applyJsonPatch, TestFailed, type Json, type JsonPatchOperation } from './jsonpatch.ts';
import { atomicPaths, merge, validateTyped } from './smd.ts';
import { fieldSchema, type Schema } from './schema.ts';

/** A mutation failure; `status` set when the apiserver returns it directly (HTTP 500), ignoring failurePolicy. */
export class MutationError extends Error {
  constructor(
    message: string,
    readonly status?: { code: number; reason: string },
  ) {
    super(message);
  }
}

/** CheckTypeNamesMatchFieldPathNames: nested Object values must be named after their field path. */
export function typeNameErrors(v: Value, expected?: string): string[] {
  const errs: string[] = [];
  const walk = (x: Value, want: string): void => {
    if (x instanceof ObjectValue) {
      if (x.typeName !== want)
        errs.push(
          `unexpected type name "${x.typeName}", expected "${want}", which matches field name path from root Object type`,
        );
      for (const [k, f] of x.fields) walk(f, `${want}.${k}`);
    } else if (Array.isArray(x)) for (const e of x as readonly Value[]) walk(e, want);
    else if (x instanceof MapValue) for (const [, e] of x.entries()) walk(e, want);
  };
  if (v instanceof ObjectValue) walk(v, expected ?? v.typeName);
  return errs;
}

const typeMismatch = (errs: string[]) => new MutationError(`type mismatch: ${errs.join('\n')}`);

export function applyConfiguration(
  object: Json,
  result: Value,
  schema: Schema,
  options: { allowLiveDuplicates: boolean },
): Json {
  const names = typeNameErrors(result);
  if (names.length) throw typeMismatch(names);
  const patch = toJSON(result) as Json;
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
    throw new MutationError('must evaluate to Object');
  const obj = object as Record<string, Json>;
  if (obj && typeof obj === 'object') {
    if ('apiVersion' in obj) patch.apiVersion = obj.apiVersion!;
    if ('kind' in obj) patch.kind = obj.kind!;
  }
  const patchErrors = validateTyped(patch, schema);
  if (patchErrors.length)
    throw new MutationError(
      `error applying patch: failed to convert patch object to typed object: ${joinSmd(patchErrors)}`,
    );
  const atomic = atomicPaths(patch, schema);
  if (atomic.length)
    throw new MutationError(
      `error applying patch: invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: ${atomic.join(', ')}`,
    );
  const liveErrors = validateTyped(object, schema, options.allowLiveDuplicates);
  if (liveErrors.length)
    throw new MutationError(
      `error applying patch: failed to convert original object to typed object: ${joinSmd(liveErrors)}`,
    );
  return merge(object, patch, schema);
}

/** structured-merge-diff's ValidationErrors rendering. */
const joinSmd = (errs: string[]): string => (errs.length === 1 ? errs[0]! : `errors:\n  ${errs.join('\n  ')}`);

function patchValueToJson(v: Value): Json {
  const names = typeNameErrors(v);
  if (names.length) throw typeMismatch(names);
  const bad = (x: Value): boolean =>
    (typeof x === 'number' && !Number.isFinite(x)) ||
    (Array.isArray(x) && (x as readonly Value[]).some(bad)) ||
    (x instanceof MapValue && [...x.entries()].some(([k, e]) => typeof k !== 'string' || bad(e)));
  if (bad(v))
    throw new MutationError(
      'JSONPath valueExpression evaluated to a type that could not marshal to JSON: unsupported value',
    );
  // protojson encodes every number through float64 (precision beyond 2^53 is lost).
  const numbers = (x: Value): Json =>
    typeof x === 'bigint' ? Number(x) : Array.isArray(x) ? (x as readonly Value[]).map(numbers) : (toJSON(x) as Json);
  return numbers(v);
}

export function jsonPatch(object: Json, result: Value, strict: Schema | undefined): Json {
  const ops: JsonPatchOperation[] = [];
  for (const p of result as readonly Value[]) {
    if (!(p instanceof ObjectValue)) throw new MutationError('expected JSONPatch');
    const field = (k: string) => p.fields.get(k);
    const op: JsonPatchOperation = { op: String(field('op') ?? ''), path: String(field('path') ?? '') };
    const from = field('from');
    if (typeof from === 'string' && from !== '') op.from = from;
    if (p.fields.has('value')) op.value = patchValueToJson(field('value') ?? null);
    ops.push(op);
  }
  let patched: Json;
  try {
    patched = applyJsonPatch(object, ops);
  } catch (e) {
    if (e instanceof TestFailed) return object;
    throw new MutationError(`JSON Patch: ${(e as Error).message}`);
  }
  if (strict) {
    const unknown = unknownFields(patched, strict);
    if (unknown.length)
      throw new MutationError(
        `Internal error occurred: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
        { code: 500, reason: 'InternalError' },
      );
  }
  return patched;
}

/** Go's strict JSON decoding of a built-in type: the fields its struct does not declare. */
function unknownFields(v: Json, s: Schema, path = ''): string[] {
  const out: string[] = [];
  if (v === null || typeof v !== 'object') return out;
  if (s.kind === 'struct' && !Array.isArray(v)) {
    for (const [k, child] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      const f = fieldSchema(s, k);
      if (!f) out.push(p);
      else out.push(...unknownFields(child, f, p));
    }
  } else if (s.kind === 'map' && !Array.isArray(v)) {
    for (const [k, child] of Object.entries(v)) out.push(...unknownFields(child, s.values, `${path}[${k}]`));
  } else if (s.kind === 'list' && Array.isArray(v)) {
    v.forEach((item, i) => out.push(...unknownFields(item, s.items, `${path}[${i}]`)));
  }
  return out;
}
