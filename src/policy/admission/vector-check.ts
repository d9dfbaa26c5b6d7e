// Test support (imported by tests only): the admission vectors of testdata/admission-vectors.json and the
// comparison each asks for, applied to the JSON outcome that `porthole admission` prints. Objects compare as the
// vectors' conventions say: nulls and empty maps/lists dropped, server-managed metadata ignored at the apiserver
// level.

import { expect } from 'vitest';
import file from './testdata/admission-vectors.json' with { type: 'json' };
import type { AdmissionOutcome, AdmissionRequestInput } from './types.ts';

export interface Vector extends AdmissionRequestInput {
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

export const VECTORS = file.vectors as unknown as Vector[];
export const CEL_VECTORS = file.celExpressions as unknown as {
  id: string;
  expression: string;
  env: 'authn' | 'validation' | 'mutation' | 'matchCondition';
  expect: Record<string, unknown>;
}[];

/** Vectors for a version after 1.34 are reported as skipped, not run. */
export const runnable = (v: Vector): boolean => Number(/1\.(\d+)/.exec(v.k8s)?.[1] ?? '0') <= 34;

const SERVER_MANAGED = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation'];
function normalize(v: unknown, apiserver: boolean, key = ''): unknown {
  if (Array.isArray(v)) {
    const l = v.map((x) => normalize(x, apiserver)).filter((x) => x !== undefined);
    return l.length ? l : undefined;
  }
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (apiserver && key === 'metadata' && SERVER_MANAGED.includes(k)) continue;
      const n = normalize(x, apiserver, k);
      if (n !== undefined) o[k] = n;
    }
    return Object.keys(o).length ? o : undefined;
  }
  return v === null ? undefined : v;
}

/** Asserts the outcome is what the vector expects, with the comparison its level calls for. */
export function expectVectorOutcome(v: Vector, out: AdmissionOutcome): void {
  const e = v.expect;
  if (e.createError) {
    expect(out).toHaveProperty('createError');
    expect('createError' in out && out.createError).toContain(e.createError.message);
  } else if (e.error) {
    expect(out).toHaveProperty('error');
    const err = 'error' in out ? out.error : undefined;
    if (e.error.patcherErrorContains) expect(err?.message).toContain(e.error.patcherErrorContains);
    if (e.error.status && v.level !== 'patcher') {
      expect(err?.status.code).toBe(e.error.status.code);
      expect(err?.status.reason).toBe(e.error.status.reason);
      expect(err?.status.message).toBe(e.error.status.message);
    }
  } else {
    expect('error' in out ? out.error.message : 'createError' in out ? out.createError : undefined).toBeUndefined();
    const apiserver = v.level === 'apiserver';
    if (e.object !== undefined || e.unchanged) {
      expect(out).toHaveProperty('object');
      const got = normalize('object' in out ? out.object : undefined, apiserver);
      if (e.object !== undefined) expect(got).toEqual(normalize(e.object, apiserver));
      if (e.unchanged) expect(got).toEqual(normalize(v.object, apiserver));
    }
    if (e.allowed) expect(out).toMatchObject({ allowed: true });
    if (e.warnings) expect('warnings' in out ? out.warnings : []).toEqual(e.warnings);
  }
}

/** Pass/fail/skipped counts per vector level, printed after a suite. */
export function tally(): {
  add: (level: string, outcome: 'pass' | 'fail' | 'skipped') => void;
  counts: Record<string, { pass: number; fail: number; skipped: number }>;
} {
  const counts: Record<string, { pass: number; fail: number; skipped: number }> = {};
  return {
    counts,
    add: (level, outcome) => {
      counts[level] ??= { pass: 0, fail: 0, skipped: 0 };
      counts[level][outcome]++;
    },
  };
}
