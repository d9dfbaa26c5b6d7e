import { describe, expect, it } from 'vitest';
import { INDEXED, ITERATED, fieldsAt, schemaAt } from './fields.ts';
import { loadOpenApi, type GroupVersionKind } from './index.ts';

const api = await loadOpenApi('1.34');
const kind = (group: string, version: string, name: string): GroupVersionKind => ({ group, version, kind: name });
const DEPLOYMENT = kind('apps', 'v1', 'Deployment');
const CONFIG_MAP = kind('', 'v1', 'ConfigMap');
const root = (gvk: GroupVersionKind) => api.schemaFor(gvk)!;

describe('the fields a kind’s schema knows at a path', () => {
  const names: { name: string; gvk: GroupVersionKind; path: string[]; fields: string[] }[] = [
    {
      name: 'the top of a kind',
      gvk: DEPLOYMENT,
      path: [],
      fields: ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
    },
    {
      name: 'through a $ref (spec → DeploymentSpec)',
      gvk: DEPLOYMENT,
      path: ['spec'],
      fields: [
        'minReadySeconds',
        'paused',
        'progressDeadlineSeconds',
        'replicas',
        'revisionHistoryLimit',
        'selector',
        'strategy',
        'template',
      ],
    },
    {
      name: 'an element of a list, as after `[0].`',
      gvk: DEPLOYMENT,
      path: ['spec', 'template', 'spec', 'containers', INDEXED],
      fields: expect.arrayContaining(['name', 'image', 'resources', 'securityContext']) as unknown as string[],
    },
    {
      name: 'the variable a macro binds over a list, as in `.all(c, c.`',
      gvk: DEPLOYMENT,
      path: ['spec', 'template', 'spec', 'containers', ITERATED, 'securityContext'],
      fields: expect.arrayContaining(['runAsNonRoot', 'privileged']) as unknown as string[],
    },
    { name: 'a map has no declared fields', gvk: DEPLOYMENT, path: ['metadata', 'labels'], fields: [] },
    { name: 'a scalar has none', gvk: DEPLOYMENT, path: ['spec', 'replicas'], fields: [] },
    { name: 'a field the schema does not declare', gvk: DEPLOYMENT, path: ['spec', 'replica'], fields: [] },
    { name: 'an index into an object is unknown', gvk: DEPLOYMENT, path: ['spec', INDEXED], fields: [] },
    {
      name: 'a kind without spec',
      gvk: CONFIG_MAP,
      path: [],
      fields: ['apiVersion', 'binaryData', 'data', 'immutable', 'kind', 'metadata'],
    },
  ];
  for (const c of names) {
    it(c.name, () => expect(fieldsAt(api, root(c.gvk), c.path).map((f) => f.name)).toEqual(c.fields));
  }

  const types: { path: string[]; field: string; type: string }[] = [
    { path: ['spec'], field: 'replicas', type: 'int' },
    { path: ['spec'], field: 'paused', type: 'bool' },
    { path: ['spec'], field: 'template', type: 'PodTemplateSpec' },
    { path: ['spec', 'template', 'spec'], field: 'containers', type: 'list(Container)' },
    { path: ['metadata'], field: 'labels', type: 'map(string, string)' },
    { path: ['metadata'], field: 'creationTimestamp', type: 'timestamp' },
    { path: ['metadata'], field: 'ownerReferences', type: 'list(OwnerReference)' },
    { path: ['spec', 'strategy', 'rollingUpdate'], field: 'maxSurge', type: 'int | string' },
    {
      path: ['spec', 'template', 'spec', 'containers', INDEXED, 'resources'],
      field: 'limits',
      type: 'map(string, Quantity)',
    },
  ];
  for (const c of types) {
    it(`types ${[...c.path, c.field].join('.')} as ${c.type}`, () =>
      expect(fieldsAt(api, root(DEPLOYMENT), c.path).find((f) => f.name === c.field)?.type).toBe(c.type));
  }

  it('gives the description as documentation', () => {
    expect(fieldsAt(api, root(DEPLOYMENT), ['spec']).find((f) => f.name === 'replicas')?.description).toMatch(
      /^Number of desired pods/,
    );
  });

  it('binds a map’s keys, strings, when a macro iterates over it', () => {
    expect(schemaAt(api, root(DEPLOYMENT), ['metadata', 'labels', ITERATED])).toEqual({ type: 'string' });
    expect(schemaAt(api, root(DEPLOYMENT), ['metadata', 'labels', INDEXED])).toMatchObject({ type: 'string' });
  });

  it('types bytes from a byte string', () => {
    expect(fieldsAt(api, root(CONFIG_MAP), []).find((f) => f.name === 'binaryData')?.type).toBe('map(string, bytes)');
  });
});
