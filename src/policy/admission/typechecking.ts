// The type check of a ValidatingAdmissionPolicy, as kube-controller-manager's validatingadmissionpolicy-status
// controller runs it and writes `status.typeChecking.expressionWarnings` (k8s.io/apiserver
// pkg/admission/plugin/policy/validating/typechecking.go, the same in 1.30–1.34). kube-apiserver itself never
// rejects a policy for this: it compiles with `object` as dyn, and these are warnings only.
//
// - The kinds checked come from spec.matchConstraints.resourceRules through the RESTMapper: every combination of
//   group × version × resource, sorted, with no wildcard group or version in the rule and no `*` or
//   subresource resource; at most 10 resolved kinds per rule (the collection stops there); sorted by group,
//   version, kind. The RESTMapper resolves the core group ("") in every group (`""/v1/events` gives both Event
//   kinds) and singular names.
// - Each kind's schema types `object` and `oldObject`; the paramKind's schema types `params` (when it resolves;
//   otherwise `params` is not declared at all). Only `authorizer` is declared, not `authorizer.requestResource`.
// - Variables are compiled in order with the same typing; one that fails is dyn. The result type is not checked.
// - Only spec.validations[i].expression and .messageExpression are checked (not matchConditions,
//   auditAnnotations or variables themselves). MutatingAdmissionPolicy has no status and no type check.

import {
  admissionEnvironment,
  compile,
  compositedType,
  minorOf,
  schemaTypes,
  T,
  type CelIssue,
  type CelType,
  type SchemaTypes,
} from '../../cel/index.ts';
import type { OpenApi } from '../../k8s/openapi/index.ts';
import type { GroupVersionKind } from './equivalence.ts';
import type { Json } from './jsonpatch.ts';
import type { NamedRuleWithOperations, Policy } from './types.ts';

/** The most kinds one resource rule contributes (typechecking.go maxTypesToCheck). */
export const MAX_TYPES_TO_CHECK = 10;

/** One entry of `status.typeChecking.expressionWarnings`. */
export interface ExpressionWarning {
  fieldRef: string;
  warning: string;
}

/** The issues of one expression against one kind, positioned for editor markers. */
export interface TypeCheckFinding {
  fieldRef: string;
  expression: string;
  gvk: GroupVersionKind;
  issues: CelIssue[];
}

export interface TypeCheckResult {
  expressionWarnings: ExpressionWarning[];
  findings: TypeCheckFinding[];
  /** The kinds the expressions were checked against, in order. */
  checkedKinds: GroupVersionKind[];
}

export interface TypeCheckOptions {
  /** Kubernetes minor, "1.30" … "1.34". */
  version: string;
  /** That version's OpenAPI schemas (src/k8s/openapi), with its served resources. */
  api: OpenApi;
  /** CustomResourceDefinitions the cluster serves: their resources resolve in the RESTMapper. */
  customResourceDefinitions?: readonly Json[];
  /**
   * Whether the cluster serves every API version of the OpenAPI data (`--runtime-config=api/all=true`); by
   * default only what a default kube-apiserver serves (no alpha or beta versions).
   */
  allVersions?: boolean;
  /**
   * The digits after the kind in the root type's name. Upstream appends the current time's nanosecond
   * (`Deployment156542983.spec`), so the digits differ on every check; the default here is 0.
   */
  typeNameSuffix?: string;
}

/** schema.GroupVersionKind's String(): `apps/v1, Kind=Deployment`, `/v1, Kind=Pod`. */
export const gvkString = (g: GroupVersionKind): string => `${g.group}/${g.version}, Kind=${g.kind}`;

interface Mapping {
  group: string;
  version: string;
  /** Plural and singular names, lower case. */
  names: string[];
  kind: string;
}

/**
 * Whether a default kube-apiserver serves a resource (pkg/controlplane DefaultAPIResourceConfigSource): no alpha
 * or beta version, except flowcontrol v1beta3's two legacy beta resources until 1.32 removed them.
 */
export function servedByDefault(minor: number, r: { group: string; version: string; resource: string }): boolean {
  if (!/alpha|beta/.test(r.version)) return true;
  return (
    minor <= 31 &&
    r.group === 'flowcontrol.apiserver.k8s.io' &&
    r.version === 'v1beta3' &&
    (r.resource === 'flowschemas' || r.resource === 'prioritylevelconfigurations')
  );
}

function restMappings(api: OpenApi, crds: readonly Json[], allVersions: boolean): Mapping[] {
  const minor = minorOf(api.kubernetes);
  const out: Mapping[] = api
    .resources()
    .filter((r) => allVersions || servedByDefault(minor, r))
    .map((r) => ({ group: r.group, version: r.version, names: [r.resource, r.kind.toLowerCase()], kind: r.kind }));
  const isObj = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);
  for (const crd of crds) {
    if (!isObj(crd) || !isObj(crd.spec) || !isObj(crd.spec.names)) continue;
    const { group, names, versions } = crd.spec;
    const plural = names.plural;
    const kind = names.kind;
    if (typeof group !== 'string' || typeof plural !== 'string' || typeof kind !== 'string') continue;
    const singular = typeof names.singular === 'string' && names.singular ? names.singular : kind.toLowerCase();
    for (const v of Array.isArray(versions) ? versions : []) {
      if (!isObj(v) || typeof v.name !== 'string' || v.served === false) continue;
      out.push({ group, version: v.name, names: [plural, singular], kind });
    }
  }
  return out;
}

