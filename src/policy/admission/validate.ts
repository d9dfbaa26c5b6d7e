// Create-time validation of policies and bindings (kubernetes pkg/apis/admissionregistration/validation):
// the checks that decide the outcome of the vectors, with the apiserver's field.Error rendering.

import { compileAdmission, T } from '../../cel/index.ts';
import type { Binding, Policy } from './types.ts';

const goQuote = (s: string): string => JSON.stringify(s);

/** The first invalid object's error, rendered as apierrors.NewInvalid does; undefined when all are valid. */
export function validatePolicies(policies: Policy[], bindings: Binding[], version: string): string | undefined {
  for (const p of policies) {
    const errs: string[] = [];
    const s = p.spec ?? {};
    const params = !!s.paramKind;
    const vars = s.variables ?? [];
    const check = (
      field: string,
      expression: string,
      use: 'validation' | 'mutation' | 'matchCondition',
      resultType?: ReturnType<typeof T.list>[],
    ) => {
      if (!expression) return void errs.push(`${field}: Required value`);
      const r = compileAdmission(
        expression,
        { version, use, mode: 'new', params, ...(resultType ? { resultType } : {}) },
        use === 'matchCondition' ? [] : vars,
      );
      if (!r.ok) {
        const detail = !r.result.ok && !r.result.resultTypeError ? `compilation failed: ${r.message}` : r.message;
        errs.push(`${field}: Invalid value: ${goQuote(expression)}: ${detail}`);
      }
    };
    if (!s.matchConstraints) errs.push('spec.matchConstraints: Required value');
    else if (!(s.matchConstraints.resourceRules ?? []).length)
      errs.push('spec.matchConstraints.resourceRules: Required value');
    if (s.failurePolicy && s.failurePolicy !== 'Fail' && s.failurePolicy !== 'Ignore')
      errs.push(
        `spec.failurePolicy: Unsupported value: ${goQuote(s.failurePolicy)}: supported values: "Fail", "Ignore"`,
      );
    (s.matchConditions ?? []).forEach((c, i) =>
      check(`spec.matchConditions[${i}].expression`, c.expression, 'matchCondition', [T.bool]),
    );
    if (p.kind === 'MutatingAdmissionPolicy') {
      if (!(s.mutations ?? []).length)
        errs.push('spec.mutations: Required value: mutations must contain at least one item');
      (s.mutations ?? []).forEach((m, i) => {
        if (m.patchType === 'ApplyConfiguration') {
          if (!m.applyConfiguration)
            errs.push(
              `spec.mutations[${i}].applyConfiguration: Required value: must be specified when patchType is ApplyConfiguration`,
            );
          else
            check(`spec.mutations[${i}].applyConfiguration.expression`, m.applyConfiguration.expression, 'mutation', [
              T.object('Object'),
            ]);
          if (m.jsonPatch)
            errs.push(
              `spec.mutations[${i}].jsonPatch: Forbidden: must not be specified when patchType is ApplyConfiguration`,
            );
        } else if (m.patchType === 'JSONPatch') {
          if (!m.jsonPatch)
            errs.push(`spec.mutations[${i}].jsonPatch: Required value: must be specified when patchType is JSONPatch`);
          else
            check(`spec.mutations[${i}].jsonPatch.expression`, m.jsonPatch.expression, 'mutation', [
              T.list(T.object('JSONPatch')),
            ]);
          if (m.applyConfiguration)
            errs.push(
              `spec.mutations[${i}].applyConfiguration: Forbidden: must not be specified when patchType is JSONPatch`,
            );
        } else if (!m.patchType) errs.push(`spec.mutations[${i}].patchType: Required value`);
        else
          errs.push(
            `spec.mutations[${i}].patchType: Unsupported value: ${goQuote(m.patchType)}: supported values: "ApplyConfiguration", "JSONPatch"`,
          );
      });
      if (!s.reinvocationPolicy) errs.push('spec.reinvocationPolicy: Required value');
      else if (s.reinvocationPolicy !== 'Never' && s.reinvocationPolicy !== 'IfNeeded')
        errs.push(
          `spec.reinvocationPolicy: Unsupported value: ${goQuote(s.reinvocationPolicy)}: supported values: "IfNeeded", "Never"`,
        );
    } else {
      (s.validations ?? []).forEach((v, i) =>
        check(`spec.validations[${i}].expression`, v.expression, 'validation', [T.bool]),
      );
    }
    if (errs.length)
      return `${p.kind}.admissionregistration.k8s.io ${goQuote(p.metadata?.name ?? '')} is invalid: ${errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`}`;
  }
  for (const b of bindings) {
    if (b.kind === 'ValidatingAdmissionPolicyBinding') {
      const a = b.spec.validationActions ?? [];
      if (!a.length)
        return `ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io ${goQuote(b.metadata.name)} is invalid: spec.validationActions: Required value`;
    }
  }
  return undefined;
}
