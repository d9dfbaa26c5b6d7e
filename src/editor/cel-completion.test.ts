import { describe, expect, it } from 'vitest';
import { celSuggestions, pathBeforeCursor } from './cel-completion.ts';

const context = {
  variables: { object: { spec: { replicas: 3n, template: { spec: { containers: [] } } } }, request: {} },
};
const labels = (text: string, kind?: string) =>
  celSuggestions(text, context)
    .filter((s) => !kind || s.kind === kind)
    .map((s) => s.label);

describe('CEL completion', () => {
  it('reads the dotted path before the cursor', () => {
    expect(pathBeforeCursor('object.spec.rep')).toEqual({ path: ['object', 'spec'], partial: 'rep' });
    expect(pathBeforeCursor('a && object.')).toEqual({ path: ['object'], partial: '' });
    expect(pathBeforeCursor('object.?spec.')).toEqual({ path: ['object', 'spec'], partial: '' });
  });

  it('offers the variables at the start of a term', () => {
    expect(labels('size(', 'variable')).toEqual(['object', 'request']);
  });

  it('offers the known fields of a variable, with their kind', () => {
    expect(labels('object.spec.', 'field')).toEqual(['replicas', 'template']);
    expect(celSuggestions('object.spec.', context)[0]).toEqual({ label: 'replicas', kind: 'field', detail: 'int' });
    expect(labels('object.spec.template.spec.', 'field')).toEqual(['containers']);
  });

  it('offers member functions but no fields after a call or an index', () => {
    expect(labels('object.spec.template.spec.containers[0].', 'field')).toEqual([]);
    expect(labels("'abc'.", 'function')).toContain('startsWith');
  });
});

describe('CEL completion from a kind’s schema', async () => {
  const { loadOpenApi, INDEXED, ITERATED } = {
    ...(await import('../k8s/openapi/index.ts')),
    ...(await import('../k8s/openapi/fields.ts')),
  };
  const api = await loadOpenApi('1.34');
  const deployment = api.schemaFor({ group: 'apps', version: 'v1', kind: 'Deployment' })!;
  const known = {
    variables: { object: { spec: { template: {} }, extra: 1 } },
    schemas: { object: { api, schema: deployment } },
  };
  const fields = (text: string) =>
    celSuggestions(text, known)
      .filter((s) => s.kind === 'field')
      .map((s) => s.label);

  it('reads indices and macro bindings into the path', () => {
    const cases: [string, string[]][] = [
      ['object.spec.containers[0].', ['object', 'spec', 'containers', INDEXED]],
      ["object.metadata.labels['app'].", ['object', 'metadata', 'labels', INDEXED]],
      ['object.spec.containers.all(c, c.', ['object', 'spec', 'containers', ITERATED]],
      ['object.spec.containers.all(c, c.env.exists(e, e.', ['object', 'spec', 'containers', ITERATED, 'env', ITERATED]],
      ['object.spec.containers.all(c, size(c.ports) > 0 && c.', ['object', 'spec', 'containers', ITERATED]],
      ['object.spec.containers.map(c, c.name).all(n, n.', ['<expression>']],
      ['object.x.all(c, true) && c.', ['c']],
    ];
    for (const [text, path] of cases) expect(pathBeforeCursor(text)?.path, text).toEqual(path);
  });

  it('offers the top-level fields of the kind, then what only the sample has', () => {
    expect(fields('object.')).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status', 'extra']);
  });

  it('offers the fields of spec that the sample does not have, typed and documented', () => {
    expect(fields('object.spec.')).toContain('replicas');
    expect(celSuggestions('object.spec.rep', known).find((s) => s.label === 'replicas')).toEqual({
      label: 'replicas',
      kind: 'field',
      detail: 'int',
      documentation: expect.stringMatching(/^Number of desired pods/) as unknown,
    });
  });

  it('follows nested objects, list elements and macro bindings', () => {
    expect(fields('object.spec.template.spec.')).toContain('containers');
    expect(fields('object.spec.template.spec.containers[0].')).toContain('image');
    expect(fields('object.spec.template.spec.containers.all(c, c.')).toContain('securityContext');
    expect(fields('object.spec.template.spec.containers.exists(c, c.securityContext.')).toContain('privileged');
  });

  it('offers nothing from the schema for a variable without one, or past what it declares', () => {
    expect(fields('request.')).toEqual([]);
    expect(fields('object.metadata.labels.')).toEqual([]);
  });
});
