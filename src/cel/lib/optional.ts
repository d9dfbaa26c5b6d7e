// Optional types (cel-go OptionalTypes; Kubernetes 1.28+; `first`/`last`/`unwrap` with cel-go 0.23, Kubernetes 1.33).

import { func, method, type Library } from '../decls.ts';
import { MapValue, OptionalValue, fail, isCelUint, type Value } from '../values.ts';

const opt = (v: Value) => v as OptionalValue;

/** Whether a value is its type's zero value (optional.ofNonZeroValue). */
function isZero(v: Value): boolean {
  if (v === null || v === false || v === 0n || v === 0 || v === '') return true;
  if (isCelUint(v)) return v.value === 0n;
  if (v instanceof Uint8Array || Array.isArray(v)) return v.length === 0;
  if (v instanceof MapValue) return v.size === 0;
  return false;
}

export const optionalLibrary: Library = {
  name: 'optional types',
  introduced: 28,
  macros: ['optMap', 'optFlatMap'],
  overloads: [
    func('optional.of', ['A'], 'optional_type(A)', ([v]) => OptionalValue.of(v!)),
    func('optional.ofNonZeroValue', ['A'], 'optional_type(A)', ([v]) =>
      isZero(v!) ? OptionalValue.none : OptionalValue.of(v!),
    ),
    func('optional.none', [], 'optional_type(A)', () => OptionalValue.none),
    method('optional_type(A)', 'value', [], 'A', ([o]) =>
      opt(o!).hasValue() ? opt(o!).value! : fail('optional.none() dereference'),
    ),
    method('optional_type(A)', 'hasValue', [], 'bool', ([o]) => opt(o!).hasValue()),
    method('optional_type(A)', 'or', ['optional_type(A)'], 'optional_type(A)', ([o, p]) =>
      opt(o!).hasValue() ? o! : p!,
    ),
    method('optional_type(A)', 'orValue', ['A'], 'A', ([o, v]) => (opt(o!).hasValue() ? opt(o!).value! : v!)),
    func('_[?_]', ['list(A)', 'int'], 'optional_type(A)', () => fail('no such overload')),
    func('_[?_]', ['map(K, V)', 'K'], 'optional_type(V)', () => fail('no such overload')),
    func('_[?_]', ['optional_type(list(A))', 'int'], 'optional_type(A)', () => fail('no such overload')),
    func('_[?_]', ['optional_type(map(K, V))', 'K'], 'optional_type(V)', () => fail('no such overload')),
    func('_[_]', ['optional_type(list(A))', 'int'], 'optional_type(A)', () => fail('no such overload')),
    func('_[_]', ['optional_type(map(K, V))', 'K'], 'optional_type(V)', () => fail('no such overload')),
  ],
};

export const optionalListLibrary: Library = {
  name: 'optional types: first, last, unwrap',
  introduced: 33,
  overloads: [
    method('list(A)', 'first', [], 'optional_type(A)', ([l]) => {
      const list = l as readonly Value[];
      return list.length ? OptionalValue.of(list[0]!) : OptionalValue.none;
    }),
    method('list(A)', 'last', [], 'optional_type(A)', ([l]) => {
      const list = l as readonly Value[];
      return list.length ? OptionalValue.of(list[list.length - 1]!) : OptionalValue.none;
    }),
    func('optional.unwrap', ['list(optional_type(A))'], 'list(A)', ([l]) => unwrap(l!)),
    method('list(optional_type(A))', 'unwrapOpt', [], 'list(A)', ([l]) => unwrap(l!)),
  ],
};

function unwrap(l: Value): Value {
  const out: Value[] = [];
  for (const o of l as readonly Value[]) {
    if (!(o instanceof OptionalValue)) return fail('no such overload');
    if (o.hasValue()) out.push(o.value);
  }
  return Object.freeze(out);
}
