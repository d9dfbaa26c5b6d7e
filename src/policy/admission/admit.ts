// One admission request through MutatingAdmissionPolicy and then ValidatingAdmissionPolicy, as kube-apiserver's
// admission chain runs them: matching, params, matchConditions, variables, mutations with reinvocation,
// validations with their actions, and the Status a rejected request gets.

import {
  compileAdmission,
  evaluateAdmission,
  mockAuthorizer,
  PER_CALL_LIMIT,
  T,
  toJSON,
  type AdmissionPrograms,
  type Value,
} from '../../cel/index.ts';
import { builtinDefaults } from './builtin-defaults.ts';
import { openApiSchemas } from './openapi-schemas.ts';
import { applyDefaults } from './defaulting.ts';
import { convertObject, equivalentResources, type EquivalentResource } from './equivalence.ts';
import type { Json } from './jsonpatch.ts';
import { matches, selectorMatches, type MatchContext } from './matching.ts';
import { applyConfiguration, jsonPatch, MutationError } from './mutation.ts';
import { deduced, type SchemaSource } from './schema.ts';
import type { AdmissionRequestInput, Binding, Policy, Status } from './types.ts';
import { validateBuiltinObject, type ObjectValidation } from './object-validation/index.ts';
import { validatePolicies } from './validate.ts';
import { runValidatingPolicies, type ValidationTrace } from './validating.ts';
import { traceVariables, type VariableTrace } from './variables.ts';

export const RUNTIME_BUDGET = 10_000_000;
export const MATCH_CONDITIONS_BUDGET = 2_500_000;

export interface ConditionTrace {
  name: string;
  value?: boolean;
  error?: string;
}

export interface MutationTrace {
  index: number;
  patchType: string;
  /** The object after this mutation (unchanged on error or on a failed JSONPatch test). */
  object?: Json;
  error?: string;
}

export interface InvocationTrace {
  policy: string;
  binding: string;
  param?: string;
  pass: 1 | 2;
  matched: boolean;
  why?: string;
  matchConditions: ConditionTrace[];
  /** Each of `spec.variables` with its value for the object as the invocation began (each mutation sees the object as the mutations before it left it). */
  variables?: VariableTrace[];
  mutations: MutationTrace[];
  error?: string;
}

export interface AdmissionResult {
  /** The final object (after all mutations) when the request is admitted. */
  object?: Json;
  error?: { message: string; status: Status };
  createError?: string;
  warnings: string[];
  auditAnnotations: Record<string, string>;
  invocations: InvocationTrace[];
  validations: ValidationTrace[];
  /** The apiserver's validation of the built-in object after mutation (level apiserver only). */
  objectValidation?: ObjectValidation;
}

export interface AdmitOptions {
  schemas?: SchemaSource;
  /** Evaluate each policy's variables once more for the traces (the playground shows them). */
  traceVariables?: boolean;
}

export class PolicyError {
  constructor(
    readonly message: string,
    readonly reason: 'Invalid' | 'Forbidden',
    readonly ignored: boolean,
  ) {}
}

const isObj = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The CEL `request` value: the request attributes with requestKind/requestResource defaulted. */
export function requestValue(input: AdmissionRequestInput): Record<string, unknown> {
  const r = input.request;
  return {
    ...r,
    requestKind: r.kind,
    requestResource: r.resource,
    requestSubResource: r.subResource ?? '',
    subResource: r.subResource ?? '',
    namespace: r.namespace ?? '',
    name: r.name ?? '',
    dryRun: r.dryRun ?? false,
  };
}

export interface ParamSet {
  /** undefined: the policy has no paramKind (params undeclared); null: no paramRef. */
  values: (Json | null)[] | undefined;
  names: string[];
  error?: string;
}

