// Kubernetes' lists library (k8s.io/apiserver/pkg/cel/library/lists.go): isSorted, sum, min, max, indexOf,
// lastIndexOf. Element types follow its declarations: comparable scalars, and int/uint/double/duration for sum.

import { callStd } from '../bufbuild.ts';
import { method, type Library, type Overload } from '../decls.ts';
import { celUint, equals, fail, type Value } from '../values.ts';
import { compare } from './std.ts';

const COMPARABLE = ['int', 'uint', 'double', 'bool', 'string', 'bytes', 'timestamp', 'duration'];

function cmp(a: Value, b: Value): number {
  if (typeof a === 'object' && a !== null && 'desc' in a) {
    return callStd('_<_', false, [a, b]) ? -1 : callStd('_>_', false, [a, b]) ? 1 : 0;
  }
  return compare(a, b);
}

const list = (v: Value) => v as readonly Value[];
const size = ([l]: Value[]) => list(l!).length || 1;

function extreme(name: 'min' | 'max', l: readonly Value[]): Value {
  if (!l.length) return fail(`${name} called on empty list`);
  let best: Value = l[0] as Value;
  for (const v of l.slice(1)) if (name === 'min' ? cmp(v, best) < 0 : cmp(v, best) > 0) best = v;
  return best;
}

function sum(t: string, l: readonly Value[]): Value {
  let acc: Value =
    t === 'int' ? 0n : t === 'uint' ? celUint(0n) : t === 'double' ? 0 : callStd('duration', false, ['0s']);
  for (const v of l) acc = t === 'duration' ? callStd('_+_', false, [acc, v]) : addNumber(acc, v);
  return acc;
}

function addNumber(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    const r = a + b;
    if (r > (1n << 63n) - 1n || r < -(1n << 63n)) return fail('integer overflow');
    return r;
  }
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const x = (a as { value: bigint }).value + (b as { value: bigint }).value;
  if (x >= 1n << 64n) return fail('unsigned integer overflow');
  return celUint(x);
}

export const kubernetesListsLibrary: Library = {
  name: 'kubernetes lists',
  introduced: 0,
  overloads: [
    ...COMPARABLE.flatMap((t): Overload[] => [
      method(
        `list(${t})`,
        'isSorted',
        [],
        'bool',
        ([l]) => list(l!).every((v, i, a) => i === 0 || cmp(a[i - 1]!, v) <= 0),
        size,
      ),
      method(`list(${t})`, 'min', [], t, ([l]) => extreme('min', list(l!)), size),
      method(`list(${t})`, 'max', [], t, ([l]) => extreme('max', list(l!)), size),
    ]),
    ...['int', 'uint', 'double', 'duration'].map((t) =>
      method(`list(${t})`, 'sum', [], t, ([l]) => sum(t, list(l!)), size),
    ),
    method('list(A)', 'indexOf', ['A'], 'int', ([l, x]) => BigInt(list(l!).findIndex((v) => equals(v, x!))), size),
    method(
      'list(A)',
      'lastIndexOf',
      ['A'],
      'int',
      ([l, x]) => {
        const a = list(l!);
        for (let i = a.length - 1; i >= 0; i--) if (equals(a[i]!, x!)) return BigInt(i);
        return -1n;
      },
      size,
    ),
  ],
};
