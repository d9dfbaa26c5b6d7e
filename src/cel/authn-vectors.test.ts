// The CEL parts of the authentication research vectors (testdata/authn-cel-vectors.json, ids kept): compile
// errors of validate vectors, and for authenticate vectors every CEL rule and mapping, per version.
// Only the CEL side is checked here; the authenticator around it (issuer, audience, prefixes) is issue 6's.

import { describe, expect, it } from 'vitest';
import data from './testdata/authn-cel-vectors.json' with { type: 'json' };
import { compile, evaluate, type EvalResult } from './compile.ts';
import { authnEnvironment, claimsValue, minorOf } from './kubernetes.ts';
import { T } from './types.ts';
import { MapValue, fromJSON, toJSON, type Value } from './values.ts';

interface Mapping {
  claim?: string;
  prefix?: string;
  expression?: string;
}
interface Jwt {
  claimValidationRules?: { expression?: string; claim?: string }[];
  claimMappings?: {
    username?: Mapping;
    uid?: Mapping;
    groups?: Mapping;
    extra?: { key: string; valueExpression: string }[];
  };
  userValidationRules?: { expression: string }[];
}
interface Outcome {
  user?: { username: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  error?: string;
  errorContains?: string;
  valid?: boolean;
}
interface Vector {
  id: string;
  kind: 'validate' | 'authenticate';
  versions: string;
  config: { jwt: Jwt[] };
  claims?: Record<string, unknown>;
  expect: Outcome & { byVersion?: Record<string, Outcome> };
}

const ALL = ['1.30', '1.31', '1.32', '1.33', '1.34'];
function inRange(range: string, version: string): boolean {
  const [a, b] = range.split('-');
  const m = minorOf(version);
  return m >= minorOf(a!) && m <= minorOf(b ?? a!);
}
function outcome(v: Vector, version: string): Outcome {
  if (!v.expect.byVersion) return v.expect;
  const hit = Object.entries(v.expect.byVersion).find(([range]) => inRange(range, version));
  if (!hit) throw new Error(`${v.id}: no expectation for ${version}`);
  return hit[1];
}

function run(
  expression: string,
  version: string,
  use: 'claims' | 'user',
  value: Value,
  bool = false,
): EvalResult | { compileError: string } {
  const c = compile(expression, authnEnvironment({ version, use, ...(bool ? { resultType: [T.bool] } : {}) }));
  if (!c.ok) return { compileError: c.message };
  return evaluate(c.program, { [use]: value });
}

/** The text kube-apiserver puts in its error for a failed rule, as our evaluation produces it. */
function failure(expression: string, r: ReturnType<typeof run>): string | undefined {
  if ('compileError' in r) return `compile: ${r.compileError}`;
  if (!r.ok) return `expression '${expression}' resulted in error: ${r.error}`;
  if (r.value === false) return `validation expression '${expression}' failed`;
  return undefined;
}

const asList = (v: unknown): string[] =>
  Array.isArray(v) ? (v as string[]) : v === '' || v === undefined ? [] : [v as string];

describe('authentication vectors: CEL', () => {
  for (const v of data.vectors as unknown as Vector[]) {
    for (const version of ALL.filter((x) => inRange(v.versions, x))) {
      it(`${v.id} @ ${version}`, () => {
        const want = outcome(v, version);
        const jwt = v.config.jwt[0]!;
        const m = jwt.claimMappings ?? {};
        if (v.kind === 'validate') {
          const text = want.error ?? want.errorContains ?? '';
          const exprs: [string, 'claims' | 'user', boolean][] = [
            ...(jwt.claimValidationRules ?? [])
              .filter((r) => r.expression)
              .map((r) => [r.expression!, 'claims', true] as [string, 'claims', boolean]),
            ...[m.username, m.uid, m.groups]
              .filter((x) => x?.expression)
              .map((x) => [x!.expression!, 'claims', false] as [string, 'claims', boolean]),
            ...(m.extra ?? []).map((e) => [e.valueExpression, 'claims', false] as [string, 'claims', boolean]),
            ...(jwt.userValidationRules ?? []).map((r) => [r.expression, 'user', true] as [string, 'user', boolean]),
          ];
          for (const [expr, use, bool] of exprs) {
            const c = compile(expr, authnEnvironment({ version, use, ...(bool ? { resultType: [T.bool] } : {}) }));
            const quoted = `Invalid value: ${JSON.stringify(expr)}: `;
            if (c.ok) {
              expect(text).not.toMatch(new RegExp(`${escape(quoted)}(compilation failed|must evaluate)`));
              continue;
            }
            const ours = `${quoted}${c.resultTypeError ? '' : 'compilation failed: '}${c.message}`;
            if (want.error) expect(want.error).toContain(ours);
            else expect(ours).toContain(want.errorContains);
          }
          return;
        }
        const claims = claimsValue(v.claims ?? {}, version);
        const failures: string[] = [];
        for (const rule of jwt.claimValidationRules ?? []) {
          if (!rule.expression) continue;
          const f = failure(rule.expression, run(rule.expression, version, 'claims', claims, true));
          if (f) failures.push(f);
        }
        const mapped = (mapping: Mapping | undefined, fallback: unknown): unknown => {
          if (!mapping) return fallback;
          if (mapping.expression) {
            const r = run(mapping.expression, version, 'claims', claims);
            if ('compileError' in r || !r.ok) {
              failures.push(failure(mapping.expression, r)!);
              return fallback;
            }
            return toJSON(r.value);
          }
          const raw = (v.claims ?? {})[mapping.claim!];
          if (raw === undefined || raw === null) return fallback;
          const prefix = mapping.prefix ?? '';
          return Array.isArray(raw) ? raw.map((g) => prefix + String(g)) : prefix + String(raw);
        };
        const username = mapped(m.username, '') as string;
        const uid = mapped(m.uid, '') as string;
        const groups = asList(mapped(m.groups, []));
        const extra: Record<string, string[]> = {};
        for (const e of m.extra ?? []) {
          const value = asList(mapped({ expression: e.valueExpression }, []));
          if (value.length) extra[e.key] = value;
        }
        const jti = (v.claims ?? {}).jti;
        if (minorOf(version) >= 32 && typeof jti === 'string' && jti)
          extra['authentication.kubernetes.io/credential-id'] = [`JTI=${jti}`];
        if (!failures.length) {
          const user = fromJSON({ username, uid, groups, extra });
          for (const rule of jwt.userValidationRules ?? []) {
            const f = failure(rule.expression, run(rule.expression, version, 'user', user as MapValue, true));
            if (f) failures.push(f);
          }
        }
        if (want.user) {
          expect(failures).toEqual([]);
          expect({ username, uid, groups, extra }).toEqual({
            username: want.user.username,
            uid: want.user.uid ?? '',
            groups: want.user.groups ?? [],
            extra: want.user.extra ?? {},
          });
        } else {
          expect(failures.length).toBeGreaterThan(0);
          if (want.error) expect(want.error).toContain(failures[0]);
          else expect(failures[0]).toContain(want.errorContains);
        }
      });
    }
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