/** CollectParams (generic/policy_dispatcher.go). */
export function collectParams(
  policy: Policy,
  binding: Binding,
  input: AdmissionRequestInput,
  keepTypeMeta: boolean,
): ParamSet {
  const kind = policy.spec.paramKind;
  if (!kind) return { values: undefined, names: [] };
  const ref = binding.spec.paramRef;
  if (!ref) return { values: [null], names: [''] };
  const candidates = (input.params ?? []).filter(
    (p): p is Record<string, Json> => isObj(p) && p.apiVersion === kind.apiVersion && p.kind === kind.kind,
  );
  const metaOf = (p: Record<string, Json>) => (isObj(p.metadata) ? p.metadata : {});
  const clusterScoped = candidates.length > 0 && candidates.every((p) => !metaOf(p).namespace);
  let namespace = ref.namespace ?? '';
  if (clusterScoped && namespace)
    return { values: [], names: [], error: 'paramRef.namespace must not be provided for a cluster-scoped `paramKind`' };
  if (!clusterScoped && !namespace) {
    namespace = input.request.namespace ?? '';
    if (!namespace)
      return {
        values: [],
        names: [],
        error: 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources',
      };
  }
  const found = candidates.filter((p) => {
    const m = metaOf(p);
    if (!clusterScoped && m.namespace !== namespace) return false;
    if (ref.name) return m.name === ref.name;
    const labels = isObj(m.labels) ? (m.labels as Record<string, string>) : {};
    return selectorMatches(ref.selector ?? {}, labels);
  });
  if (found.length === 0) {
    if (ref.parameterNotFoundAction === 'Deny')
      return { values: [], names: [], error: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
    return { values: [], names: [] };
  }
  const strip = (p: Record<string, Json>): Json => {
    // Built-in params come from an informer without TypeMeta; VAP adds it back, MAP does not.
    if (keepTypeMeta || String(p.apiVersion).includes('/')) return p;
    const { apiVersion: _a, kind: _k, ...rest } = p;
    return rest;
  };
  return { values: found.map(strip), names: found.map((p) => String(metaOf(p).name ?? '')) };
}

interface CompiledMutating {
  policy: Policy;
  conditions: { name: string; expression: string; programs: AdmissionPrograms }[];
  mutations: { patchType: string; expression: string; programs?: AdmissionPrograms; compileError?: string }[];
  compileError?: string;
}

function compileMutating(policy: Policy, version: string): CompiledMutating {
  const params = !!policy.spec.paramKind;
  const variables = policy.spec.variables ?? [];
  const out: CompiledMutating = { policy, conditions: [], mutations: [] };
  for (const c of policy.spec.matchConditions ?? []) {
    const r = compileAdmission(c.expression, { version, use: 'matchCondition', params, resultType: [T.bool] });
    if (!r.ok) {
      out.compileError ??= compileMessage(r);
      continue;
    }
    out.conditions.push({ ...c, programs: r.programs });
  }
  (policy.spec.mutations ?? []).forEach((m) => {
    const expression = (m.patchType === 'JSONPatch' ? m.jsonPatch?.expression : m.applyConfiguration?.expression) ?? '';
    const resultType = m.patchType === 'JSONPatch' ? [T.list(T.object('JSONPatch'))] : [T.object('Object')];
    const r = compileAdmission(expression, { version, use: 'mutation', params, resultType }, variables);
    if (!r.ok) out.mutations.push({ patchType: m.patchType, expression, compileError: compileMessage(r) });
    else out.mutations.push({ patchType: m.patchType, expression, programs: r.programs });
  });
  return out;
}

export function compileMessage(r: {
  message: string;
  variable?: string;
  result: { ok: boolean; resultTypeError?: boolean };
}): string {
  const prefix = !r.result.ok && !r.result.resultTypeError ? 'compilation failed: ' : '';
  const what = r.variable ? `composited variable "${r.variable}" fails to compile: ` : '';
  return `${what}${prefix}${r.message}`;
}

export interface EvalContext {
  input: AdmissionRequestInput;
  request: Record<string, unknown>;
  authorizer: ReturnType<typeof mockAuthorizer> | undefined;
  namespaceObject: Json;
}

/** Evaluates the matchConditions of one invocation: false wins over errors. */
export function evaluateConditions(
  conditions: { name: string; expression: string; programs: AdmissionPrograms }[],
  ctx: EvalContext,
  object: Json,
  params: Json | null | undefined,
): { matched: boolean; traces: ConditionTrace[]; error?: string } {
  const traces: ConditionTrace[] = [];
  let budget = MATCH_CONDITIONS_BUDGET;
  const errors: string[] = [];
  for (const c of conditions) {
    const r = evaluateAdmission(
      c.programs,
      {
        object,
        oldObject: ctx.input.oldObject ?? null,
        request: ctx.request,
        namespaceObject: null,
        ...(params !== undefined ? { params } : {}),
      },
      { costLimit: Math.min(PER_CALL_LIMIT, budget), ...(ctx.authorizer ? { authorizer: ctx.authorizer } : {}) },
    );
    budget -= r.cost;
    if (r.ok) traces.push({ name: c.name, value: r.value === true });
    else {
      const msg = `expression '${c.expression}' resulted in error: ${r.error}`;
      traces.push({ name: c.name, error: msg });
      errors.push(msg);
    }
  }
  const firstFalse = traces.find((t) => t.value === false);
  if (firstFalse) return { matched: false, traces };
  if (errors.length)
    return { matched: false, traces, error: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]` };
  return { matched: true, traces };
}

export function admit(input: AdmissionRequestInput, options: AdmitOptions = {}): AdmissionResult {
  const version = input.version ?? '1.34';
  const level = input.level ?? 'apiserver';
  const schemas = options.schemas ?? openApiSchemas;
  const result: AdmissionResult = { warnings: [], auditAnnotations: {}, invocations: [], validations: [] };
  // A body that is not an object never reaches admission: the apiserver fails to decode it (400).
  for (const key of ['object', 'oldObject', 'namespaceObject'] as const) {
    const v = input[key];
    if (v === undefined || v === null || isObj(v)) continue;
    const message = `${key}: must be a mapping (a Kubernetes object) or null, got ${Array.isArray(v) ? 'a list' : `a ${typeof v}`}`;
    return { ...result, error: { message, status: { code: 400, reason: 'BadRequest', message } } };
  }
  if (level !== 'patcher') {
    const createError = validatePolicies(input.policies, input.bindings ?? [], version);
    if (createError) return { ...result, createError };
  }
  const ctx: EvalContext = {
    input,
    request: requestValue(input),
    authorizer: input.authorizer ? mockAuthorizer(input.authorizer as Parameters<typeof mockAuthorizer>[0]) : undefined,
    namespaceObject: input.namespaceObject ?? null,
  };
  const schemaOf = (gvk: { group: string; version: string; kind: string }) => {
    const schema = schemas.schemaFor(version, gvk) ?? deduced;
    return { schema, strict: schemas.isBuiltin(version, gvk) ? schema : undefined };
  };
  const equivalents = equivalentResources(
    input.request.resource,
    input.request.subResource ?? '',
    version,
    input.customResourceDefinitions ?? [],
  );
  const minor = Number(version.split('.')[1] ?? '34');

  let object: Json = input.object;
  const errors: PolicyError[] = [];
  const mutating = input.policies.filter((p) => p.kind === 'MutatingAdmissionPolicy');
  const compiled = mutating.map((p) => compileMutating(p, version));
  const matchCtx = (): MatchContext => ({
    request: input.request,
    object,
    oldObject: input.oldObject ?? null,
    namespaceObject: input.namespaceObject ?? undefined,
    equivalents,
  });

  interface Invocation {
    c: CompiledMutating;
    binding: Binding;
    param: Json | null | undefined;
    paramName: string;
    /** The equivalent resource the policy matched through (matchPolicy Equivalent), if not the request's own. */
    via?: EquivalentResource;
  }
  const invocations: Invocation[] = [];
  const skipMutations = object === null || input.request.operation === 'DELETE';
  if (!skipMutations) {
    for (const c of compiled) {
      const policy = c.policy;
      const failIgnored = policy.spec.failurePolicy === 'Ignore';
      const bindings = (input.bindings ?? []).filter(
        (b) => b.kind === 'MutatingAdmissionPolicyBinding' && b.spec.policyName === policy.metadata.name,
      );
      if (bindings.length === 0) continue;
      const pm =
        level === 'patcher'
          ? { matches: true as const }
          : matches(policy.spec.matchConstraints, matchCtx(), `policy ${policy.metadata.name}`);
      if ('error' in pm) {
        errors.push(
          new PolicyError(
            `policy "${policy.metadata.name}" denied request: failed to configure policy: ${pm.error}`,
            'Forbidden',
            failIgnored,
          ),
        );
        continue;
      }
      for (const binding of bindings) {
        const trace = (why: string): void =>
          void result.invocations.push({
            policy: policy.metadata.name,
            binding: binding.metadata.name,
            pass: 1,
            matched: false,
            why,
            matchConditions: [],
            mutations: [],
          });
        if (!pm.matches) {
          trace(pm.why);
          continue;
        }
        const bm =
          level === 'patcher'
            ? { matches: true as const }
            : matches(binding.spec.matchResources, matchCtx(), `binding ${binding.metadata.name}`);
        if ('error' in bm) {
          errors.push(
            new PolicyError(
              `policy '${policy.metadata.name}' with binding '${binding.metadata.name}' denied request: failed to configure binding: ${bm.error}`,
              'Forbidden',
              failIgnored,
            ),
          );
          continue;
        }
        if (!bm.matches) {
          trace(bm.why);
          continue;
        }
        const ps =
          level === 'patcher' && input.params && policy.spec.paramKind && !binding.spec.paramRef
            ? { values: input.params as (Json | null)[], names: input.params.map(() => '') }
            : collectParams(policy, binding, input, false);
        if (ps.error) {
          errors.push(
            new PolicyError(
              `policy '${policy.metadata.name}' with binding '${binding.metadata.name}' denied request: failed to configure binding: ${ps.error}`,
              'Forbidden',
              failIgnored,
            ),
          );
          trace(ps.error);
          continue;
        }
        const via = pm.via ? { via: pm.via } : {};
        if (ps.values === undefined) invocations.push({ c, binding, param: undefined, paramName: '', ...via });
        else if (ps.values.length === 0) trace('no params found (parameterNotFoundAction Allow): binding skipped');
        else
          ps.values.forEach((param, i) =>
            invocations.push({ c, binding, param, paramName: ps.names[i] ?? '', ...via }),
          );
      }
    }
  }

  let anyApplied = false;
  const ranIfNeeded: Invocation[] = [];
  const run = (inv: Invocation, pass: 1 | 2): 'fatal' | void => {
    const policy = inv.c.policy;
    const ignored = policy.spec.failurePolicy === 'Ignore';
    const prefix = `policy '${policy.metadata.name}' with binding '${inv.binding.metadata.name}' denied request: `;
    const trace: InvocationTrace = {
      policy: policy.metadata.name,
      binding: inv.binding.metadata.name,
      ...(inv.paramName ? { param: inv.paramName } : {}),
      pass,
      matched: true,
      matchConditions: [],
      mutations: [],
    };
    result.invocations.push(trace);
    // VersionedAttribute(invocation.Kind): the policy sees the object, and request.kind/resource, at the
    // version it matched; the result goes back to the request's version after the invocation.
    const kind = inv.via?.kind ?? input.request.kind;
    const request = inv.via ? { ...ctx.request, kind: inv.via.kind, resource: inv.via.resource } : ctx.request;
    const { schema, strict } = schemaOf(kind);
    if (inv.via) {
      const converted = convertObject(object, kind, inv.via.conversion);
      if ('error' in converted) {
        trace.error = converted.error;
        result.error = {
          message: converted.error,
          status: { code: 500, reason: 'InternalError', message: `Internal error occurred: ${converted.error}` },
        };
        return 'fatal';
      }
      object = converted.object;
    }
    const invCtx: EvalContext = { ...ctx, request };
    try {
      return invoke(inv, pass, trace, invCtx, schema, strict, prefix, ignored);
    } finally {
      if (inv.via) {
        const back = convertObject(object, input.request.kind, inv.via.conversion);
        if ('object' in back) object = back.object;
      }
    }
  };
  const invoke = (
    inv: Invocation,
    pass: 1 | 2,
    trace: InvocationTrace,
    ctx: EvalContext,
    schema: ReturnType<typeof schemaOf>['schema'],
    strict: ReturnType<typeof schemaOf>['strict'],
    prefix: string,
    ignored: boolean,
  ): 'fatal' | void => {
    const policy = inv.c.policy;
    if (inv.c.compileError) {
      trace.error = inv.c.compileError;
      errors.push(new PolicyError(prefix + inv.c.compileError, 'Invalid', ignored));
      return;
    }
    const mc = evaluateConditions(inv.c.conditions, ctx, object, inv.param);
    trace.matchConditions = mc.traces;
    if (!mc.matched) {
      trace.matched = false;
      if (mc.error) {
        trace.error = mc.error;
        errors.push(new PolicyError(prefix + mc.error, 'Invalid', ignored));
      } else trace.why = `matchCondition '${mc.traces.find((t) => t.value === false)?.name}' is false`;
      return;
    }
    const activation = {
      object,
      oldObject: input.oldObject ?? null,
      request: ctx.request,
      namespaceObject: ctx.namespaceObject,
      ...(inv.param !== undefined ? { params: inv.param } : {}),
    };
    if (options.traceVariables && policy.spec.variables?.length)
      trace.variables = traceVariables(
        policy.spec.variables,
        { version, use: 'mutation', params: !!policy.spec.paramKind },
        activation,
        ctx.authorizer ? { authorizer: ctx.authorizer } : {},
      );
    const before = JSON.stringify(object);
    for (const [index, m] of inv.c.mutations.entries()) {
      const mt: MutationTrace = { index, patchType: m.patchType };
      trace.mutations.push(mt);
      if (m.compileError || !m.programs) {
        mt.error = m.compileError ?? 'not compiled';
        errors.push(new PolicyError(prefix + mt.error, 'Invalid', ignored));
        continue;
      }
      const r = evaluateAdmission(
        m.programs,
        {
          object,
          oldObject: input.oldObject ?? null,
          request: ctx.request,
          namespaceObject: ctx.namespaceObject,
          ...(inv.param !== undefined ? { params: inv.param } : {}),
        },
        {
          costLimit: Math.min(PER_CALL_LIMIT, RUNTIME_BUDGET),
          ...(ctx.authorizer ? { authorizer: ctx.authorizer } : {}),
        },
      );
      if (!r.ok) {
        mt.error = `expression '${m.expression}' resulted in error: ${r.error}`;
        errors.push(new PolicyError(prefix + mt.error, 'Invalid', ignored));
        continue;
      }
      try {
        object =
          m.patchType === 'JSONPatch'
            ? jsonPatch(object, r.value, strict)
            : applyConfiguration(object, r.value as Value, schema, { allowLiveDuplicates: minor >= 35 });
        if (level !== 'patcher') object = applyDefaults(object, input.defaulting ?? []);
        // The real apiserver's scheme defaulter: only at level apiserver (upstream unit tests use fake ones).
        if (level === 'apiserver') object = builtinDefaults(object);
        anyApplied = true;
        mt.object = object;
      } catch (e) {
        if (!(e instanceof MutationError)) throw e;
        mt.error = e.message;
        if (e.status) {
          result.error = {
            message: e.message,
            status: { code: e.status.code, reason: e.status.reason, message: e.message },
          };
          return 'fatal';
        }
        errors.push(new PolicyError(prefix + e.message, 'Invalid', ignored));
      }
    }
    if (JSON.stringify(object) !== before) trace.why = 'mutated';
    if (pass === 1 && policy.spec.reinvocationPolicy === 'IfNeeded') ranIfNeeded.push(inv);
  };
  for (const inv of invocations) if (run(inv, 1) === 'fatal') return result;
  // Reinvocation: one more pass over the IfNeeded invocations that ran, when the first pass applied anything.
  if (anyApplied) for (const inv of ranIfNeeded) if (run(inv, 2) === 'fatal') return result;

  const firstError = errors.find((e) => !e.ignored);
  if (firstError) {
    result.error = {
      message: firstError.message,
      status: mapStatus(
        input,
        errors.filter((e) => !e.ignored),
        object,
      ),
    };
    return result;
  }

  // The registry validates the built-in object between the two admission phases (its defaults already applied).
  if (level === 'apiserver') {
    const validation = validateBuiltinObject({
      operation: input.request.operation,
      object,
      oldObject: input.oldObject ?? null,
      namespace: input.request.namespace ?? '',
      name: input.request.name ?? '',
      version,
    });
    result.objectValidation = validation;
    if (validation.status) {
      result.error = { message: validation.status.message, status: validation.status };
      return result;
    }
  }

  const vap = runValidatingPolicies(input, ctx, object, level, !!options.traceVariables, equivalents);
  result.validations = vap.traces;
  result.warnings = vap.warnings;
  result.auditAnnotations = vap.auditAnnotations;
  if (vap.error) {
    result.error = vap.error;
    return result;
  }
  result.object = object;
  return result;
}

export function objectName(input: AdmissionRequestInput, object: Json): string {
  if (input.request.name) return input.request.name;
  const meta = isObj(object) && isObj(object.metadata) ? object.metadata : {};
  return String(meta.name || meta.generateName || 'Unknown');
}

function mapStatus(input: AdmissionRequestInput, errors: PolicyError[], object: Json): Status {
  return {
    code: 403,
    reason: errors[0]!.reason,
    message: errors[0]!.message,
    details: {
      name: objectName(input, object),
      group: input.request.resource.group,
      kind: input.request.resource.resource,
      causes: errors.map((e) => ({ message: e.message })),
    },
  };
}

export { toJSON };
