import { describe, expect, it } from 'vitest';
import { evaluateCelPage } from './evaluate.ts';
import type { PlaygroundRequest } from '../evaluation.ts';

function run(
  docs: Record<string, string>,
  options: Record<string, string> = {},
  version: PlaygroundRequest['version'] = '1.34',
) {
  return evaluateCelPage({ page: 'cel', version, docs, options });
}

describe('the CEL scratch page', () => {
  it('evaluates against the YAML variables, with type and cost', () => {
    const r = run({ expression: 'object.spec.replicas + 1', vars: 'object:\n  spec:\n    replicas: 3\n' });
    expect(r.result).toEqual({ outcome: 'value', value: 4, type: 'int', cost: expect.any(Number) });
    expect(r.diagnostics).toEqual([]);
  });

  it('marks a syntax error at its column in the expression editor', () => {
    const r = run({ expression: 'object.spec.replicas +', vars: 'object: {}' });
    expect(r.result).toMatchObject({ outcome: 'error', compileError: true });
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ doc: 'expression', range: { startLineNumber: 1, startColumn: 23 } });
    expect(r.diagnostics[0]!.message).toMatch(/Syntax error/);
  });

  it('counts columns after astral characters as the editor does (UTF-16), not as CEL does (code points)', () => {
    const r = run({ expression: '"😀" + nope', vars: '' });
    expect(r.diagnostics[0]).toMatchObject({
      message: "undeclared reference to 'nope' (in container '')",
      range: { startLineNumber: 1, startColumn: 8 },
    });
  });

  it('maps an error inside a composited variable back into its YAML block', () => {
    const variables = '- name: ok\n  expression: "1"\n- name: broken\n  expression: |\n    object.x &&\n      nope\n';
    const r = run({ expression: 'variables.broken', vars: 'object: {x: true}', variables });
    expect(r.result).toMatchObject({ outcome: 'error', error: expect.stringMatching(/^variable "broken": /) });
    expect(r.diagnostics[0]).toMatchObject({
      doc: 'variables',
      message: "undeclared reference to 'nope' (in container '')",
      range: { startLineNumber: 6, startColumn: 7 },
    });
  });

  it('reports YAML errors where they are and does not evaluate', () => {
    const r = run({ expression: 'true', vars: 'object:\n  a: 1\n  a: 2\n' });
    expect(r.result.outcome).toBe('invalid');
    expect(r.diagnostics[0]).toMatchObject({ doc: 'vars', severity: 'error', range: { startLineNumber: 3 } });
  });

  it('refuses an alias bomb with a message instead of expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(10)
          .fill('*' + 'abcdefghij'[i - 1])
          .join(',')}]`,
      );
    const r = run({ expression: 'true', vars: `object:\n  ${bomb.join('\n  ')}\n` });
    expect(r.result.outcome).toBe('invalid');
    expect(r.diagnostics[0]!.message).toMatch(/^YAML: .*alias/i);
  });

  it('requires a bool in the validation environment, as the apiserver does for a validation', () => {
    const r = run({ expression: '1', vars: '' }, { env: 'validation' });
    expect(r.result).toMatchObject({ outcome: 'error', error: 'must evaluate to bool but got int' });
  });

  it('warns about a variable the environment does not have', () => {
    const r = run({ expression: 'claims.sub', vars: 'claims: {sub: me}\nobject: {}\n' }, { env: 'authn' });
    expect(r.result).toMatchObject({ outcome: 'value', value: 'me' });
    expect(r.diagnostics).toEqual([
      expect.objectContaining({
        doc: 'vars',
        severity: 'warning',
        range: expect.objectContaining({ startLineNumber: 2 }),
      }),
    ]);
  });

  it('gives the runtime error and the version-gated library answer', () => {
    expect(run({ expression: 'object.missing', vars: 'object: {}' }).result).toMatchObject({
      outcome: 'error',
      error: 'no such key: missing',
      compileError: false,
    });
    // The ip library exists in the stored environment of every version the page offers (1.30+).
    expect(run({ expression: "ip('10.0.0.1').family()", vars: '' }, {}, '1.30').result).toMatchObject({ value: 4 });
  });
});
