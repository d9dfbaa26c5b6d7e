// `porthole admission --input FILE` end to end: every admission vector written to a file and run through the
// command (in-process for speed, and a few through the real CLI process), compared as the vector asks, with pass
// counts per level; then unreadable and malformed inputs, each a precise message and exit code 2.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import type { AdmissionOutcome } from '../../src/policy/admission/types.ts';
import {
  CEL_VECTORS,
  VECTORS,
  expectVectorOutcome,
  runnable,
  tally,
  type Vector,
} from '../../src/policy/admission/vector-check.ts';
import { admissionCommand } from './admission.ts';
import { celCommand } from './cel.ts';
import '../../src/k8s/openapi/load-all.ts';

const dir = mkdtempSync(join(tmpdir(), 'porthole-admission-'));
const root = new URL('../..', import.meta.url).pathname;

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The command in-process: its exit code and the one JSON object it printed. */
async function run(argv: string[], command = admissionCommand): Promise<{ code: number; out: unknown }> {
  let printed = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  try {
    const code = await command(argv);
    expect(printed.trim().split('\n')).toHaveLength(1);
    return { code, out: JSON.parse(printed) as unknown };
  } finally {
    spy.mockRestore();
  }
}

/** The real command line, as a user runs it. */
function spawnCli(file: string): { code: number; out: unknown } {
  const r = spawnSync('npm', ['run', '--silent', 'porthole', '--', 'admission', '--input', file], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: JSON.parse(r.stdout) as unknown };
}

const expectedCode = (v: Vector) => (v.expect.error || v.expect.createError ? 1 : 0);

// One vector of each expectation (object, error, createError) through the real process, one of them as YAML.
const SPAWNED = new Set(['disp-simple-patch', 'vap-failed-expression', 'vap-dyn-bool-create', 'int-crd-equivalent']);
const AS_YAML = 'int-crd-equivalent';

const t = tally();

describe('porthole admission: every vector through the command', () => {
  for (const v of VECTORS) {
    const level = v.level ?? 'apiserver';
    const spawned = SPAWNED.has(v.id);
    if (!runnable(v)) t.add(level, 'skipped');
    it.skipIf(!runnable(v))(`${v.id} (${level})${spawned ? ' [real CLI process]' : ''}`, async () => {
      try {
        // The whole vector is the input: id, title and expect are ignored by the command.
        const file = v.id === AS_YAML ? write(`${v.id}.yaml`, stringify(v)) : write(`${v.id}.json`, JSON.stringify(v));
        const r = spawned ? spawnCli(file) : await run(['--input', file]);
        expectVectorOutcome(v, r.out as AdmissionOutcome);
        expect(r.code).toBe(expectedCode(v));
        t.add(level, 'pass');
      } catch (err) {
        t.add(level, 'fail');
        throw err;
      }
    });
  }
});

// The celExpressions vectors have the shape of `porthole cel` input: each through that command.
describe('porthole cel: every celExpressions vector of the admission file', () => {
  for (const c of CEL_VECTORS)
    it(c.id, async () => {
      try {
        const r = await run(['--input', write(`cel-${c.id}.json`, JSON.stringify(c))], celCommand);
        const want = c.expect;
        if ('value' in want) expect(r).toMatchObject({ code: 0, out: { value: want.value } });
        else if (typeof want.compileError === 'string') {
          expect(r).toMatchObject({ code: 1, out: { compileError: true } });
          expect((r.out as { error: string }).error).toContain(want.compileError);
        } else if (typeof want.error === 'string') expect(r).toMatchObject({ code: 1, out: { error: want.error } });
        else throw new Error(`vector ${c.id} has no expectation this test understands`);
        if ('type' in want) expect(r.out).toMatchObject({ type: want.type });
        t.add('celExpressions', 'pass');
      } catch (err) {
        t.add('celExpressions', 'fail');
        throw err;
      }
    });
});

afterAll(() => {
  console.log('porthole admission vectors by level:', JSON.stringify(t.counts));
});

const minimal = {
  request: {
    operation: 'CREATE',
    kind: { group: '', version: 'v1', kind: 'ConfigMap' },
    resource: { group: '', version: 'v1', resource: 'configmaps' },
    namespace: 'default',
    name: 'c',
  },
  policies: [],
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } },
};