/**
 * RESTMapper.KindsFor of a fully written group/version/resource: an exact match, except that the empty (core)
 * group matches the version and resource in any group, as DefaultRESTMapper does for a partial resource.
 */
function kindsFor(mappings: readonly Mapping[], group: string, version: string, resource: string): GroupVersionKind[] {
  const name = resource.toLowerCase();
  const out: GroupVersionKind[] = [];
  for (const m of mappings) {
    if ((group !== '' && m.group !== group) || m.version !== version || !m.names.includes(name)) continue;
    if (!out.some((k) => k.group === m.group && k.version === m.version && k.kind === m.kind))
      out.push({ group: m.group, version: m.version, kind: m.kind });
  }
  return out;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sortGvks = (l: GroupVersionKind[]) =>
  l.sort((a, b) => compare(a.group, b.group) || compare(a.version, b.version) || compare(a.kind, b.kind));

/** typesToCheck: the kinds the policy's resource rules resolve to. */
export function typesToCheck(
  policy: Policy,
  api: OpenApi,
  customResourceDefinitions: readonly Json[] = [],
  allVersions = false,
): GroupVersionKind[] {
  const rules = policy.spec.matchConstraints?.resourceRules ?? [];
  const mappings = restMappings(api, customResourceDefinitions, allVersions);
  const found = new Map<string, GroupVersionKind>();
  const result = () => sortGvks([...found.values()]);
  for (const rule of rules) {
    const groups = noWildcard(rule.apiGroups);
    const versions = noWildcard(rule.apiVersions);
    const resources = (rule.resources ?? []).filter((r) => !/[*/]/.test(r));
    if (!groups.length || !versions.length || !resources.length) continue;
    let count = 0;
    for (const group of [...groups].sort(compare))
      for (const version of [...versions].sort(compare))
        for (const resource of [...resources].sort(compare))
          for (const gvk of kindsFor(mappings, group, version, resource)) {
            found.set(gvkString(gvk), gvk);
            if (++count === MAX_TYPES_TO_CHECK) return result();
          }
  }
  return result();
}

/** A rule's groups or versions, or none at all when one of them holds a wildcard. */
function noWildcard(list: NamedRuleWithOperations['apiGroups']): string[] {
  const l = list ?? [];
  return l.some((s) => s.includes('*')) ? [] : l;
}

/** The paramKind as a GroupVersionKind (schema.ParseGroupVersion), or undefined. */
function paramsGvk(policy: Policy): GroupVersionKind | undefined {
  const pk = policy.spec.paramKind;
  if (!pk) return undefined;
  const apiVersion = pk.apiVersion ?? '';
  const parts = apiVersion.split('/');
  if (apiVersion === '' || parts.length > 2) return undefined;
  const [group, version] = parts.length === 2 ? parts : ['', parts[0]!];
  return { group: group!, version: version!, kind: pk.kind ?? '' };
}

function declTypes(api: OpenApi, gvk: GroupVersionKind, suffix: string, minor: number): SchemaTypes | undefined {
  const schema = api.schemaFor(gvk);
  if (!schema) return undefined;
  const name = api.definitionNameFor(gvk);
  return schemaTypes(api, name ? { $ref: name } : schema, `${gvk.kind}${suffix}`, {
    recognizeKeywordFields: minor >= 31,
  });
}

/** The type check of one policy: what the status controller writes, and the positioned issues behind it. */
export function typeCheckPolicy(policy: Policy, options: TypeCheckOptions): TypeCheckResult {
  const minor = minorOf(options.version);
  const suffix = options.typeNameSuffix ?? '0';
  const kinds: { gvk: GroupVersionKind; types: SchemaTypes }[] = [];
  for (const gvk of typesToCheck(policy, options.api, options.customResourceDefinitions, options.allVersions)) {
    const types = declTypes(options.api, gvk, suffix, minor);
    if (types) kinds.push({ gvk, types });
  }
  const pg = paramsGvk(policy);
  const params = pg && declTypes(options.api, pg, suffix, minor);

  const findings: TypeCheckFinding[] = [];
  const expressionWarnings: ExpressionWarning[] = [];
  const checkExpression = (fieldRef: string, expression: string) => {
    const texts: string[] = [];
    for (const { gvk, types } of kinds) {
      const env = (variables: Record<string, CelType>) =>
        admissionEnvironment({
          version: options.version,
          use: 'validation',
          mode: 'stored',
          object: types,
          ...(params ? { params } : {}),
          requestResource: false,
          variables,
        });
      const variables: Record<string, CelType> = {};
      for (const v of policy.spec.variables ?? []) {
        const r = compile(v.expression, env({ ...variables }));
        variables[v.name] = r.ok ? compositedType(r.type) : T.dyn;
      }
      const r = compile(expression, env(variables));
      if (r.ok || r.resultTypeError) continue;
      findings.push({ fieldRef, expression, gvk, issues: r.issues });
      texts.push(`${gvkString(gvk)}: ${r.message}\n`);
    }
    if (texts.length) expressionWarnings.push({ fieldRef, warning: texts.join('\n') });
  };
  (policy.spec.validations ?? []).forEach((v, i) => {
    checkExpression(`spec.validations[${i}].expression`, v.expression);
    if (v.messageExpression) checkExpression(`spec.validations[${i}].messageExpression`, v.messageExpression);
  });
  return { expressionWarnings, findings, checkedKinds: kinds.map((k) => k.gvk) };
}
