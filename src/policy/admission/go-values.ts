// How structured-merge-diff's errors print a value: Go's fmt verbs applied to the unstructured value (JSON decoded
// into interface{}: int64, float64, string, bool, map[string]interface{}, []interface{}) wrapped in SMD's
// *value.valueUnstructured. `expected string, got %#v` and `expected boolean, got %v` take the wrapper,
// `expected numeric (int or float), got %T` the Go type of what it holds.

import { formatDouble } from '../../cel/lib/std.ts';
import { goQuote } from '../../k8s/go-json.ts';
import type { Json } from './jsonpatch.ts';

const sortedEntries = (o: { [k: string]: Json }) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

// A CEL int arrives as int64, a double as float64; JSON keeps no difference for whole numbers, so those print as
// the int64 they almost always are.
const number = (n: number) => (Number.isInteger(n) && Math.abs(n) < 2 ** 63 ? String(n) : formatDouble(n));

/** Go's `%v` of the interface{} value. */
function plainV(v: Json): string {
  if (v === null) return '<nil>';
  if (typeof v === 'number') return number(v);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(plainV).join(' ')}]`;
  return `map[${sortedEntries(v)
    .map(([k, x]) => `${k}:${plainV(x)}`)
    .join(' ')}]`;
}

/** Go's `%#v` of the interface{} value. */
function sharpV(v: Json): string {
  if (v === null) return 'interface {}(nil)';
  if (typeof v === 'number') return number(v);
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(sharpV).join(', ')}}`;
  return `map[string]interface {}{${sortedEntries(v)
    .map(([k, x]) => `${goQuote(k)}:${sharpV(x)}`)
    .join(', ')}}`;
}

/** `%v` of the *value.valueUnstructured holding v. */
export const smdV = (v: Json): string => `&{${plainV(v)}}`;

/** `%#v` of the *value.valueUnstructured holding v. */
export const smdSharpV = (v: Json): string => `&value.valueUnstructured{Value:${sharpV(v)}}`;

/** `%T` of the value held. */
export function goTypeOf(v: Json): string {
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}
