// One evaluation request in the shape of the `celExpressions` vectors, as used by `porthole cel --input FILE`:
// {expression, env: "authn"|"validation"|"mutation"|"matchCondition", version, vars, variables}.

import { compile, evaluate, PER_CALL_LIMIT, type CelIssue } from './compile.ts';
import {
  admissionEnvironment,
  authnEnvironment,
  claimsValue,
  compileAdmission,
  evaluateAdmission,
  minorOf,
  type AdmissionUse,
} from './kubernetes.ts';
import { T } from './types.ts';
import { mockAuthorizer } from './lib/authz.ts';
import { fromJSON, toJSON, typeName, type Value } from './values.ts';

export interface CelRequest {
  expression: string;
  env: 'authn' | AdmissionUse;
  version?: string;
  /** `stored` (default): evaluation-time environment; `new`: the environment used when a policy is written. */
  mode?: 'stored' | 'new';
  /** Variable values: `object`, `oldObject`, `request`, `params`, `namespaceObject`; or `claims` / `user`. */
  vars?: Record<string, unknown>;
  /** Composited variables (admission), in order. */
  variables?: { name: string; expression: string }[] | Record<string, string>;
  costLimit?: number;
  /** Mock authorizer for `authorizer.*` checks: a default decision and optional rules (first match wins). */
  authorizer?: Parameters<typeof mockAuthorizer>[0];
}

export type CelResponse =
  | { value: unknown; type: string; cost: number }
  | {
      error: string;
      cost?: number;
      compileError?: boolean;
      /** Where a compile error is: positions in the expression, or in the named composited variable's. */
      issues?: CelIssue[];
      variable?: string;
    };

export const DEFAULT_VERSION = '1.34';

export function runCelRequest(req: CelRequest): CelResponse {
  if (typeof req.expression !== 'string') return { error: 'input: "expression" must be a string' };
  const version = req.version ?? DEFAULT_VERSION;
  try {
    minorOf(version);
  } catch (e) {
    return { error: `input: ${(e as Error).message}` };
  }
  const costLimit = req.costLimit ?? PER_CALL_LIMIT;
  const vars = req.vars ?? {};
  const out = (value: Value, cost: number): CelResponse => ({ value: toJSON(value), type: typeName(value), cost });
  if (req.env === 'authn') {
    const use = 'user' in vars ? 'user' : 'claims';
    const env = authnEnvironment({ version, use });
    const r = compile(req.expression, env);
    if (!r.ok) return { error: `compilation failed: ${r.message}`, compileError: true, issues: r.issues };
    const activation: Record<string, Value> =
      use === 'claims' ? { claims: claimsValue(vars.claims ?? {}, version) } : { user: fromJSON(vars.user ?? {}) };
    const e = evaluate(r.program, activation, { costLimit });
    return e.ok ? out(e.value, e.cost) : { error: e.error, cost: e.cost };
  }
  if (req.env !== 'validation' && req.env !== 'mutation' && req.env !== 'matchCondition') {
    return { error: `input: "env" must be one of authn, validation, mutation, matchCondition` };
  }
  const variables = Array.isArray(req.variables)
    ? req.variables
    : Object.entries(req.variables ?? {}).map(([name, expression]) => ({ name, expression }));
  const resultType = req.env === 'mutation' ? undefined : [T.bool];
  const c = compileAdmission(
    req.expression,
    {
      version,
      use: req.env,
      mode: req.mode ?? 'stored',
      params: 'params' in vars,
      ...(resultType ? { resultType } : {}),
    },
    variables,
  );
  if (!c.ok) {
    const what = c.variable ? `variable "${c.variable}": ` : '';
    const prefix = c.result.ok || c.result.resultTypeError ? '' : 'compilation failed: ';
    return {
      error: `${what}${prefix}${c.message}`,
      compileError: true,
      ...(!c.result.ok && c.result.issues.length ? { issues: c.result.issues } : {}),
      ...(c.variable ? { variable: c.variable } : {}),
    };
  }
  const e = evaluateAdmission(c.programs, vars, {
    costLimit,
    ...(req.authorizer ? { authorizer: mockAuthorizer(req.authorizer) } : {}),
  });
  return e.ok ? out(e.value, e.cost) : { error: e.error, cost: e.cost };
}

// Re-exported so a caller can check an environment without evaluating.
export { admissionEnvironment };
