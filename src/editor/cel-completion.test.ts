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
