import { describe, expect, it } from 'vitest';
import {
  loadOpenApi,
  OPENAPI_VERSIONS,
  schemaFor,
  type KubernetesVersion,
  type OpenApi,
  type Schema,
} from './index.ts';

const apis = new Map<KubernetesVersion, OpenApi>();
for (const v of OPENAPI_VERSIONS) apis.set(v, await loadOpenApi(v));

/** Walks a dotted path of property names ([] steps into items), resolving refs on the way. */
function at(version: KubernetesVersion, gvk: string, path: string): Schema {
  const api = apis.get(version)!;
  const [group = '', v = '', kind = ''] = gvk.split('/');
  let node = api.schemaFor({ group, version: v, kind });
  if (!node) throw new Error(`${gvk} not in ${version}`);
  for (const step of path.split('.').filter(Boolean)) {
    node = api.resolveRef(node);
    const next: Schema | undefined = step === '[]' ? node.items : node.properties?.[step];
    if (!next) throw new Error(`${gvk} ${path}: no ${step}`);
    node = next;
  }
  return api.resolveRef(node);
}

describe('built-in schemas per version', () => {
  it.each(OPENAPI_VERSIONS)('%s: Pod spec.containers is a map list keyed by name', (v) => {
    const containers = at(v, '/v1/Pod', 'spec.containers');
    expect(containers.type).toBe('array');
    expect(containers['x-kubernetes-list-type']).toBe('map');
    expect(containers['x-kubernetes-list-map-keys']).toEqual(['name']);
    expect(at(v, '/v1/Pod', 'spec.containers.[]').required).toContain('name');
  });

  it.each(OPENAPI_VERSIONS)('%s: container ports keyed by containerPort and protocol', (v) => {
    const ports = at(v, '/v1/Pod', 'spec.containers.[].ports');
    expect(ports['x-kubernetes-list-type']).toBe('map');
    expect(ports['x-kubernetes-list-map-keys']).toEqual(['containerPort', 'protocol']);
    expect(at(v, '/v1/Pod', 'spec.containers.[].ports.[].protocol').default).toBe('TCP');
  });

  it.each(OPENAPI_VERSIONS)('%s: Deployment spec.replicas is an int32, metadata.labels a map of strings', (v) => {
    expect(at(v, 'apps/v1/Deployment', 'spec.replicas')).toMatchObject({ type: 'integer', format: 'int32' });
    const labels = at(v, 'apps/v1/Deployment', 'metadata.labels');
    expect(labels.type).toBe('object');
    expect(labels.additionalProperties).toMatchObject({ type: 'string' });
  });

  it.each(OPENAPI_VERSIONS)('%s: IntOrString and Quantity keep their formats/unions', (v) => {
    expect(at(v, 'apps/v1/Deployment', 'spec.strategy.rollingUpdate.maxSurge').format).toBe('int-or-string');
    const limits = at(v, '/v1/Pod', 'spec.containers.[].resources.limits');
    const quantity = apis.get(v)!.resolveRef(limits.additionalProperties as Schema);
    expect(quantity.oneOf?.map((s) => s.type)).toEqual(['string', 'number']);
    expect(at(v, '/v1/Pod', 'metadata.creationTimestamp')).toMatchObject({ type: 'string', format: 'date-time' });
  });

  it('descriptions are one line at most', () => {
    const description = at('1.34', 'apps/v1/Deployment', 'spec.replicas').description ?? '';
    expect(description).toMatch(/^Number of desired pods\./);
    expect(description).not.toContain('\n');
  });
});

describe('admission policy kinds by version', () => {
  const has = (v: KubernetesVersion, version: string, kind: string) =>
    apis.get(v)!.schemaFor({ group: 'admissionregistration.k8s.io', version, kind }) !== undefined;
  it.each([
    ['1.30', 'v1alpha1', false],
    ['1.31', 'v1alpha1', false],
    ['1.31', 'v1beta1', false],
    ['1.32', 'v1alpha1', true],
    ['1.32', 'v1beta1', false],
    ['1.33', 'v1alpha1', true],
    ['1.34', 'v1alpha1', true],
    ['1.34', 'v1beta1', true],
  ] as const)('%s: MutatingAdmissionPolicy %s served: %s', (v, version, served) => {
    expect(has(v, version, 'MutatingAdmissionPolicy')).toBe(served);
    expect(has(v, version, 'MutatingAdmissionPolicyBinding')).toBe(served);
  });
  it.each(OPENAPI_VERSIONS)('%s: ValidatingAdmissionPolicy and Binding v1', (v) => {
    expect(has(v, 'v1', 'ValidatingAdmissionPolicy')).toBe(true);
    expect(has(v, 'v1', 'ValidatingAdmissionPolicyBinding')).toBe(true);
    const validations = at(v, 'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy', 'spec.validations.[]');
    expect(validations.required).toEqual(['expression']);
  });
});

describe('AuthenticationConfiguration (hand-written)', () => {
  const authn = (v: KubernetesVersion, version: string) =>
    schemaFor(v, { group: 'apiserver.config.k8s.io', version, kind: 'AuthenticationConfiguration' });
  it.each([
    ['1.30', 'v1beta1', true],
    ['1.30', 'v1', false],
    ['1.33', 'v1', false],
    ['1.34', 'v1', true],
    ['1.34', 'v1alpha1', true],
  ] as const)('%s: %s registered: %s', (v, version, registered) => {
    expect(authn(v, version) !== undefined).toBe(registered);
  });
  it.each([
    ['1.30', false, false],
    ['1.31', true, false],
    ['1.34', true, true],
  ] as const)('%s: anonymous %s, issuer.egressSelectorType %s', (v, anonymous, egress) => {
    expect(
      at(v, 'apiserver.config.k8s.io/v1beta1/AuthenticationConfiguration', '').properties?.['anonymous'] !== undefined,
    ).toBe(anonymous);
    const issuer = at(v, 'apiserver.config.k8s.io/v1beta1/AuthenticationConfiguration', 'jwt.[].issuer');
    expect(issuer.required).toEqual(['url', 'audiences']);
    expect(issuer.properties?.['egressSelectorType'] !== undefined).toBe(egress);
  });
});

describe('schemaFor before loading', () => {
  it('unknown kinds are undefined', () => {
    expect(schemaFor('1.34', { group: 'apps', version: 'v1', kind: 'NoSuchKind' })).toBeUndefined();
  });
});
