// cel-go ext Lists version 3 (Kubernetes 1.34+): slice, flatten, distinct, reverse, sort, sortBy, lists.range.

import { func, method, type Library } from '../decls.ts';
import { equals, fail, typeName, type Value } from '../values.ts';
import { callStd } from '../bufbuild.ts';
import { compare } from './std.ts';

const list = (v: Value) => v as readonly Value[];
const SORTABLE = ['int', 'uint', 'double', 'bool', 'string', 'bytes', 'timestamp', 'duration'];

function cmp(a: Value, b: Value): number {
  if (typeof a === 'object' && a !== null && 'desc' in a)
    return callStd('_<_', false, [a, b]) ? -1 : callStd('_>_', false, [a, b]) ? 1 : 0;
  return compare(a, b);
}

function flatten(l: readonly Value[], depth: number): Value[] {
  const out: Value[] = [];
  for (const v of l) {
    if (Array.isArray(v) && depth > 0) out.push(...flatten(v as readonly Value[], depth - 1));
    else out.push(v);
  }
  return out;
}

function sortBy(l: readonly Value[], keys: readonly Value[]): Value {
  if (l.length !== keys.length) return fail('@sortByAssociatedKeys: list sizes differ');
  const idx = l.map((_, i) => i);
  idx.sort((a, b) => cmp(keys[a]!, keys[b]!));
  return Object.freeze(idx.map((i) => l[i]!));
}

export const extListsLibrary: Library = {
  name: 'ext lists v3',
  introduced: 34,
  macros: ['sortBy'],
  overloads: [
    method('list(A)', 'slice', ['int', 'int'], 'list(A)', ([l, a, b]) => {
      const [s, e] = [Number(a as bigint), Number(b as bigint)];
      if (s < 0 || e < 0) return fail(`cannot slice(${s}, ${e}), negative indexes not supported`);
      if (s > e) return fail(`cannot slice(${s}, ${e}), start index must be less than or equal to end index`);
      if (e > list(l!).length) return fail(`cannot slice(${s}, ${e}), list is length ${list(l!).length}`);
      return Object.freeze(list(l!).slice(s, e));
    }),
    method('list(dyn)', 'flatten', [], 'list(dyn)', ([l]) => Object.freeze(flatten(list(l!), 1))),
    method('list(dyn)', 'flatten', ['int'], 'list(dyn)', ([l, d]) => {
      if ((d as bigint) < 0n) return fail('level must be non-negative');
      return Object.freeze(flatten(list(l!), Number(d as bigint)));
    }),
    method('list(A)', 'distinct', [], 'list(A)', ([l]) => {
      const out: Value[] = [];
      for (const v of list(l!)) if (!out.some((x) => equals(x, v))) out.push(v);
      return Object.freeze(out);
    }),
    method('list(A)', 'reverse', [], 'list(A)', ([l]) => Object.freeze([...list(l!)].reverse())),
    ...SORTABLE.map((t) =>
      method(`list(${t})`, 'sort', [], `list(${t})`, ([l]) => {
        const items = list(l!);
        // Elements of different runtime types (possible through dyn) cannot be ordered.
        if (items.some((v) => typeName(v) !== typeName(items[0]!)))
          return fail('list elements must have the same type');
        return Object.freeze([...items].sort(cmp));
      }),
    ),
    func('@sortByAssociatedKeys', ['list(A)', 'list(B)'], 'list(A)', ([l, k]) => sortBy(list(l!), list(k!))),
    func('lists.range', ['int'], 'list(int)', ([n]) =>
      Object.freeze(Array.from({ length: Math.max(0, Number(n as bigint)) }, (_, i) => BigInt(i))),
    ),
  ],
};
