// ValidatingAdmissionPolicy (policy/validating): validations with message/messageExpression/reason,
// auditAnnotations, validationActions, and the Forbidden status of the first denied decision.

import { compileAdmission, evaluateAdmission, PER_CALL_LIMIT, T } from '../../cel/index.ts';
import {
  collectParams,
  compileMessage,
  evaluateConditions,
  objectName,
  RUNTIME_BUDGET,
  type ConditionTrace,
  type EvalContext,
} from './admit.ts';
import type { Json } from './jsonpatch.ts';
import { matches } from './matching.ts';
import type { AdmissionRequestInput, Status } from './types.ts';
import { traceVariables, type VariableTrace } from './variables.ts';

export interface ValidationTrace {
  policy: string;
  binding: string;
  matched: boolean;
  why?: string;
  matchConditions: ConditionTrace[];
  /** Each of `spec.variables` with its value, once the matchConditions passed (when asked for). */
  variables?: VariableTrace[];
  decisions: { index: number; action: 'Admit' | 'Deny'; message?: string; reason?: string }[];
}

const CODES: Record<string, number> = { Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413, Invalid: 422 };

export function runValidatingPolicies(
  input: AdmissionRequestInput,
  ctx: EvalContext,
  object: Json,
  level: string,
  withVariables = false,
): {
  traces: ValidationTrace[];
  warnings: string[];
  auditAnnotations: Record<string, string>;
  error?: { message: string; status: Status };
} {
  const version = input.version ?? '1.34';
  const traces: ValidationTrace[] = [];
  const warnings: string[] = [];
  const auditAnnotations: Record<string, string> = {};
  const denies: { message: string; reason: string }[] = [];
  const matchCtx = {
    request: input.request,
    object,
    oldObject: input.oldObject ?? null,
    namespaceObject: input.namespaceObject ?? undefined,
  };
  for (const policy of input.policies.filter((p) => p.kind === 'ValidatingAdmissionPolicy')) {
    const name = policy.metadata.name;
    const fail = policy.spec.failurePolicy !== 'Ignore';
    const params = !!policy.spec.paramKind;
    const vars = policy.spec.variables ?? [];
    for (const binding of (input.bindings ?? []).filter(
      (b) => b.kind === 'ValidatingAdmissionPolicyBinding' && b.spec.policyName === name,
    )) {
      const trace: ValidationTrace = {
        policy: name,
        binding: binding.metadata.name,
        matched: false,
        matchConditions: [],
        decisions: [],
      };
      traces.push(trace);
      const label = `ValidatingAdmissionPolicy '${name}' with binding '${binding.metadata.name}' denied request: `;
      const pm =
        level === 'patcher'
          ? { matches: true as const }
          : matches(policy.spec.matchConstraints, matchCtx, `policy ${name}`);
      const bm =
        level === 'patcher'
          ? { matches: true as const }
          : matches(binding.spec.matchResources, matchCtx, `binding ${binding.metadata.name}`);
      for (const m of [pm, bm]) {
        if ('error' in m) {
          if (fail) denies.push({ message: label + m.error, reason: 'Forbidden' });
        }
      }
      if (!('matches' in pm && pm.matches) || !('matches' in bm && bm.matches)) {
        trace.why = ('why' in pm && pm.why) || ('why' in bm && bm.why) || 'error';
        continue;
      }
      const ps = collectParams(policy, binding, input, true);
      if (ps.error) {
        if (fail) denies.push({ message: label + `failed to configure binding: ${ps.error}`, reason: 'Forbidden' });
        continue;
      }
      const paramValues = ps.values === undefined ? [undefined] : ps.values;
      const actions = binding.spec.validationActions ?? ['Deny'];
      for (const param of paramValues) {
        const conds = [];
        for (const c of policy.spec.matchConditions ?? []) {
          const r = compileAdmission(c.expression, { version, use: 'matchCondition', params, resultType: [T.bool] });
          if (r.ok) conds.push({ ...c, programs: r.programs });
        }
        const mc = evaluateConditions(conds, ctx, object, param);
        trace.matchConditions = mc.traces;
        if (mc.error) {
          if (fail) denies.push({ message: label + mc.error, reason: 'Invalid' });
          continue;
        }
        if (!mc.matched) {
          trace.why = 'a matchCondition is false';
          continue;
        }
        trace.matched = true;
        const activation = {
          object,
          oldObject: input.oldObject ?? null,
          request: ctx.request,
          namespaceObject: ctx.namespaceObject,
          ...(param !== undefined ? { params: param } : {}),
        };
        const opts = { ...(ctx.authorizer ? { authorizer: ctx.authorizer } : {}) };
        if (withVariables && vars.length)
          trace.variables = traceVariables(vars, { version, use: 'validation', params }, activation, opts);
        let budget = RUNTIME_BUDGET;
        (policy.spec.validations ?? []).forEach((v, index) => {
          const c = compileAdmission(v.expression, { version, use: 'validation', params, resultType: [T.bool] }, vars);
          let deny: { message: string; reason: string } | undefined;
          if (!c.ok) deny = fail ? { message: compileMessage(c), reason: 'Invalid' } : undefined;
          else {
            const r = evaluateAdmission(c.programs, activation, {
              ...opts,
              costLimit: Math.min(PER_CALL_LIMIT, budget),
            });
            budget -= r.cost;
            if (!r.ok)
              deny = fail
                ? { message: `expression '${v.expression}' resulted in error: ${r.error}`, reason: 'Invalid' }
                : undefined;
            else if (r.value !== true) {
              let message = v.message?.trim() || `failed expression: ${v.expression.trim()}`;
              if (v.messageExpression) {
                const me = compileAdmission(
                  v.messageExpression,
                  { version, use: 'validation', params, resultType: [T.string] },
                  vars,
                );
                if (me.ok) {
                  const mr = evaluateAdmission(me.programs, activation, {
                    costLimit: Math.min(PER_CALL_LIMIT, budget),
                  });
                  if (mr.ok && typeof mr.value === 'string') {
                    const t = mr.value.trim();
                    if (t && !/[\r\n]/.test(t) && t.length <= 5120) message = t;
                  }
                }
              }
              deny = { message, reason: v.reason || 'Invalid' };
            }
          }
          trace.decisions.push(
            deny ? { index, action: 'Deny', message: deny.message, reason: deny.reason } : { index, action: 'Admit' },
          );
          if (!deny) return;
          if (actions.includes('Deny')) denies.push({ message: label + deny.message, reason: deny.reason });
          if (actions.includes('Warn'))
            warnings.push(
              `Validation failed for ValidatingAdmissionPolicy '${name}' with binding '${binding.metadata.name}': ${deny.message}`,
            );
          if (actions.includes('Audit')) {
            const key = 'validation.policy.admission.k8s.io/validation_failure';
            const list = auditAnnotations[key] ? (JSON.parse(auditAnnotations[key]) as unknown[]) : [];
            list.push({
              message: deny.message,
              policy: name,
              binding: binding.metadata.name,
              expressionIndex: index,
              validationActions: actions,
            });
            auditAnnotations[key] = JSON.stringify(list);
          }
        });
        for (const a of policy.spec.auditAnnotations ?? []) {
          const c = compileAdmission(a.valueExpression, { version, use: 'validation', params }, vars);
          if (!c.ok) continue;
          const r = evaluateAdmission(c.programs, activation, { ...opts, costLimit: PER_CALL_LIMIT });
          if (!r.ok) {
            if (fail)
              denies.push({
                message: label + `valueExpression '${a.valueExpression}' resulted in error: ${r.error}`,
                reason: 'Invalid',
              });
            continue;
          }
          if (r.value === null) continue;
          if (typeof r.value !== 'string') continue;
          const value = r.value.trim();
          if (!value) continue;
          const key = `${name}/${a.key}`;
          const prev = auditAnnotations[key];
          auditAnnotations[key] = prev && prev !== value ? `${prev}, ${value}` : value.slice(0, 10240);
        }
      }
    }
  }
  if (denies.length === 0) return { traces, warnings, auditAnnotations };
  const first = denies[0]!;
  const g = input.request.resource.group;
  const message = `${input.request.resource.resource}${g ? '.' + g : ''} "${objectName(input, object)}" is forbidden: ${first.message}`;
  return {
    traces,
    warnings,
    auditAnnotations,
    error: {
      message,
      status: {
        code: CODES[first.reason] ?? 422,
        reason: first.reason,
        message,
        details: { causes: [{ message: first.message }] },
      },
    },
  };
}
