// Create-time validation of policies and bindings (kubernetes pkg/apis/admissionregistration/validation):
// the checks that decide the outcome of the vectors, with the apiserver's field.Error rendering.

import { compileAdmission, T, type CelIssue } from '../../cel/index.ts';
import type { Binding, Policy } from './types.ts';

const goQuote = (s: string): string => JSON.stringify(s);

/** One field.Error of a policy or binding: its path and what `field.Error.Error()` prints after the path. */
export interface PolicyFieldError {
  field: string;
  detail: string;
  /** For a CEL expression that does not compile: the compiler's issues (offsets into the expression). */
  cel?: CelIssue[];
}

/** The first invalid object's error, rendered as apierrors.NewInvalid does; undefined when all are valid. */
export function validatePolicies(policies: Policy[], bindings: Binding[], version: string): string | undefined {
  for (const p of policies) {
    const errs = policyFieldErrors(p, version);
    if (errs.length) return invalidMessage(p.kind, p.metadata?.name ?? '', errs);
  }
  for (const b of bindings) {
    const errs = bindingFieldErrors(b);
    if (errs.length) return invalidMessage(b.kind, b.metadata.name, errs);
  }
  return undefined;
}

export function invalidMessage(kind: string, name: string, errs: readonly PolicyFieldError[]): string {
  const rendered = errs.map((e) => `${e.field}: ${e.detail}`);
  return `${kind}.admissionregistration.k8s.io ${goQuote(name)} is invalid: ${rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`}`;
}

export function policyFieldErrors(p: Policy, version: string): PolicyFieldError[] {
  const errs: PolicyFieldError[] = [];
  const err = (field: string, detail: string, cel?: CelIssue[]) =>
    void errs.push({ field, detail, ...(cel ? { cel } : {}) });
  const s = p.spec ?? {};
  const params = !!s.paramKind;
  const vars = s.variables ?? [];
  const check = (
    field: string,
    expression: string,
    use: 'validation' | 'mutation' | 'matchCondition',
    resultType?: ReturnType<typeof T.list>[],
  ) => {
    if (!expression) return err(field, 'Required value');
    const r = compileAdmission(
      expression,
      { version, use, mode: 'new', params, ...(resultType ? { resultType } : {}) },
      use === 'matchCondition' ? [] : vars,
    );
    if (!r.ok) {
      const detail = !r.result.ok && !r.result.resultTypeError ? `compilation failed: ${r.message}` : r.message;
      // The issues point into this expression only when it, not a composited variable, failed to compile.
      const issues = !r.variable && !r.result.ok ? r.result.issues : undefined;
      err(field, `Invalid value: ${goQuote(expression)}: ${detail}`, issues);
    }
  };
  if (!s.matchConstraints) err('spec.matchConstraints', 'Required value');
  else if (!(s.matchConstraints.resourceRules ?? []).length)
    err('spec.matchConstraints.resourceRules', 'Required value');
  if (s.failurePolicy && s.failurePolicy !== 'Fail' && s.failurePolicy !== 'Ignore')
    err(`spec.failurePolicy`, `Unsupported value: ${goQuote(s.failurePolicy)}: supported values: "Fail", "Ignore"`);
  (s.matchConditions ?? []).forEach((c, i) =>
    check(`spec.matchConditions[${i}].expression`, c.expression, 'matchCondition', [T.bool]),
  );
  if (p.kind === 'MutatingAdmissionPolicy') {
    if (!(s.mutations ?? []).length) err('spec.mutations', 'Required value: mutations must contain at least one item');
    (s.mutations ?? []).forEach((m, i) => {
      if (m.patchType === 'ApplyConfiguration') {
        if (!m.applyConfiguration)
          err(
            `spec.mutations[${i}].applyConfiguration`,
            `Required value: must be specified when patchType is ApplyConfiguration`,
          );
        else
          check(`spec.mutations[${i}].applyConfiguration.expression`, m.applyConfiguration.expression, 'mutation', [
            T.object('Object'),
          ]);
        if (m.jsonPatch)
          err(
            `spec.mutations[${i}].jsonPatch`,
            `Forbidden: must not be specified when patchType is ApplyConfiguration`,
          );
      } else if (m.patchType === 'JSONPatch') {
        if (!m.jsonPatch)
          err(`spec.mutations[${i}].jsonPatch`, `Required value: must be specified when patchType is JSONPatch`);
        else
          check(`spec.mutations[${i}].jsonPatch.expression`, m.jsonPatch.expression, 'mutation', [
            T.list(T.object('JSONPatch')),
          ]);
        if (m.applyConfiguration)
          err(
            `spec.mutations[${i}].applyConfiguration`,
            `Forbidden: must not be specified when patchType is JSONPatch`,
          );
      } else if (!m.patchType) err(`spec.mutations[${i}].patchType`, `Required value`);
      else
        err(
          `spec.mutations[${i}].patchType`,
          `Unsupported value: ${goQuote(m.patchType)}: supported values: "ApplyConfiguration", "JSONPatch"`,
        );
    });
    if (!s.reinvocationPolicy) err('spec.reinvocationPolicy', 'Required value');
    else if (s.reinvocationPolicy !== 'Never' && s.reinvocationPolicy !== 'IfNeeded')
      err(
        `spec.reinvocationPolicy`,
        `Unsupported value: ${goQuote(s.reinvocationPolicy)}: supported values: "IfNeeded", "Never"`,
      );
  } else {
    (s.validations ?? []).forEach((v, i) =>
      check(`spec.validations[${i}].expression`, v.expression, 'validation', [T.bool]),
    );
  }
  return errs;
}

export function bindingFieldErrors(b: Binding): PolicyFieldError[] {
  const errs: PolicyFieldError[] = [];
  if (!b.spec?.policyName) errs.push({ field: 'spec.policyName', detail: 'Required value' });
  if (b.kind === 'ValidatingAdmissionPolicyBinding' && !(b.spec?.validationActions ?? []).length)
    errs.push({ field: 'spec.validationActions', detail: 'Required value' });
  return errs;
}
