// What each of a policy's `spec.variables` evaluates to for one invocation, for display. The apiserver evaluates
// variables lazily and never reports them; the playground shows each one, so this evaluates them again on their
// own budget (the decision above does not depend on it).

import {
  compileAdmission,
  evaluateAdmission,
  PER_CALL_LIMIT,
  toJSON,
  typeName,
  type AdmissionInput,
  type EvaluateOptions,
} from '../../cel/index.ts';
import type { NamedExpression } from './types.ts';

export interface VariableTrace {
  name: string;
  /** The value as JSON (CEL ints beyond 2^53 as strings, optionals as `{optional: …}`). */
  value?: unknown;
  /** The CEL type of the value (`int`, `map`, `list`, `Object.spec`…). */
  type?: string;
  error?: string;
}

export function traceVariables(
  variables: readonly NamedExpression[],
  options: { version: string; use: 'validation' | 'mutation'; params: boolean },
  input: AdmissionInput,
  evaluate: Pick<EvaluateOptions, 'authorizer'> = {},
): VariableTrace[] {
  return variables.map((v, i) => {
    // `variables.<name>` with the variables up to this one: each sees only those before it, as compiled.
    const compiled = compileAdmission(`variables.${v.name}`, { ...options }, variables.slice(0, i + 1));
    if (!compiled.ok) return { name: v.name, error: compiled.message };
    const r = evaluateAdmission(compiled.programs, input, { ...evaluate, costLimit: PER_CALL_LIMIT });
    if (!r.ok) return { name: v.name, error: r.error };
    return { name: v.name, value: toJSON(r.value), type: typeName(r.value) };
  });
}
