// Every vector of testdata/authn-vectors.json through the module, for each version it names, compared as the
// vector asks (exact, contains, starts/ends with); the pass count per kind is printed at the end.

import { afterAll, describe, expect, it } from 'vitest';
import data from './testdata/authn-vectors.json' with { type: 'json' };
import { runAuthnRequest } from './run.ts';
import { expectationFor, mismatch, requestFor, versionsOf, type Vector } from './vectors.ts';

const vectors = data.vectors as unknown as (Vector & { kind: string })[];
const tally: Record<string, { pass: number; total: number }> = {};

describe('authn vectors through src/policy/authn', () => {
  for (const v of vectors) {
    for (const version of versionsOf(v)) {
      it(`${v.id} @ ${version}`, async () => {
        const t = (tally[v.kind] ??= { pass: 0, total: 0 });
        t.total++;
        const got = await runAuthnRequest(requestFor(v, version));
        const diff = mismatch(expectationFor(v, version), got);
        expect(diff).toBeUndefined();
        t.pass++;
      });
    }
  }
  afterAll(() => {
    const lines = Object.entries(tally).map(([k, t]) => `${k}: ${t.pass}/${t.total}`);
    console.log(`authn vectors (vector × version) passing — ${lines.join(', ')}`);
  });
});
