// Whether a policy's matchConstraints or a binding's matchResources match a request
// (k8s.io/apiserver policy/matching and webhook/predicates): namespaceSelector, objectSelector,
// excludeResourceRules, resourceRules with operations, scope and resourceNames.

import type { EquivalentResource } from './equivalence.ts';
import type { Json } from './jsonpatch.ts';
import type {
  GroupVersionResource,
  LabelSelector,
  MatchResources,
  NamedRuleWithOperations,
  RequestAttributes,
} from './types.ts';

/**
 * A match names the resource and kind the policy is invoked with: the request's own, or under
 * matchPolicy Equivalent the equivalent resource a rule matched (the object is then converted to it).
 */
export type MatchResult =
  { matches: true; via?: EquivalentResource } | { matches: false; why: string } | { error: string };

function labelsOf(obj: Json | undefined): Record<string, string> {
  if (obj === null || obj === undefined || typeof obj !== 'object' || Array.isArray(obj)) return {};
  const meta = obj.metadata;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return {};
  const labels = meta.labels;
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return {};
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
}

const emptySelector = (s: LabelSelector | undefined): boolean =>
  !s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);

/** metav1.LabelSelector semantics (LabelSelectorAsSelector). */
export function selectorMatches(s: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!s) return true;
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of s.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`"${e.operator}" is not a valid label selector operator`);
    }
  }
  return true;
}

const isNamespaceResource = (r: RequestAttributes) => r.resource.group === '' && r.resource.resource === 'namespaces';

function ruleMatches(
  rule: NamedRuleWithOperations,
  req: RequestAttributes,
  resource: GroupVersionResource = req.resource,
): boolean {
  const scope = rule.scope ?? '*';
  const ns = req.namespace ?? '';
  if (scope === 'Namespaced' && (ns === '' || isNamespaceResource(req))) return false;
  if (scope === 'Cluster' && !(ns === '' || isNamespaceResource(req))) return false;
  const ops = rule.operations ?? [];
  if (!ops.some((o) => o === '*' || o === req.operation)) return false;
  if (!(rule.apiGroups ?? []).some((g) => g === '*' || g === resource.group)) return false;
  if (!(rule.apiVersions ?? []).some((v) => v === '*' || v === resource.version)) return false;
  const sub = req.subResource ?? '';
  const resourceOk = (rule.resources ?? []).some((entry) => {
    const slash = entry.indexOf('/');
    const res = slash < 0 ? entry : entry.slice(0, slash);
    const subres = slash < 0 ? '' : entry.slice(slash + 1);
    if (res !== '*' && res !== resource.resource) return false;
    return subres === '*' || subres === sub;
  });
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(req.name ?? '');
}

export interface MatchContext {
  request: RequestAttributes;
  object: Json | undefined;
  oldObject: Json | undefined;
  namespaceObject: Json | undefined;
  /** EquivalentResourcesFor(request resource, subresource), for matchPolicy Equivalent. */
  equivalents?: readonly EquivalentResource[];
}

/**
 * matchesResourceRules (policy/matching/matching.go): the rules against the request's resource first, then,
 * unless matchPolicy is Exact, each rule against each equivalent resource in turn.
 */
function matchRules(
  rules: readonly NamedRuleWithOperations[],
  criteria: MatchResources,
  ctx: MatchContext,
): { matches: boolean; via?: EquivalentResource } {
  const req = ctx.request;
  if (rules.some((r) => ruleMatches(r, req))) return { matches: true };
  if (criteria.matchPolicy === 'Exact') return { matches: false };
  const own = req.resource;
  for (const rule of rules)
    for (const eq of ctx.equivalents ?? []) {
      const r = eq.resource;
      if (r.group === own.group && r.version === own.version && r.resource === own.resource) continue;
      if (ruleMatches(rule, req, r)) return { matches: true, via: eq };
    }
  return { matches: false };
}

/** `Matches(attr, criteria)`; a nil criteria (binding without matchResources) matches everything. */
export function matches(criteria: MatchResources | undefined, ctx: MatchContext, what: string): MatchResult {
  if (!criteria) return { matches: true };
  const req = ctx.request;
  const rules = criteria.resourceRules ?? [];
  if (matchRules(criteria.excludeResourceRules ?? [], criteria, ctx).matches)
    return { matches: false, why: `${what}: excluded by excludeResourceRules` };
  const matched = rules.length > 0 ? matchRules(rules, criteria, ctx) : { matches: true };
  if (!matched.matches)
    return {
      matches: false,
      why: `${what}: no resourceRule matches ${req.operation} ${req.resource.group || 'core'}/${req.resource.version}/${req.resource.resource}${req.subResource ? '/' + req.subResource : ''}`,
    };
  try {
    if (!emptySelector(criteria.namespaceSelector) && !(req.namespace === '' || req.namespace === undefined)) {
      const nsLabels = isNamespaceResource(req) ? labelsOf(ctx.object) : labelsOf(ctx.namespaceObject);
      if (!isNamespaceResource(req) && (ctx.namespaceObject === undefined || ctx.namespaceObject === null))
        return { error: `namespaces "${req.namespace}" not found` };
      if (!selectorMatches(criteria.namespaceSelector, nsLabels))
        return { matches: false, why: `${what}: namespaceSelector does not match the namespace's labels` };
    } else if (!emptySelector(criteria.namespaceSelector) && isNamespaceResource(req)) {
      if (!selectorMatches(criteria.namespaceSelector, labelsOf(ctx.object)))
        return { matches: false, why: `${what}: namespaceSelector does not match the namespace's labels` };
    }
    if (!emptySelector(criteria.objectSelector)) {
      const objOk =
        ctx.object !== null &&
        ctx.object !== undefined &&
        selectorMatches(criteria.objectSelector, labelsOf(ctx.object));
      const oldOk =
        ctx.oldObject !== null &&
        ctx.oldObject !== undefined &&
        selectorMatches(criteria.objectSelector, labelsOf(ctx.oldObject));
      if (!objOk && !oldOk)
        return { matches: false, why: `${what}: objectSelector matches neither object nor oldObject` };
    }
  } catch (e) {
    return { error: (e as Error).message };
  }
  return 'via' in matched && matched.via ? { matches: true, via: matched.via } : { matches: true };
}
