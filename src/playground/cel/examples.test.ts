// Each example of the CEL page gives the outcome its summary promises.

import { describe, expect, it } from 'vitest';
import { DEFAULT_VERSION } from '../state.ts';
import { evaluateCelPage, type CelPageResult } from './evaluate.ts';
import { CEL_EXAMPLES } from './examples.ts';

const expected: Record<string, Partial<CelPageResult>> = {
  'replicas-limit': { outcome: 'value', value: true, type: 'bool' },
  registry: { outcome: 'value', value: false, type: 'bool' },
  'untagged-images': { outcome: 'value', value: ['docker.io/fluent/fluent-bit'], type: 'list' },
  'memory-quantity': { outcome: 'value', value: true, type: 'bool' },
  'optional-owner': { outcome: 'value', value: 'nobody', type: 'string' },
  'email-domain': { outcome: 'value', value: true, type: 'bool' },
  'division-by-zero': { outcome: 'error', error: 'division by zero', compileError: false },
};

describe('the CEL examples', () => {
  it('each has an expected outcome here', () => {
    expect(CEL_EXAMPLES.map((e) => e.id).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const example of CEL_EXAMPLES) {
    it(`${example.title}: ${example.summary}`, () => {
      const { result, diagnostics } = evaluateCelPage({
        page: 'cel',
        version: DEFAULT_VERSION,
        docs: example.docs,
        options: example.options,
      });
      expect(diagnostics).toEqual([]);
      expect(result).toMatchObject(expected[example.id]!);
    });
  }
});
