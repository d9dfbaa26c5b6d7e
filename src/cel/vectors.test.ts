// Every `celExpressions` vector of the admission research (testdata/admission-cel-vectors.json, ids kept), run
// through the same entry point as `porthole cel`, at the first version where it applies; vectors that are only
// writable from a later version are also checked to be rejected when a policy is written earlier.

import { describe, expect, it } from 'vitest';
import vectors from './testdata/admission-cel-vectors.json' with { type: 'json' };
import { runCelRequest, type CelRequest } from './run.ts';

interface Vector {
  id: string;
  expression: string;
  k8s: string;
  env: CelRequest['env'];
  vars?: Record<string, unknown>;
  variables?: { name: string; expression: string }[];
  expect: { value?: unknown; type?: string; error?: string; compileError?: string };
}

/**
 * Vectors whose expectation comes from a cel-go doc comment but which Kubernetes answers differently, with why.
 * Kubernetes is the judge, so the test holds the Kubernetes answer.
 */
const KUBERNETES_DIFFERS: Record<string, { expect: Vector['expect']; why: string }> = {
  'ext-lists-flatten': {
    expect: { compileError: "expected type 'int' but found 'list(int)'" },
    why: 'kube-apiserver enables HomogeneousAggregateLiterals, so the mixed literal [1,[2,[3,4]]] does not compile',
  },
};

function versions(k8s: string): { runtime: string; create: string | undefined } {
  const runtime = /^>=(1\.\d+)/.exec(k8s)![1]!;
  const create = /(1\.\d+) at create/.exec(k8s)?.[1];
  return { runtime, create };
}

describe('admission celExpressions vectors', () => {
  for (const v of vectors.celExpressions as Vector[]) {
    const { runtime, create } = versions(v.k8s);
    const override = KUBERNETES_DIFFERS[v.id];
    if (override) v.expect = override.expect;
    it(`${v.id} (${v.k8s})${override ? ` [Kubernetes differs from the vector: ${override.why}]` : ''}`, () => {
      const req: CelRequest = { expression: v.expression, env: v.env, version: runtime };
      if (v.vars) req.vars = v.vars;
      if (v.variables) req.variables = v.variables;
      const got = runCelRequest(req);
      if ('value' in v.expect) {
        expect(got).toMatchObject({ value: v.expect.value });
        if (v.expect.type) expect(got).toMatchObject({ type: v.expect.type });
      } else if (v.expect.error !== undefined) {
        expect(got).toMatchObject({ error: v.expect.error });
      } else if (v.expect.compileError !== undefined) {
        expect('error' in got && got.error).toContain(v.expect.compileError);
      } else throw new Error(`vector ${v.id} has no expectation this test understands`);
    });
    if (create && create !== runtime && !override) {
      it(`${v.id}: rejected when written on ${runtime}, accepted from ${create}`, () => {
        const base: CelRequest = {
          expression: v.expression,
          env: v.env,
          mode: 'new',
          ...(v.vars ? { vars: v.vars } : {}),
        };
        const early = runCelRequest({ ...base, version: runtime });
        expect(early).toMatchObject({ compileError: true });
        expect('error' in early && early.error).toMatch(/undeclared reference|found no matching overload/);
        expect(runCelRequest({ ...base, version: create })).not.toHaveProperty('compileError');
      });
    }
  }
});
