// The authn vectors (testdata/authn-vectors.json, ids kept) as runnable cases: the expectation for a version,
// the `$generate` shorthand expanded, and the comparison each vector asks for. Shared by the module test and
// the command-line test.

import type { AuthnRequest, AuthnResponse } from './run.ts';
import { VERSIONS } from './types.ts';

export interface Expectation {
  stage?: string;
  valid?: boolean;
  error?: string | null;
  errorContains?: string;
  errorStartsWith?: string;
  errorEndsWith?: string;
  user?: unknown;
  authenticated?: boolean;
}

export interface Vector extends Omit<AuthnRequest, 'version'> {
  id: string;
  versions: string;
  expect: Expectation & { byVersion?: Record<string, Expectation> };
}

function inRange(range: string, version: string): boolean {
  const [a, b] = range.split('-');
  const m = Number(version.split('.')[1]);
  return m >= Number(a!.split('.')[1]) && m <= Number((b ?? a)!.split('.')[1]);
}

export function versionsOf(v: Vector): string[] {
  return VERSIONS.filter((x) => inRange(v.versions, x));
}

export function expectationFor(v: Vector, version: string): Expectation {
  if (!v.expect.byVersion) return v.expect;
  const hit = Object.entries(v.expect.byVersion).find(([range]) => inRange(range, version));
  if (!hit) throw new Error(`${v.id}: no expectation for ${version}`);
  return hit[1];
}

/** The request for one version, with `jwt: {$generate: "65 copies …"}` expanded. */
export function requestFor(v: Vector, version: string): AuthnRequest {
  const { id: _id, versions: _versions, expect: _expect, ...rest } = v;
  const req: AuthnRequest = { ...rest, version };
  const config = req.config as { jwt?: unknown } | undefined;
  const gen = config?.jwt as { $generate?: string } | undefined;
  if (gen && typeof gen === 'object' && !Array.isArray(gen) && gen.$generate) {
    const n = Number(/^(\d+) copies/.exec(gen.$generate)?.[1]);
    req.config = {
      ...config,
      jwt: Array.from({ length: n }, (_, i) => ({
        issuer: { url: `https://issuer-${i}`, audiences: ['audience'] },
        claimValidationRules: [{ claim: 'foo', requiredValue: 'bar' }],
        claimMappings: { username: { claim: 'sub', prefix: 'prefix' } },
      })),
    };
  }
  return req;
}

/** Undefined when the answer meets the expectation, else what differs. */
export function mismatch(want: Expectation, got: AuthnResponse): string | undefined {
  const g = got as Record<string, unknown>;
  const error = typeof g.error === 'string' ? g.error : undefined;
  const show = JSON.stringify(got);
  if (want.valid) return g.valid === true ? undefined : `want valid, got ${show}`;
  if (want.user !== undefined)
    return canonical(g.user) === canonical(want.user)
      ? undefined
      : `want user ${JSON.stringify(want.user)}, got ${show}`;
  if (want.authenticated === false && (want.error === null || want.error === undefined))
    return g.authenticated === false && error === undefined ? undefined : `want not authenticated, got ${show}`;
  if (want.stage && g.stage !== want.stage) return `want stage ${want.stage}, got ${show}`;
  if (error === undefined) return `want an error, got ${show}`;
  if (typeof want.error === 'string' && error !== want.error)
    return `want error ${JSON.stringify(want.error)}, got ${JSON.stringify(error)}`;
  if (want.errorContains && !error.includes(want.errorContains))
    return `want error containing ${JSON.stringify(want.errorContains)}, got ${JSON.stringify(error)}`;
  if (want.errorStartsWith && !error.startsWith(want.errorStartsWith))
    return `want error starting ${JSON.stringify(want.errorStartsWith)}, got ${JSON.stringify(error)}`;
  if (want.errorEndsWith && !error.endsWith(want.errorEndsWith))
    return `want error ending ${JSON.stringify(want.errorEndsWith)}, got ${JSON.stringify(error)}`;
  return undefined;
}

/** JSON with object keys sorted: user.extra is a Go map, its order means nothing. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}
