// Reading a decoded object as Go's typed structs would see it: a missing or null field is the zero value.

import type { Json } from '../jsonpatch.ts';

export type JsonObject = { [key: string]: Json };
export const isObj = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);
export const obj = (v: Json | undefined): JsonObject => (isObj(v) ? v : {});
export const list = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
export const str = (v: Json | undefined): string => (typeof v === 'string' ? v : '');
export const int = (v: Json | undefined): number => (typeof v === 'number' ? v : 0);
/** A pointer field: undefined when absent or null. */
export const present = (o: JsonObject, k: string): boolean =>
  Object.prototype.hasOwnProperty.call(o, k) && o[k] !== null && o[k] !== undefined;
/** A `map[string]string` with its keys sorted (Go ranges over maps in random order; we pick one). */
export const stringMap = (v: Json | undefined): [string, string][] =>
  Object.entries(obj(v))
    .map(([k, x]) => [k, str(x)] as [string, string])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
