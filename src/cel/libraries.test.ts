// Table-driven tests of the Kubernetes CEL libraries, with values from the function reference of the admission
// research (§5.5), cel-go's and Kubernetes' doc comments, and Go's semantics where they leak through.

import { describe, expect, it } from 'vitest';
import { admissionEnvironment } from './kubernetes.ts';
import { compile, evaluate } from './compile.ts';
import { toJSON, typeName } from './values.ts';
import { runCelRequest } from './run.ts';

type Want = { value: unknown; type?: string } | { error: string | RegExp } | { compileError: string | RegExp };

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

const table: Record<string, [string, Want][]> = {
  'standard library (Go semantics)': [
    ['7 / 2', { value: 3, type: 'int' }],
    ['-7 % 3', { value: -1 }],
    ['9223372036854775807 + 1', { error: 'integer overflow' }],
    ['-9223372036854775808 - 1', { error: 'integer overflow' }],
    ['1 / 0', { error: 'division by zero' }],
    ['1 % 0', { error: 'modulus by zero' }],
    ['1u - 2u', { error: 'unsigned integer overflow' }],
    ['int(9223372036854775807.0)', { error: 'integer overflow' }],
    ["int('12')", { value: 12, type: 'int' }],
    ["int('x')", { error: "type conversion error from 'string' to 'int'" }],
    ["double('1e3')", { value: 1000, type: 'double' }],
    ["bool('t') && bool('TRUE') && !bool('F')", { value: true }],
    ['string(1e6)', { value: '1e+06' }],
    ['string(100000.0)', { value: '100000' }],
    ['string(1700081020.0)', { value: '1.70008102e+09' }],
    ["size('🐱')", { value: 1 }],
    ["duration('1h30m').getMinutes()", { value: 90 }],
    ["duration('1h') + duration('1ns') > duration('1h')", { value: true }],
    ["timestamp('2024-01-01T00:00:00Z').getDayOfWeek()", { value: 1 }],
    ["timestamp('2024-01-01T00:00:00.000000001Z') > timestamp('2024-01-01T00:00:00Z')", { value: true }],
    ["timestamp('2024-01-01T23:30:00Z').getHours('+01:00')", { value: 0 }],
    ['1 < 1.5 && 2u > 1 && dyn(1.0) == 1', { value: true }],
    ['1.0 == 1', { compileError: "found no matching overload for '_==_' applied to '(double, int)'" }],
    ['dyn(1) == 1.0', { value: true }],
    ['{1: "a"}.all(k, type(k) == int)', { value: true }],
    ["dyn({1: 'a'})['1']", { error: 'no such key: 1' }],
    [
      "{1: 'a'}['1']",
      { compileError: "found no matching overload for '_[_]' applied to '(map(int, string), string)'" },
    ],
    ["'ABC'.matches('(?i)abc')", { value: true }],
    ["'x'.matches('^\\\\pL$')", { value: true }],
    ["'abc'.matches('a(?=b)')", { compileError: 'invalid matches argument' }],
    ["'abc'.matches(dyn('a(?=b)'))", { error: 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`' }],
    ["duration('1x')", { compileError: 'invalid duration argument' }],
    ["b'abc'.hex()", { compileError: "undeclared reference to 'hex' (in container '')" }],
    ["[1, 'a']", { compileError: "expected type 'int' but found 'string'" }],
    ['[1, 2, 3].exists_one(x, x > 2)', { value: true }],
    ['[1, 2, 3].all(e, 6 / (2 - e) == 6)', { value: false }],
  ],
  'ext strings (code points, Go strings package)': [
    ["'🐱a'.indexOf('a')", { value: 1 }],
    ["'tacocat'.charAt(3)", { value: 'o' }],
    ["'tacocat'.charAt(7)", { value: '' }],
    ["'tacocat'.charAt(8)", { error: 'index out of range: 8' }],
    ["'hello'.replace('l', 'L')", { value: 'heLLo' }],
    ["'hello hello'.replace('he', 'we', 1)", { value: 'wello hello' }],
    ["'a,b'.split(',').size()", { value: 2 }],
    ["'hello hello hello'.split(' ', 0)", { value: [] }],
    ["'a🐱b'.split('')", { value: ['a', '🐱', 'b'] }],
    ["'🐱abc'.substring(1)", { value: 'abc' }],
    ["'abc'.substring(2, 1)", { error: 'invalid substring range. start: 2, end: 1' }],
    ["' \\t abc \\n'.trim()", { value: 'abc' }],
    ["'TacoCat'.lowerAscii() + 'TacoCat'.upperAscii()", { value: 'tacocatTACOCAT' }],
    ["'hello mellow'.lastIndexOf('ello')", { value: 7 }],
    ["['a', 'b'].join('-')", { value: 'a-b' }],
    // Literals passed to format() are exempt from the homogeneous-literal rule, as in cel-go.
    ["'%s is %d'.format(['x', 3])", { value: 'x is 3' }],
    ['"%.2f".format([3.14159])', { value: '3.14' }],
    ["strings.quote('a\"b\\n')", { value: '"a\\"b\\n"' }],
  ],
  'ext sets': [
    ['sets.contains([1, 2, 3], [2])', { value: true }],
    ['sets.contains([dyn(1), dyn(2.0), dyn(3u)], [dyn(1.0), dyn(2u), dyn(3)])', { value: true }],
    ['sets.contains([1, 2.0], [1])', { compileError: "expected type 'int' but found 'double'" }],
    ['sets.equivalent([1, 2], [2, 1, 1])', { value: true }],
    ['sets.intersects([1], [2])', { value: false }],
  ],
  'kubernetes lists': [
    ['[1, 2, 3].sum()', { value: 6, type: 'int' }],
    ['[1.0, 2.5].sum()', { value: 3.5, type: 'double' }],
    ["[duration('1s'), duration('2s')].sum()", { value: '3s' }],
    ['[3, 1, 2].min()', { value: 1 }],
    ["['b', 'a'].max()", { value: 'b' }],
    ['[1].filter(x, x > 1).min()', { error: 'min called on empty list' }],
    ['[1].filter(x, x > 1).max()', { error: 'max called on empty list' }],
    ['[1, 2, 3].isSorted() && ![2, 1].isSorted()', { value: true }],
    ['[1, 2, 2, 3].indexOf(2)', { value: 1 }],
    ['[1, 2, 2, 3].lastIndexOf(2)', { value: 2 }],
    ['[1, 2].indexOf(5)', { value: -1 }],
  ],
  'kubernetes regex (RE2, Go leftmost-first)': [
    ["'abc 123'.find('[0-9]+')", { value: '123' }],
    ["'abc 123'.find('[0-9]*')", { value: '' }],
    ["'123 abc 456'.findAll('[0-9]+')", { value: ['123', '456'] }],
    ["'123 abc 456'.findAll('[0-9]+', 1)", { value: ['123'] }],
    ["'abc'.find(dyn('['))", { error: 'Illegal regex: error parsing regexp: missing closing ]: `[`' }],
  ],
  'kubernetes urls (Go net/url)': [
    ["url('https://example.com:80/').getHost()", { value: 'example.com:80' }],
    ["url('https://example.com:80/').getHostname()", { value: 'example.com' }],
    ["url('https://example.com:80/').getPort()", { value: '80' }],
    ["url('https://[::1]:80/').getHostname()", { value: '::1' }],
    ["url('https://example.com/a%20b').getEscapedPath()", { value: '/a%20b' }],
    ["url('/path?x=1&x=2&y').getQuery()", { value: { x: ['1', '2'], y: [''] } }],
    ["url('https://example.com').getQuery()", { value: {} }],
    ["isURL('https://example.com/') && isURL('/absolute') && !isURL('relative/path')", { value: true }],
    [
      "url('example.com')",
      { error: 'URL parse error during conversion from string: parse "example.com": invalid URI for request' },
    ],
  ],
  'kubernetes ip and cidr (Go net/netip)': [
    ["ip('192.168.0.1').family()", { value: 4 }],
    ["isIP('127.000.0.1')", { value: false }],
    ["isIP('::ffff:1.2.3.4')", { value: false }],
    ["isIP('fe80::1%eth0')", { value: false }],
    ["string(ip('2001:db8:0:0:0:0:0:1'))", { value: '2001:db8::1' }],
    ["ip.isCanonical('2001:db8::1') && !ip.isCanonical('2001:DB8::1')", { value: true }],
    ["ip('127.0.0.1').isLoopback() && ip('::1').isLoopback()", { value: true }],
    ["ip('0.0.0.0').isUnspecified()", { value: true }],
    ["ip('fe80::1').isLinkLocalUnicast() && ip('169.254.1.1').isLinkLocalUnicast()", { value: true }],
    ["ip('224.0.0.1').isLinkLocalMulticast() && ip('ff02::1').isLinkLocalMulticast()", { value: true }],
    ["ip('10.0.0.1').isGlobalUnicast() && !ip('255.255.255.255').isGlobalUnicast()", { value: true }],
    ["ip('10.0.0.1') == ip('10.0.0.1')", { value: true }],
    ["cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')", { value: true }],
    ["cidr('192.168.0.0/24').containsIP('192.168.0.1')", { value: true }],
    ["cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))", { value: false }],
    [
      "cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && !cidr('10.1.0.0/16').containsCIDR('10.0.0.0/8')",
      { value: true },
    ],
    ["cidr('10.0.0.0/8').prefixLength()", { value: 8 }],
    ["string(cidr('::1/128').ip())", { value: '::1' }],
    ["isCIDR('10.0.0.0/33')", { value: false }],
  ],
  'kubernetes quantity (exact decimals)': [
    ["quantity('200M') == quantity('0.2G')", { value: true }],
    ["quantity('1Gi').asInteger()", { value: 1073741824 }],
    ["quantity('1.5').isInteger()", { value: false }],
    ["quantity('1.5').asInteger()", { error: 'cannot convert value to integer' }],
    ["quantity('-1').sign()", { value: -1 }],
    ["quantity('1Mi').add(1).asInteger()", { value: 1048577 }],
    ["quantity('1').sub(quantity('500m')).asApproximateFloat()", { value: 0.5 }],
    ["quantity('50M').compareTo(quantity('50Mi'))", { value: -1 }],
    ["isQuantity('200K') || isQuantity('Mi') || isQuantity('10Mo')", { value: false }],
    ["isQuantity('1e3') && isQuantity('100m') && isQuantity('.5')", { value: true }],
  ],
  'kubernetes semver (blang strict)': [
    ["semver('1.2.3').major() + semver('1.2.3').minor() + semver('1.2.3').patch()", { value: 6 }],
    ["semver('v1.0', true) == semver('1.0.0')", { value: true }],
    ["isSemver('01.0.0') || isSemver('1.0')", { value: false }],
    ["semver('1.0.0-alpha').isLessThan(semver('1.0.0'))", { value: true }],
    ["semver('1.0.0-alpha.10').isGreaterThan(semver('1.0.0-alpha.9'))", { value: true }],
  ],
  'kubernetes format (apimachinery messages)': [
    ["format.dns1123Subdomain().validate('example.com')", { value: { optional: null } }],
    [
      "format.named('uuid').value().validate('not-a-uuid')",
      { value: { optional: ['does not match the UUID format'] } },
    ],
    ["format.date().validate('2024-02-30')", { value: { optional: ['invalid date'] } }],
    ["format.datetime().validate('2024-02-03T04:05:06Z')", { value: { optional: null } }],
    ["format.dns1123LabelPrefix().validate('my-prefix-')", { value: { optional: null } }],
  ],
  'optional types': [
    ['optional.of(1).orValue(2)', { value: 1 }],
    ['optional.none().orValue(2)', { value: 2 }],
    ["{'a': 1}.?b.orValue(5)", { value: 5 }],
    ['[1, 2][?5].hasValue()', { value: false }],
    ['optional.ofNonZeroValue(0).hasValue()', { value: false }],
    ['optional.of(1).optMap(x, x + 1).value()', { value: 2 }],
    ['optional.of(1).optFlatMap(x, optional.none()).hasValue()', { value: false }],
    ['optional.none().or(optional.of(3)).value()', { value: 3 }],
    ['optional.none().value()', { error: 'optional.none() dereference' }],
    ["[?{'a': 1}.?a, ?optional.none()]", { value: [1] }],
    ["{?'k': optional.none(), 'j': 2}", { value: { j: 2 } }],
    ['[1, 2].first().value() + [1, 2].last().value()', { value: 3 }],
    ['[optional.of(1), optional.none()].unwrapOpt()', { value: [1] }],
  ],
  'two-variable comprehensions': [
    ['[10, 20].all(i, v, v > i)', { value: true }],
    ['[1, 2].exists(i, v, i == 1 && v == 2)', { value: true }],
    ['[1, 2, 3].existsOne(i, v, v > 2)', { value: true }],
    ["{'a': 1}.transformMapEntry(k, v, {v: k})", { value: { '1': 'a' } }],
    ['[1, 2, 3].transformList(i, v, v > 1, v * 10)', { value: [20, 30] }],
    ["{'a': 1, 'b': 2}.transformMapEntry(k, v, {'same': v})", { error: /insert failed/ }],
  ],
  'ext lists v3': [
    ['[1, 2, 3, 4].slice(1, 3)', { value: [2, 3] }],
    ['[1, 2, 1].distinct()', { value: [1, 2] }],
    ['[1, 2].reverse()', { value: [2, 1] }],
    ["['b', 'a'].sortBy(x, x)", { value: ['a', 'b'] }],
    ['[dyn([1]), dyn([2, 3])].flatten()', { value: [1, 2, 3] }],
    ['lists.range(3)', { value: [0, 1, 2] }],
    ['[1, dyn(2.0)].sort()', { error: 'no such overload' }],
  ],
};

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
