// ajv (draft-07) is here only as an independent validator of what we emit; it comes with eslint.
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadOpenApi, type GroupVersionKind } from './index.ts';
import { toJsonSchema, type JsonSchema } from './json-schema.ts';

const api = await loadOpenApi('1.34');
const api130 = await loadOpenApi('1.30');
const POD: GroupVersionKind = { group: '', version: 'v1', kind: 'Pod' };
const AUTHN: GroupVersionKind = {
  group: 'apiserver.config.k8s.io',
  version: 'v1',
  kind: 'AuthenticationConfiguration',
};

function validator(schema: JsonSchema) {
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(schema);
  return (value: unknown): string[] =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message ?? ''}`.trim());
}

const pod = (spec: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec,
  ...extra,
});

describe('Pod as JSON Schema', () => {
  const schema = toJsonSchema(api, POD)!;
  const check = validator(schema);
  it.each([
    ['a minimal pod', pod({ containers: [{ name: 'c', image: 'nginx' }] }), []],
    [
      'ports, resources (Quantity as string or number), a probe port by name (IntOrString)',
      pod({
        containers: [
          {
            name: 'c',
            ports: [{ containerPort: 80 }],
            resources: { limits: { cpu: '500m', memory: 1024 } },
            readinessProbe: { httpGet: { port: 'http' } },
          },
        ],
      }),
      [],
    ],
    [
      'a container without a name',
      pod({ containers: [{ image: 'nginx' }] }),
      [".spec.containers[0] should have required property 'name'"],
    ],
    [
      'an unknown field',
      pod({ containers: [{ name: 'c', imagee: 'x' }] }),
      ['.spec.containers[0] should NOT have additional properties'],
    ],
    [
      'a string port number',
      pod({ containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] }),
      ['.spec.containers[0].ports[0].containerPort should be integer'],
    ],
    [
      'a label that is not a string',
      pod({ containers: [] }, { metadata: { labels: { n: 1 } } }),
      [".metadata.labels['n'] should be string"],
    ],
    ['the wrong kind', { ...pod({ containers: [] }), kind: 'Deployment' }, ['.kind should be equal to constant']],
    ['no apiVersion', { kind: 'Pod', spec: { containers: [] } }, ["should have required property 'apiVersion'"]],
  ])('%s', (_name, value, errors) => {
    expect(check(value)).toEqual(errors);
  });

  it('keeps refs as definitions (recursion-safe) and fixes apiVersion/kind', () => {
    expect(schema.properties?.['apiVersion']).toMatchObject({ const: 'v1' });
    expect(schema.properties?.['kind']).toMatchObject({ const: 'Pod' });
    expect(schema.definitions?.['io.k8s.api.core.v1.Container']).toBeDefined();
    expect(schema.definitions?.['io.k8s.api.apps.v1.Deployment']).toBeUndefined();
    expect(toJsonSchema(api, { group: '', version: 'v1', kind: 'Nope' })).toBeUndefined();
  });
});

describe('AuthenticationConfiguration as JSON Schema', () => {
  const config = (jwt: unknown, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AuthenticationConfiguration',
    jwt,
    ...extra,
  });
  const issuer = { url: 'https://issuer.example.com', audiences: ['k8s'] };
  const check = validator(toJsonSchema(api, AUTHN)!);
  it.each([
    ['a claim mapping', config([{ issuer, claimMappings: { username: { claim: 'sub', prefix: '' } } }]), []],
    [
      'an issuer without audiences',
      config([{ issuer: { url: 'https://x' }, claimMappings: { username: { claim: 'sub' } } }]),
      [".jwt[0].issuer should have required property 'audiences'"],
    ],
    [
      'a misspelt issuer field',
      config([{ issuer: { ...issuer, urll: 'x' }, claimMappings: { username: { claim: 'sub' } } }]),
      ['.jwt[0].issuer should NOT have additional properties'],
    ],
    ['no claimMappings', config([{ issuer }]), [".jwt[0] should have required property 'claimMappings'"]],
    ['an anonymous block', config([], { anonymous: { enabled: true, conditions: [{ path: '/healthz' }] } }), []],
    [
      'an unknown audienceMatchPolicy',
      config([
        { issuer: { ...issuer, audienceMatchPolicy: 'MatchAll' }, claimMappings: { username: { claim: 'sub' } } },
      ]),
      ['.jwt[0].issuer.audienceMatchPolicy should be equal to one of the allowed values'],
    ],
  ])('%s', (_name, value, errors) => {
    expect(check(value)).toEqual(errors);
  });

  it('1.30 has no v1 and no anonymous block', () => {
    expect(toJsonSchema(api130, AUTHN)).toBeUndefined();
    const check130 = validator(toJsonSchema(api130, { ...AUTHN, version: 'v1beta1' })!);
    expect(
      check130({
        apiVersion: 'apiserver.config.k8s.io/v1beta1',
        kind: 'AuthenticationConfiguration',
        jwt: [],
        anonymous: { enabled: true },
      }),
    ).toEqual(['should NOT have additional properties']);
  });
});
