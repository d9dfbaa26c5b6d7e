// cel-go ext TwoVarComprehensions (Kubernetes 1.32+): all/exists/existsOne with two variables, transformList,
// transformMap and transformMapEntry. The macros expand in the parser; `cel.@mapInsert` builds the maps.

import { func, type Library } from '../decls.ts';
import { MapValue, fail, type Value } from '../values.ts';

function insert(m: MapValue, k: Value, v: Value): MapValue {
  return m.with(k, v) ?? fail(`insert failed: key ${String(k)} already exists`);
}

export const twoVarComprehensionsLibrary: Library = {
  name: 'two-variable comprehensions',
  introduced: 32,
  macros: [
    'all/2var',
    'exists/2var',
    'existsOne/2var',
    'exists_one/2var',
    'transformList/2var',
    'transformMap/2var',
    'transformMapEntry/2var',
  ],
  overloads: [
    func('cel.@mapInsert', ['map(K, V)', 'K', 'V'], 'map(K, V)', ([m, k, v]) => insert(m as MapValue, k!, v!)),
    func('cel.@mapInsert', ['map(K, V)', 'map(K, V)'], 'map(K, V)', ([m, e]) => {
      let out = m as MapValue;
      for (const [k, v] of (e as MapValue).entries()) out = insert(out, k, v);
      return out;
    }),
  ],
};
