import { describe, expect, it } from 'vitest';
import { CEL_EXAMPLES } from './cel/examples.ts';
import { initialWorkbench, stateOf, withDoc, withState } from './workbench.ts';

const start = initialWorkbench({ cel: CEL_EXAMPLES, authn: [], admission: [] });

describe('the playground workbench', () => {
  it('opens each page on its first example, or on empty editors', () => {
    expect(stateOf(start, 'cel')).toMatchObject({ page: 'cel', version: '1.34', docs: CEL_EXAMPLES[0]!.docs });
    expect(stateOf(start, 'admission').docs.policy).toBe('');
  });
  it('takes a linked state whole: its version, and empty documents for those it lacks', () => {
    const opened = withState(start, { page: 'cel', version: '1.31', docs: { expression: '1 + 1' }, options: {} });
    expect(stateOf(opened, 'cel')).toEqual({
      page: 'cel',
      version: '1.31',
      docs: { expression: '1 + 1', vars: '', variables: '' },
      options: {},
    });
    expect(opened.pages.authn).toBe(start.pages.authn);
  });
  it('keeps the same object when an edit changes nothing, so nothing re-evaluates', () => {
    const text = start.pages.cel.docs.expression!;
    expect(withDoc(start, 'cel', 'expression', text)).toBe(start);
    expect(withDoc(start, 'cel', 'expression', text + ' ').pages.cel.docs.expression).toBe(text + ' ');
  });
});
