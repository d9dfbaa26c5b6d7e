// Every admission vector of testdata/admission-vectors.json (ids kept) through admit(), compared on the outcome
// `porthole admission` prints, with pass counts per level; and every celExpressions vector through the CEL
// entry point. Vectors for versions outside 1.30–1.34 are reported, not run. Corrections to the copy of the
// vectors are listed in testdata/NOTES.md.

import { afterAll, describe, expect, it } from 'vitest';
import { runCelRequest } from '../../cel/index.ts';
import { admit } from './admit.ts';
import { admissionOutcome } from './input.ts';
import { CEL_VECTORS, VECTORS, expectVectorOutcome, runnable, tally } from './vector-check.ts';
import '../../k8s/openapi/load-all.ts';

const t = tally();

describe('admission vectors', () => {
  for (const v of VECTORS) {
    const level = v.level ?? 'apiserver';
    if (!runnable(v)) t.add(level, 'skipped');
    it.skipIf(!runnable(v))(`${v.id} (${level})`, () => {
      try {
        const input = { ...v, version: v.version ?? '1.34' };
        expectVectorOutcome(v, admissionOutcome(input, admit(input)));
        t.add(level, 'pass');
      } catch (err) {
        t.add(level, 'fail');
        throw err;
      }
    });
  }
});

describe('celExpressions vectors', () => {
  for (const c of CEL_VECTORS) {
    it(c.id, () => {
      try {
        const r = runCelRequest(c);
        const want = c.expect;
        if ('value' in want) expect(r).toMatchObject({ value: want.value });
        else if (typeof want.compileError === 'string') {
          expect(r).toMatchObject({ compileError: true });
          expect('error' in r && r.error).toContain(want.compileError);
        } else if (typeof want.error === 'string') expect(r).toMatchObject({ error: want.error });
        else throw new Error(`vector ${c.id} has no expectation this test understands`);
        if ('type' in want) expect(r).toMatchObject({ type: want.type });
        t.add('celExpressions', 'pass');
      } catch (err) {
        t.add('celExpressions', 'fail');
        throw err;
      }
    });
  }
});

afterAll(() => {
  console.log('admission vectors by level:', JSON.stringify(t.counts));
});
