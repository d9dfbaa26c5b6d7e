// cel-go ext Sets (Kubernetes 1.29+): membership by CEL equality, so 1, 1.0 and 1u are the same element.

import { func, type Library } from '../decls.ts';
import { equals, type Value } from '../values.ts';

const list = (v: Value) => v as readonly Value[];
const contains = (a: readonly Value[], b: readonly Value[]) => b.every((x) => a.some((y) => equals(x, y)));
const cost = ([a, b]: Value[]) => Math.max(1, list(a!).length * list(b!).length);

export const setsLibrary: Library = {
  name: 'ext sets',
  introduced: 29,
  overloads: [
    func('sets.contains', ['list(A)', 'list(A)'], 'bool', ([a, b]) => contains(list(a!), list(b!)), cost),
    func(
      'sets.equivalent',
      ['list(A)', 'list(A)'],
      'bool',
      ([a, b]) => contains(list(a!), list(b!)) && contains(list(b!), list(a!)),
      cost,
    ),
    func(
      'sets.intersects',
      ['list(A)', 'list(A)'],
      'bool',
      ([a, b]) => list(b!).some((x) => list(a!).some((y) => equals(x, y))),
      cost,
    ),
  ],
};
