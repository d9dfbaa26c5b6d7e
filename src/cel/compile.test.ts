// Compile-time errors with positions (cel-go's issue display, as kube-apiserver prints it after
// "compilation failed: "), result-type rules, and the runtime cost limit.

import { describe, expect, it } from 'vitest';
import { compile, evaluate, type CelIssue } from './compile.ts';
import { admissionEnvironment, authnEnvironment, claimsValue } from './kubernetes.ts';
import { T } from './types.ts';
import { fromJSON } from './values.ts';

const validation = admissionEnvironment({ version: '1.34', use: 'validation', resultType: [T.bool] });

describe('compile errors', () => {
  const cases: [string, string, Omit<CelIssue, 'message'> & { message: string }][] = [
    [
      'undeclared identifier',
      'foo.bar',
      { line: 1, column: 1, offset: 0, message: "undeclared reference to 'foo' (in container '')" },
    ],
    [
      'unknown field of a declared type',
      'request.operation == "CREATE" && request.userInfo.nme == ""',
      { line: 1, column: 50, offset: 49, message: "undefined field 'nme'" },
    ],
    [
      'no matching overload',
      "object.x == 1 && 'a' + 1 == 'a1'",
      { line: 1, column: 22, offset: 21, message: "found no matching overload for '_+_' applied to '(string, int)'" },
    ],
    [
      'homogeneous literal',
      "{'a': 1, 'b': 'x'}.size() == 2",
      { line: 1, column: 15, offset: 14, message: "expected type 'int' but found 'string'" },
    ],
    [
      'syntax error on the second line',
      'object.spec.\n  containers.all(c, c.name ==)',
      {
        line: 2,
        column: 30,
        offset: 42,
        message:
          "Syntax error: mismatched input ')' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}",
      },
    ],
    [
      'invalid regex literal',
      "object.name.matches('[')",
      { line: 1, column: 21, offset: 20, message: 'invalid matches argument' },
    ],
    ['reserved word', 'namespace == 1', { line: 1, column: 1, offset: 0, message: 'reserved identifier: namespace' }],
  ];
  it.each(cases)('%s', (_name, expression, issue) => {
    const r = compile(expression, validation);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]).toEqual(issue);
  });

  it('renders issues like cel-go: header, source line and caret', () => {
    const r = compile('foo.bar', authnEnvironment({ version: '1.30', use: 'claims' }));
    expect(!r.ok && r.message).toBe(
      "ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')\n | foo.bar\n | ^",
    );
    const r2 = compile('claims + 1', authnEnvironment({ version: '1.34', use: 'claims' }));
    expect(!r2.ok && r2.message).toBe(
      "ERROR: <input>:1:8: found no matching overload for '_+_' applied to '(map(string, any), int)'\n | claims + 1\n | .......^",
    );
  });

  it('reports several issues sorted by position', () => {
    const r = compile('b + 1 == a', validation);
    expect(!r.ok && r.issues.map((i) => [i.column, i.message])).toEqual([
      [1, "undeclared reference to 'b' (in container '')"],
      [10, "undeclared reference to 'a' (in container '')"],
    ]);
  });

  it('reports mixed literals only when the check itself found nothing (kube-apiserver 1.34 answers so)', () => {
    const r = compile("[1, 'a'].foo() == 1", validation);
    expect(!r.ok && r.issues.map((i) => [i.column, i.message])).toEqual([
      [13, "undeclared reference to 'foo' (in container '')"],
    ]);
    const mixed = compile("[1, 'a'].size() == 2", validation);
    expect(!mixed.ok && mixed.issues.map((i) => [i.column, i.message])).toEqual([
      [5, "expected type 'int' but found 'string'"],
    ]);
  });

  it('checks the result type with the wording of each use', () => {
    const v = compile('object.spec.paused', validation);
    expect(!v.ok && v.message).toBe('must evaluate to bool but got dyn');
    const a = compile('claims.foo', authnEnvironment({ version: '1.34', use: 'claims', resultType: [T.bool] }));
    expect(!a.ok && a.message).toBe('must evaluate to bool');
    expect(compile('object.spec.paused == true', validation).ok).toBe(true);
  });

  it('types the user of userValidationRules and rejects unknown fields', () => {
    const env = authnEnvironment({ version: '1.34', use: 'user' });
    const ok = compile("user.groups.all(g, !g.startsWith('system:')) && user.extra['k'].size() > 0", env);
    expect(ok.ok).toBe(true);
    const bad = compile('user.unknown', env);
    expect(!bad.ok && bad.issues[0]).toEqual({ line: 1, column: 5, offset: 4, message: "undefined field 'unknown'" });
    const claims = compile('claims.x', env);
    expect(!claims.ok && claims.issues[0]!.message).toBe("undeclared reference to 'claims' (in container '')");
  });
});

