// Kubernetes' regex library (library/regex.go): find and findAll with Go regexp (RE2) leftmost-first semantics.

import { method, stringCost, type Library } from '../decls.ts';
import { nativeStringLists, type Value } from '../values.ts';
import { compileRegex } from './std.ts';

const cost = ([s, re]: Value[]) => (stringCost(s as string) || 1) * Math.ceil([...(re as string)].length * 0.25);

function findAll(s: string, pattern: string, limit: number): Value {
  if (limit === 0) return Object.freeze([]);
  const m = compileRegex(pattern, 'Illegal regex').matcher(s);
  const out: string[] = [];
  let prevEnd = -1;
  let pos = 0;
  // Go's FindAllString: an empty match right after the previous match is skipped.
  while (pos <= s.length && (limit < 0 || out.length < limit) && m.find(pos)) {
    const start = m.start();
    const end = m.end();
    if (!(end === start && start === prevEnd)) out.push(m.group() ?? '');
    prevEnd = end;
    pos = end > start ? end : end + 1;
  }
  const list = Object.freeze(out);
  nativeStringLists.add(list);
  return list;
}

export const regexLibrary: Library = {
  name: 'kubernetes regex',
  introduced: 0,
  overloads: [
    method(
      'string',
      'find',
      ['string'],
      'string',
      ([s, re]) => {
        const m = compileRegex(re as string, 'Illegal regex').matcher(s as string);
        return m.find() ? (m.group() ?? '') : '';
      },
      cost,
    ),
    method('string', 'findAll', ['string'], 'list(string)', ([s, re]) => findAll(s as string, re as string, -1), cost),
    method(
      'string',
      'findAll',
      ['string', 'int'],
      'list(string)',
      ([s, re, n]) => findAll(s as string, re as string, Number(n as bigint)),
      cost,
    ),
  ],
};
