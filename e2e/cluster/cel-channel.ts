// How a `celExpressions` case is put to the real kube-apiserver: as a ValidatingAdmissionPolicy (action Warn, so
// the dry-run create succeeds and every failed validation comes back as a warning) selected by one label on one
// dry-run object. A boolean (validation) case is the validation's `expression` itself; any other value is a
// composited variable `result`, rendered to a string by a `messageExpression` that both engines evaluate.

export const CASE_LABEL = 'porthole.test/cel-case';
/** The always-failing validation whose warning proves the policy has reached the admission plugin. */
export const SENTINEL = 'porthole-cel-sentinel';

export interface Variable {
  name: string;
  expression: string;
}

/**
 * A CEL expression that renders `x` as text, shaped after our engine's answer (`value` as JSON, `type` at the top)
 * and tagged with the runtime type of every scalar, so the apiserver's answer can be compared as a string. If the
 * apiserver's value has another shape, the rendering fails to compile or to evaluate — which shows as a difference.
 */
export function renderExpression(x: string, value: unknown, type?: string, depth = 0): string {
  if (type === 'optional_type') {
    const inner = (value as { optional: unknown }).optional;
    return `(${x}.hasValue() ? 'optional(' + ${renderExpression(`${x}.value()`, inner, undefined, depth)} + ')' : 'optional.none()')`;
  }
  if (Array.isArray(value)) {
    const e = `e${depth}`;
    return `('[' + ${x}.map(${e}, ${renderExpression(e, value[0], undefined, depth + 1)}).join(', ') + ']')`;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const first = (value as Record<string, unknown>)[keys[0] ?? ''];
    const k = `k${depth}`;
    const entry = `(${k} in ${x} ? ${k} + ': ' + ${renderExpression(`${x}[${k}]`, first, undefined, depth + 1)} : ${k} + ' missing')`;
    // Go maps have no order: walk our keys in order, and say the size so an extra key shows too.
    return `('{' + ${JSON.stringify(keys)}.map(${k}, ${entry}).join(', ') + '} size ' + string(size(${x})))`;
  }
  const scalarTypes = ['int', 'uint', 'double', 'bool', 'string', 'bytes', 'null_type'];
  const tag = scalarTypes.reduceRight((rest, t) => `type(${x}) == ${t} ? '${t} ' : ${rest}`, `'other '`);
  // Strings quoted: the apiserver trims a message's surrounding spaces, and an empty string must still show.
  const text = `type(${x}) == null_type ? 'null' : type(${x}) == string ? strings.quote(dyn(${x})) : string(dyn(${x}))`;
  return `(${tag}) + (${text})`;
}

export interface CaseObject {
  resource: 'configmaps' | 'endpoints' | 'pods';
  body: Record<string, unknown>;
}

export function validatingPolicy(
  name: string,
  label: string,
  variables: Variable[],
  validation: { expression: string; messageExpression?: string },
): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['CREATE'],
            resources: ['configmaps', 'endpoints', 'pods'],
          },
        ],
        objectSelector: { matchLabels: { [CASE_LABEL]: label } },
      },
      variables,
      validations: [validation, { expression: 'false', message: SENTINEL }],
    },
  };
}

export function policyBinding(name: string): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name },
    spec: { policyName: name, validationActions: ['Warn'] },
  };
}