describe('runtime cost', () => {
  const env = admissionEnvironment({ version: '1.34', use: 'validation' });
  const object = fromJSON({ metadata: { name: 'n' }, items: Array.from({ length: 300 }, (_, i) => i) });

  it('counts identifiers and selections as Kubernetes does (object.metadata.name costs 3)', () => {
    const c = compile('object.metadata.name', env);
    if (!c.ok) throw new Error(c.message);
    expect(evaluate(c.program, { object })).toEqual({ ok: true, value: 'n', cost: 3 });
  });

  it('stops at the cost limit with kube-apiserver’s error', () => {
    const c = compile('object.items.map(x, x * 2).size() > 0', env);
    if (!c.ok) throw new Error(c.message);
    expect(evaluate(c.program, { object }, { costLimit: 100 })).toMatchObject({
      ok: false,
      error: 'operation cancelled: actual cost limit exceeded',
    });
    expect(evaluate(c.program, { object })).toMatchObject({ ok: true, value: true });
  });

  it('stops a cubic comprehension at the 1,000,000 per-call limit', () => {
    const c = compile('object.items.all(a, object.items.all(b, object.items.all(c, a + b + c >= 0)))', env);
    if (!c.ok) throw new Error(c.message);
    const r = evaluate(c.program, { object });
    expect(r).toMatchObject({ ok: false, error: 'operation cancelled: actual cost limit exceeded' });
    expect(r.cost).toBeGreaterThan(1_000_000);
  });

  it('refuses lists.range beyond the budget before allocating it', () => {
    const c = compile('lists.range(100000000).size() > 0', env);
    if (!c.ok) throw new Error(c.message);
    expect(evaluate(c.program, { object })).toMatchObject({
      ok: false,
      error: 'operation cancelled: actual cost limit exceeded',
    });
  });

  it('does not let || or && absorb the cost-limit error', () => {
    const c = compile('true || object.items.map(x, x).size() > 0', env);
    if (!c.ok) throw new Error(c.message);
    expect(evaluate(c.program, { object }, { costLimit: 5 })).toMatchObject({ ok: true, value: true });
    const d = compile('object.items.map(x, x).size() > 0 || true', env);
    if (!d.ok) throw new Error(d.message);
    expect(evaluate(d.program, { object }, { costLimit: 50 })).toMatchObject({
      ok: false,
      error: 'operation cancelled: actual cost limit exceeded',
    });
  });
});

describe('authentication claims by version', () => {
  const claims = { n: 1, big: 1700081020, 'kubernetes.io': { namespace: 'kube-system' } };
  const run = (expression: string, version: string) => {
    const c = compile(expression, authnEnvironment({ version, use: 'claims' }));
    if (!c.ok) throw new Error(c.message);
    return evaluate(c.program, { claims: claimsValue(claims, version) });
  };
  it('numbers are int up to 1.33 and double from 1.34', () => {
    expect(run('claims.n + 1 == 2', '1.33')).toMatchObject({ ok: true, value: true });
    expect(run('claims.n + 1 == 2', '1.34')).toMatchObject({ ok: false, error: 'no such overload' });
    expect(run('string(claims.big)', '1.34')).toMatchObject({ value: '1.70008102e+09' });
    expect(run('string(int(claims.big))', '1.34')).toMatchObject({ value: '1700081020' });
  });
  it('field names are unescaped from 1.34 only', () => {
    expect(run('claims.kubernetes__dot__io.namespace', '1.34')).toMatchObject({ value: 'kube-system' });
    expect(run('claims.kubernetes__dot__io.namespace', '1.33')).toMatchObject({
      error: 'no such key: kubernetes__dot__io',
    });
    expect(run('claims["kubernetes.io"].namespace', '1.30')).toMatchObject({ value: 'kube-system' });
  });
});

describe('bad input', () => {
  const garbage = [
    '('.repeat(300) + '1' + ')'.repeat(300),
    '-'.repeat(10_000) + '1',
    '!'.repeat(10_000) + 'true',
    '['.repeat(5000),
    '0x',
    "'",
    "b'\\xZZ'",
    '18446744073709551616u',
    '9223372036854775808',
    'has()',
    'Object{a:}',
    '\u0000',
  ];
  // No clock here (tests never fail on one): a quadratic or exponential checker would blow the test timeout.
  it('compiles a selection chain of 3000 fields', () => {
    const r = compile('object.' + 'a.'.repeat(3000) + 'b == 1', validation);
    expect(r.ok || r.issues.length > 0).toBe(true);
  });
  it.each(garbage.map((g) => [g.slice(0, 40), g]))('%s… is a compile error, not a crash', (_label, expression) => {
    const r = compile(expression, validation);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues[0]!.message).toMatch(
      /Syntax error|recursion limit|invalid|token recognition|unterminated|undeclared|argument/,
    );
  });
});
