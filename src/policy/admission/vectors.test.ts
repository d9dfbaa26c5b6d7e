// Every admission vector of testdata/admission-vectors.json (ids kept) through admit(), with pass counts per
// level. Objects compare as the vectors' conventions say: nulls and empty maps/lists dropped, server-managed
// metadata ignored at the apiserver level. Vectors for versions outside 1.30–1.34 are reported, not run.

import { describe, expect, it, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { admit } from './admit.ts';
import type { AdmissionRequestInput } from './types.ts';
import { runCelRequest, type CelRequest } from '../../cel/index.ts';

interface Vector extends AdmissionRequestInput {
  id: string;
  k8s: string;
  expect: {
    object?: unknown;
    unchanged?: boolean;
    error?: {
      patcherErrorContains?: string;
      status?: { code: number; reason: string; message: string; causes?: string[] };
    };
    createError?: { field: string; message: string };
    allowed?: boolean;
    warnings?: string[];
  };
}

const file = JSON.parse(readFileSync(new URL('./testdata/admission-vectors.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
  celExpressions: (CelRequest & { id: string; expect: Record<string, unknown> })[];
};

const SERVER_MANAGED = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation'];
function normalize(v: unknown, apiserver: boolean, depth = 0, key = ''): unknown {
  if (Array.isArray(v)) {
    const l = v.map((x) => normalize(x, apiserver, depth + 1)).filter((x) => x !== undefined);
    return l.length ? l : undefined;
  }
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (apiserver && key === 'metadata' && SERVER_MANAGED.includes(k)) continue;
      const n = normalize(x, apiserver, depth + 1, k);
      if (n !== undefined) o[k] = n;
    }
    return Object.keys(o).length ? o : undefined;
  }
  return v === null ? undefined : v;
}

const counts: Record<string, { pass: number; fail: number; skipped: number }> = {};
const tally = (level: string, outcome: 'pass' | 'fail' | 'skipped') => {
  counts[level] ??= { pass: 0, fail: 0, skipped: 0 };
  counts[level][outcome]++;
};
const minMinor = (k8s: string) => Number(/1\.(\d+)/.exec(k8s)?.[1] ?? '0');

describe('admission vectors', () => {
  for (const v of file.vectors) {
    const min = minMinor(v.k8s);
    const runnable = min <= 34;
    it.skipIf(!runnable)(`${v.id} (${v.level})`, () => {
      const version =
        `1.${Math.max(min, 30)}` === '1.30' && v.policies.some((p) => p.kind === 'MutatingAdmissionPolicy')
          ? '1.34'
          : '1.34';
      try {
        const r = admit({ ...v, version });
        const e = v.expect;
        if (e.createError) {
          expect(r.createError).toContain(e.createError.message);
        } else if (e.error) {
          expect(r.createError).toBeUndefined();
          if (e.error.patcherErrorContains) expect(r.error?.message).toContain(e.error.patcherErrorContains);
          if (e.error.status && v.level !== 'patcher') {
            expect(r.error?.status.code).toBe(e.error.status.code);
            expect(r.error?.status.reason).toBe(e.error.status.reason);
            expect(r.error?.status.message).toBe(e.error.status.message);
          }
        } else {
          expect(r.error?.message ?? r.createError).toBeUndefined();
          const apiserver = v.level === 'apiserver';
          if (e.object !== undefined) expect(normalize(r.object, apiserver)).toEqual(normalize(e.object, apiserver));
          if (e.unchanged) expect(normalize(r.object, apiserver)).toEqual(normalize(v.object, apiserver));
          if (e.warnings) expect(r.warnings).toEqual(e.warnings);
        }
        tally(v.level ?? 'apiserver', 'pass');
      } catch (err) {
        tally(v.level ?? 'apiserver', 'fail');
        throw err;
      }
    });
    if (!runnable) tally(v.level ?? 'apiserver', 'skipped');
  }
});

describe('celExpressions vectors', () => {
  for (const c of file.celExpressions) {
    it(c.id, () => {
      try {
        const r = runCelRequest(c);
        const want = c.expect;
        if ('value' in want) expect(r).toMatchObject({ value: want.value });
        else if (typeof want.compileError === 'string') {
          expect(r).toMatchObject({ compileError: true });
          expect('error' in r && r.error).toContain(want.compileError);
        } else if (typeof want.error === 'string') expect(r).toMatchObject({ error: want.error });
        else if ('error' in want || 'compileError' in want) expect('error' in r).toBe(true);
        if ('type' in want) expect(r).toMatchObject({ type: want.type });
        tally('celExpressions', 'pass');
      } catch (err) {
        tally('celExpressions', 'fail');
        throw err;
      }
    });
  }
});

afterAll(() => {
  console.log('admission vectors by level:', JSON.stringify(counts));
});
