// Table-driven tests of the Kubernetes CEL libraries, with values from the function reference of the admission
// research (§5.5), cel-go's and Kubernetes' doc comments, and Go's semantics where they leak through.

import { describe, expect, it } from 'vitest';
import { admissionEnvironment } from './kubernetes.ts';
import { compile, evaluate } from './compile.ts';
import { toJSON, typeName } from './values.ts';
import { runCelRequest } from './run.ts';
import { table, type Want } from './testdata/library-cases.ts';

function run(expression: string, version = '1.34', use: 'validation' | 'mutation' = 'mutation') {
  const c = compile(expression, admissionEnvironment({ version, use }));
  if (!c.ok) return { compileError: c.message };
  const r = evaluate(c.program, { object: null, oldObject: null });
  return r.ok ? { value: toJSON(r.value), type: typeName(r.value) } : { error: r.error };
}

function check(expression: string, want: Want, version?: string, use?: 'validation' | 'mutation') {
  const got = run(expression, version, use);
  if ('value' in want) {
    expect(got).toMatchObject(want.type ? { value: want.value, type: want.type } : { value: want.value });
  } else if ('error' in want) {
    expect(got).toHaveProperty('error');
    if (typeof want.error === 'string') expect((got as { error: string }).error).toBe(want.error);
    else expect((got as { error: string }).error).toMatch(want.error);
  } else {
    expect(got).toHaveProperty('compileError');
    expect((got as { compileError: string }).compileError).toMatch(want.compileError);
  }
}

describe('Kubernetes CEL libraries', () => {
  for (const [library, cases] of Object.entries(table)) {
    describe(library, () => {
      it.each(cases)('%s', (expression, want) => check(expression, want));
    });
  }
  it('jsonpatch.escapeKey exists in mutations only', () => {
    check("jsonpatch.escapeKey('a/b~c')", { value: 'a~1b~0c' });
    check(
      "jsonpatch.escapeKey('a/b~c')",
      { compileError: "undeclared reference to 'jsonpatch'" },
      '1.34',
      'validation',
    );
  });
});

/** First version (stored expressions) or first version accepting it in a new policy, per library. */
const gates: [string, string, 'stored' | 'new'][] = [
  ["format.dns1123Label().validate('a')", '1.31', 'stored'],
  ['[1].all(i, v, v > i)', '1.32', 'stored'],
  ["semver('1.0.0').major()", '1.33', 'stored'],
  ['[1].first().hasValue()', '1.33', 'stored'],
  ['[3, 1].sort()', '1.34', 'stored'],
  ['lists.range(2)', '1.34', 'stored'],
  ["ip('1.2.3.4').family()", '1.31', 'new'],
  ["cidr('10.0.0.0/8').prefixLength()", '1.31', 'new'],
  ["format.dns1123Label().validate('a')", '1.32', 'new'],
  ['[1].all(i, v, v > i)', '1.33', 'new'],
  ["semver('1.0.0').major()", '1.34', 'new'],
];

describe('library version gates', () => {
  it.each(gates)('%s: from %s (%s expressions)', (expression, first, mode) => {
    const minor = Number(first.split('.')[1]);
    const before = compile(expression, admissionEnvironment({ version: `1.${minor - 1}`, use: 'mutation', mode }));
    expect(before.ok).toBe(false);
    expect(!before.ok && before.message).toMatch(/undeclared reference|found no matching overload/);
    expect(compile(expression, admissionEnvironment({ version: first, use: 'mutation', mode })).ok).toBe(true);
  });
});

describe('kubernetes authz with a mock authorizer', () => {
  const vars = {
    request: {
      userInfo: { username: 'jane', groups: ['dev'] },
      resource: { group: 'apps', resource: 'deployments' },
      namespace: 'shop',
      name: 'web',
    },
  };
  const authorizer = {
    default: 'deny' as const,
    rules: [
      {
        match: { user: 'jane', group: 'apps', resource: 'deployments', namespace: 'shop', verb: 'update' },
        decision: 'allow' as const,
        reason: 'rbac: editor',
      },
      { match: { user: 'system:serviceaccount:ns:sa', path: '/healthz' }, decision: 'allow' as const },
    ],
  };
  const cases: [string, object][] = [
    ["authorizer.requestResource.check('update').allowed()", { value: true, cost: 350002 }],
    ["authorizer.requestResource.check('update').reason()", { value: 'rbac: editor' }],
    ["authorizer.requestResource.check('delete').allowed()", { value: false }],
    [
      "authorizer.group('apps').resource('deployments').namespace('shop').name('web').check('update').allowed()",
      { value: true },
    ],
    ["authorizer.serviceAccount('ns', 'sa').path('/healthz').check('get').allowed()", { value: true }],
    ["authorizer.group('').resource('').check('get').allowed()", { error: 'resource must not be empty' }],
    ["authorizer.path('').check('get').allowed()", { error: 'path must not be empty' }],
    [
      "authorizer.path('/a').check('get').allowed() || authorizer.path('/b').check('get').allowed() || authorizer.path('/c').check('get').allowed()",
      { error: 'operation cancelled: actual cost limit exceeded' },
    ],
    ["authorizer.requestResource.fieldSelector('spec.nodeName=n1').check('list').errored()", { value: false }],
  ];
  it.each(cases)('%s', (expression, want) => {
    expect(runCelRequest({ expression, env: 'mutation', version: '1.34', vars, authorizer })).toMatchObject(want);
  });
  it('selectors exist from 1.31 (stored) and 1.32 (new policies)', () => {
    const e = "authorizer.requestResource.labelSelector('a=b').check('list').allowed()";
    expect(runCelRequest({ expression: e, env: 'validation', version: '1.30', vars })).toMatchObject({
      compileError: true,
    });
    expect(runCelRequest({ expression: e, env: 'validation', version: '1.31', mode: 'new', vars })).toMatchObject({
      compileError: true,
    });
    expect(
      runCelRequest({ expression: e, env: 'validation', version: '1.32', mode: 'new', vars, authorizer }),
    ).toMatchObject({ value: false });
  });
});
