import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CEL_EXAMPLES } from '../cel/examples.ts';
import { celVariableSchemas, celVariablesSchema, kindOfSample } from './cel-variables.ts';

const deployment = (spec: unknown) => ({ apiVersion: 'apps/v1', kind: 'Deployment', spec });

describe('the CEL page’s variables schema', async () => {
  const check = new Ajv({ allErrors: true }).compile(await celVariablesSchema('1.34'));
  const errors = (vars: unknown) => {
    check(vars);
    return (check.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => `${e.dataPath} ${e.message}`);
  };
  const cases: { name: string; vars: unknown; errors: string[] }[] = [
    { name: 'a Deployment as object', vars: { object: deployment({ replicas: 3 }) }, errors: [] },
    {
      name: 'a wrong type in object, with its path',
      vars: { object: deployment({ replicas: 'three' }) },
      errors: ['.object.spec.replicas should be integer'],
    },
    {
      name: 'oldObject, params and namespaceObject are sample objects too',
      vars: {
        oldObject: deployment({ paused: 'yes' }),
        params: { apiVersion: 'v1', kind: 'ConfigMap', data: { max: 5 } },
        namespaceObject: { apiVersion: 'v1', kind: 'Namespace', metadata: { labels: [] } },
      },
      errors: [
        '.oldObject.spec.paused should be boolean',
        ".params.data['max'] should be string",
        '.namespaceObject.metadata.labels should be object',
      ],
    },
    {
      name: 'a custom resource, null and other variables are free',
      vars: { object: { apiVersion: 'example.com/v1', kind: 'Widget', x: 1 }, oldObject: null, claims: { sub: 1 } },
      errors: [],
    },
  ];
  for (const c of cases) it(c.name, () => expect(errors(c.vars)).toEqual(c.errors));

  // A starting point that opens with a schema warning would teach the wrong thing.
  for (const example of CEL_EXAMPLES) {
    it(`the example "${example.title}" has no schema warning`, () => {
      expect(errors(parse(example.docs.vars ?? '') ?? {})).toEqual([]);
    });
  }
});

describe('the schemas CEL completion walks', () => {
  it('reads a sample’s kind from its apiVersion and kind', () => {
    expect(kindOfSample({ apiVersion: 'apps/v1', kind: 'Deployment' })).toEqual({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
    expect(kindOfSample({ apiVersion: 'v1', kind: 'Pod' })).toEqual({ group: '', version: 'v1', kind: 'Pod' });
    expect(kindOfSample({ kind: 'Pod' })).toBeUndefined();
    expect(kindOfSample('Pod')).toBeUndefined();
  });

  it('gives object its sample’s kind, oldObject the same unless it says otherwise, namespaceObject a Namespace', async () => {
    const schemas = await celVariableSchemas(
      { object: deployment({}), params: { apiVersion: 'example.com/v1', kind: 'Widget' } },
      ['object', 'oldObject', 'params', 'namespaceObject', 'request'],
      '1.34',
    );
    expect(Object.keys(schemas)).toEqual(['object', 'oldObject', 'namespaceObject']);
    expect(Object.keys(schemas.object!.schema.properties!)).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'spec',
      'status',
    ]);
    expect(schemas.oldObject!.schema).toBe(schemas.object!.schema);
    expect(schemas.namespaceObject!.schema.properties?.spec?.$ref).toBe('io.k8s.api.core.v1.NamespaceSpec');
  });

  it('only for the variables asked for (an environment without object has none)', async () => {
    expect(await celVariableSchemas({ object: deployment({}) }, ['claims'], '1.34')).toEqual({});
  });
});