describe('porthole admission: bad input', () => {
  const cases: { what: string; file: string; content: string; message: string | RegExp }[] = [
    { what: 'an empty file', file: 'empty.yaml', content: '  \n', message: 'the file is empty' },
    {
      what: 'malformed YAML, with its line',
      file: 'bad.yaml',
      content: 'request:\n  operation: CREATE\n   kind: [\n',
      message: /^reading .*bad\.yaml: .*line \d+/,
    },
    { what: 'truncated JSON', file: 'bad.json', content: '{"request": {', message: /^reading .*bad\.json: / },
    {
      what: 'a list instead of a mapping',
      file: 'list.yaml',
      content: '- a\n',
      message: /input: must be a mapping \(one admission vector\), got a list$/,
    },
    {
      what: 'a missing request',
      file: 'no-request.json',
      content: JSON.stringify({ policies: [], object: {} }),
      message: /: request: required$/,
    },
    {
      what: 'an unknown operation',
      file: 'op.json',
      content: JSON.stringify({ ...minimal, request: { ...minimal.request, operation: 'PATCH' } }),
      message: /: request\.operation: must be one of CREATE, UPDATE, DELETE, CONNECT, got "PATCH"$/,
    },
    {
      what: 'a policy of another kind',
      file: 'kind.json',
      content: JSON.stringify({ ...minimal, policies: [{ kind: 'Pod', metadata: { name: 'p' }, spec: {} }] }),
      message: /: policies\[0\]\.kind: must be one of MutatingAdmissionPolicy, ValidatingAdmissionPolicy, got "Pod"$/,
    },
    {
      what: 'a binding without policyName',
      file: 'binding.json',
      content: JSON.stringify({
        ...minimal,
        bindings: [{ kind: 'MutatingAdmissionPolicyBinding', metadata: { name: 'b' }, spec: {} }],
      }),
      message: /: bindings\[0\]\.spec\.policyName: required$/,
    },
    {
      what: 'a version YAML reads as a number',
      file: 'version.yaml',
      content: stringify(minimal) + 'version: 1.30\n',
      message: /: version: must be a string such as "1\.34", got the number 1\.3 \(quote it/,
    },
    {
      what: 'an unsupported version',
      file: 'version.json',
      content: JSON.stringify({ ...minimal, version: '1.29' }),
      message: /: version: unsupported Kubernetes version "1\.29" \(supported: 1\.30, 1\.31, 1\.32, 1\.33, 1\.34\)$/,
    },
    {
      what: 'an object that is a string',
      file: 'object.json',
      content: JSON.stringify({ ...minimal, object: 'x' }),
      message: /: object: must be a mapping or null, got the string "x"$/,
    },
    {
      what: 'a self-multiplying YAML alias bomb',
      file: 'bomb.yaml',
      content:
        [
          'a: &a ["x","x","x","x","x","x","x","x","x"]',
          ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
        ].join('\n') + '\n',
      message: /^reading .*bomb\.yaml: .*alias/i,
    },
  ];
  for (const c of cases)
    it(`${c.what}: exit 2 and a message naming it`, async () => {
      const r = await run(['--input', write(c.file, c.content)]);
      expect(r.code).toBe(2);
      expect(r.out).toEqual({ error: { message: expect.stringMatching(c.message) as unknown } });
    });
  it('a missing file', async () => {
    const r = await run(['--input', join(dir, 'nope.json')]);
    expect(r).toEqual({
      code: 2,
      out: { error: { message: expect.stringContaining('nope.json: ENOENT') as unknown } },
    });
  });
  it('no --input and an unknown flag are usage errors', async () => {
    expect(await run([])).toMatchObject({
      code: 2,
      out: { error: { message: expect.stringContaining('usage: porthole admission') as unknown } },
    });
    expect(await run(['--inptu', 'x'])).toMatchObject({
      code: 2,
      out: { error: { message: expect.stringContaining('unknown argument "--inptu"') as unknown } },
    });
  });
  it('a request no policy matches is admitted unchanged', async () => {
    const r = await run(['--input', write('ok.json', JSON.stringify(minimal))]);
    expect(r).toEqual({ code: 0, out: { allowed: true, warnings: [], auditAnnotations: {} } });
  });
});
