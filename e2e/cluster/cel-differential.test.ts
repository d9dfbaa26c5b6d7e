// Suite 4 of issue 4: every `celExpressions` case of the admission research (src/cel/testdata, ids kept) asked of
// the real kube-apiserver 1.34 through a ValidatingAdmissionPolicy, and of src/cel for the same input and version.
// Differences must be listed, with why, in cel-known-differences.txt; a listed one that no longer differs fails too.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import vectors from '../../src/cel/testdata/admission-cel-vectors.json' with { type: 'json' };
import { runCelRequest, type CelRequest, type CelResponse } from '../../src/cel/run.ts';
import { apiRequest } from './api-request.ts';
import {
  CASE_LABEL,
  policyBinding,
  renderExpression,
  SENTINEL,
  validatingPolicy,
  type CaseObject,
  type Variable,
} from './cel-channel.ts';
import { differenceReport, expectAgreedOrListed, readKnownDifferences, type Compared } from './differences.ts';
import { goAvailable, HARNESS_START_TIMEOUT_MS, reportSkipped, useHarness, type Harness } from './harness.ts';

reportSkipped('e2e/cluster/cel-differential.test.ts (CEL: src/cel against the real kube-apiserver)');

const here = path.dirname(fileURLToPath(import.meta.url));
const KNOWN_FILE = path.join(here, 'cel-known-differences.txt');
const VERSION = '1.34';
const NAMESPACE = 'default';

interface Vector {
  id: string;
  expression: string;
  env: CelRequest['env'];
  vars?: Record<string, unknown>;
  variables?: Variable[];
}

/** Cases the live apiserver cannot be given, with why. */
const NOT_EXPRESSIBLE: Record<string, string> = {
  'has-null-operand':
    'needs an object whose `spec` is JSON null; a built-in kind decodes null to an empty struct (or has no spec), ' +
    'so no admitted object carries it',
};

/** What a case needs sent: the vector's object made admissible (a Pod needs an image), or a plain ConfigMap. */
function caseObject(v: Vector, name: string, label: string): CaseObject {
  const given = v.vars?.object as Record<string, unknown> | undefined;
  const labelled = (o: Record<string, unknown>): Record<string, unknown> => {
    const metadata = { ...((o.metadata as Record<string, unknown> | undefined) ?? {}) };
    metadata.name ??= name;
    metadata.labels = { ...((metadata.labels as Record<string, string> | undefined) ?? {}), [CASE_LABEL]: label };
    return { ...o, metadata };
  };
  if (!given) return { resource: 'configmaps', body: labelled({ apiVersion: 'v1', kind: 'ConfigMap' }) };
  if (given.kind === 'Endpoints') {
    // The apiserver refuses loopback endpoint addresses; a documentation address (RFC 5737) is admissible.
    const body = JSON.parse(JSON.stringify(given).replace(/"127\.0\.0\.1"/g, '"192.0.2.1"')) as Record<string, unknown>;
    return { resource: 'endpoints', body: labelled(body) };
  }
  if ((given.spec as { containers?: unknown } | undefined)?.containers) {
    const spec = given.spec as { containers: Record<string, unknown>[] };
    const containers = spec.containers.map((c) => ({ image: 'porthole.test/none', ...c }));
    return {
      resource: 'pods',
      body: labelled({ apiVersion: 'v1', kind: 'Pod', ...given, spec: { ...spec, containers } }),
    };
  }
  return { resource: 'configmaps', body: labelled({ apiVersion: 'v1', kind: 'ConfigMap', ...given }) };
}

type AnswerKind = 'value' | 'error' | 'compile error';
interface Answer {
  kind: AnswerKind;
  text: string;
}

interface Case {
  v: Vector;
  name: string;
  object: CaseObject;
  /** A boolean case is the validation's expression; any other goes through the composited variable `result`. */
  boolean: boolean;
  variables: Variable[];
  validation: { expression: string; messageExpression?: string };
  ours: Answer;
  /** The request (as `porthole cel --input` takes it) whose answer is `ours`. */
  request: CelRequest;
}

const compileText = (r: { error: string }): string => r.error.replace(/^(variable "[^"]*": )?compilation failed: /, '');

function ourAnswer(r: CelResponse): Answer {
  if ('error' in r) return { kind: r.compileError ? 'compile error' : 'error', text: compileText(r) };
  return { kind: 'value', text: String(r.value) };
}

/** Builds the policy for a case and our engine's answer through the same channel, for the object sent. */
function buildCase(v: Vector, index: number, run: string): Case {
  const name = `cel-diff-${run}-${index}`;
  const object = caseObject(v, name, `${run}-${index}`);
  const vars = { object: object.body };
  const base = { env: 'validation' as const, version: VERSION, mode: 'new' as const, vars };
  const boolean = v.env !== 'mutation';
  if (boolean) {
    // A matchCondition case is asked as a validation: same libraries, and the apiserver reports its error text.
    const variables = v.variables ?? [];
    const request: CelRequest = { ...base, expression: v.expression, variables };
    const ours = ourAnswer(runCelRequest(request));
    return { v, name, object, boolean, variables, validation: { expression: v.expression }, ours, request };
  }
  const variables = [...(v.variables ?? []), { name: 'result', expression: v.expression }];
  const directRequest: CelRequest = {
    ...base,
    env: 'mutation',
    expression: v.expression,
    variables: v.variables ?? [],
  };
  const direct = runCelRequest(directRequest);
  const render = 'value' in direct ? renderExpression('variables.result', direct.value, direct.type) : "'not rendered'";
  const validation = {
    expression: 'type(variables.result) != type(variables.result)',
    messageExpression: render,
  };
  let request = directRequest;
  if (!('error' in direct && direct.compileError)) {
    request = { ...base, expression: validation.expression, variables };
    if (!('error' in runCelRequest(request))) request = { ...base, env: 'mutation', expression: render, variables };
  }
  return { v, name, object, boolean, variables, validation, ours: ourAnswer(runCelRequest(request)), request };
}

function statusMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}

/** Asks the apiserver: create the policy (compile errors come back here), then dry-run the object until it is seen. */
async function apiserverAnswer(harness: Harness, c: Case): Promise<Answer> {
  const policy = validatingPolicy(c.name, `${c.name.slice('cel-diff-'.length)}`, c.variables, c.validation);
  const created = await apiRequest(
    harness.ready,
    'POST',
    '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies',
    policy,
  );
  if (created.status !== 201) return { kind: 'compile error', text: statusMessage(created.body) };
  const bound = await apiRequest(
    harness.ready,
    'POST',
    '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings',
    policyBinding(c.name),
  );
  if (bound.status !== 201) throw new Error(`binding ${c.name}: HTTP ${bound.status}: ${bound.body}`);
  const url = `/api/v1/namespaces/${NAMESPACE}/${c.object.resource}?dryRun=All`;
  // Policy changes reach the admission plugin a moment later: the sentinel validation's warning says it arrived.
  for (let i = 0; i < 300; i++) {
    const res = await apiRequest(harness.ready, 'POST', url, c.object.body);
    if (res.status !== 201)
      throw new Error(`dry-run ${c.object.resource} for ${c.v.id}: HTTP ${res.status}: ${res.body}`);
    const mine = res.warnings
      .filter((w) => w.includes(`ValidatingAdmissionPolicy '${c.name}'`))
      .map((w) => w.replace(/^Validation failed for ValidatingAdmissionPolicy '[^']*' with binding '[^']*': /, ''));
    if (mine.includes(SENTINEL))
      return readWarning(
        c,
        mine.filter((m) => m !== SENTINEL),
      );
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`policy ${c.name} never reached the admission plugin (no sentinel warning in 30 s)`);
}

function readWarning(c: Case, messages: string[]): Answer {
  if (messages.length > 1) return { kind: 'value', text: `several warnings: ${messages.join(' | ')}` };
  const message = messages[0];
  if (message === undefined) return { kind: 'value', text: c.boolean ? 'true' : 'no warning' };
  const error = /^expression '.*' resulted in error: (.*)$/s.exec(message)?.[1];
  if (error !== undefined) return { kind: 'error', text: error };
  if (message === `failed expression: ${c.validation.expression}`) {
    return { kind: 'value', text: c.boolean ? 'false' : 'rendering failed at runtime (message fell back)' };
  }
  return { kind: 'value', text: message };
}

/** A compile error agrees when the policy's one field error, after `Invalid value: "…": `, is our message. */
function agrees(apiserver: Answer, ours: Answer): boolean {
  if (apiserver.kind !== ours.kind) return false;
  if (apiserver.kind !== 'compile error') return apiserver.text === ours.text;
  const field = /^[^[]* is invalid: [^:]*: Invalid value: "(?:[^"\\]|\\.)*": (?:compilation failed: )?(.*)$/s;
  return field.exec(apiserver.text)?.[1] === ours.text;
}

const text = (a: Answer): string => `${a.kind}: ${a.text}`;
const compared = (id: string, r: { apiserver: Answer; ours: Answer }): Compared => ({
  id,
  apiserver: text(r.apiserver),
  ours: text(r.ours),
  agrees: agrees(r.apiserver, r.ours),
});

describe.runIf(goAvailable)('CEL: src/cel against the real kube-apiserver 1.34', () => {
  let harness: Harness;
  const run = Date.now().toString(36);
  const all = vectors.celExpressions as Vector[];
  const cases = all.filter((v) => !NOT_EXPRESSIBLE[v.id]).map((v, i) => buildCase(v, i, run));
  const results = new Map<string, { apiserver: Answer; ours: Answer }>();
  const known = readKnownDifferences(KNOWN_FILE);

  beforeAll(async () => {
    harness = await useHarness();
    const started = Date.now();
    const answers = await Promise.all(cases.map((c) => apiserverAnswer(harness, c)));
    cases.forEach((c, i) => results.set(c.v.id, { apiserver: answers[i]!, ours: c.ours }));
    console.log(`asked the apiserver ${cases.length} cases in ${Date.now() - started} ms`);
    // Every answer, for tracing a difference by vector id.
    const out = path.join(here, '..', '..', 'test-results', 'cluster-cel-differential.json');
    mkdirSync(path.dirname(out), { recursive: true });
    const rows = cases.map((c) => ({
      id: c.v.id,
      policy: c.validation,
      variables: c.variables,
      ...results.get(c.v.id),
    }));
    writeFileSync(
      out,
      JSON.stringify({ k8sVersion: harness.ready.k8sVersion, notExpressible: NOT_EXPRESSIBLE, rows }, null, 2),
    );
  }, HARNESS_START_TIMEOUT_MS);

  afterAll(async () => {
    if (harness) {
      for (const c of cases) {
        await apiRequest(
          harness.ready,
          'DELETE',
          `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/${c.name}`,
        );
        await apiRequest(
          harness.ready,
          'DELETE',
          `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/${c.name}`,
        );
      }
      console.log(
        differenceReport({
          title: `CEL differential (kube-apiserver ${harness.ready.k8sVersion} vs src/cel ${VERSION})`,
          rows: [...results].map(([id, r]) => compared(id, r)),
          known,
          notExpressible: NOT_EXPRESSIBLE,
          ours: 'src/cel',
        }),
      );
    }
    await harness?.release();
  }, 120_000);

  it('covers every celExpressions vector: asked, or not expressible with a reason', () => {
    expect(cases.length + Object.keys(NOT_EXPRESSIBLE).length).toBe(all.length);
    for (const id of Object.keys(NOT_EXPRESSIBLE)) expect(all.map((v) => v.id)).toContain(id);
    for (const id of known.keys())
      expect(
        all.map((v) => v.id),
        `listed difference ${id}`,
      ).toContain(id);
  });

  for (const c of cases) {
    it(`${c.v.id}: src/cel answers as the apiserver does, or the difference is listed`, () => {
      expectAgreedOrListed(compared(c.v.id, results.get(c.v.id)!), known, KNOWN_FILE, 'src/cel');
    });
  }

  it('porthole cel (the command line) gives the answers the apiserver agreed with', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'porthole-cel-'));
    try {
      // One agreed case of each kind (value, runtime error, compile error) through the command line.
      const agreed = cases.filter((c) => agrees(results.get(c.v.id)!.apiserver, c.ours));
      const picked = (['value', 'error', 'compile error'] as const).map((kind) => {
        const c = agreed.find((a) => a.ours.kind === kind);
        expect(c, `an agreed case whose answer is a ${kind}`).toBeDefined();
        return c!;
      });
      for (const c of picked) {
        const file = path.join(dir, `${c.v.id}.json`);
        writeFileSync(file, JSON.stringify(c.request));
        const cli = spawnSync('npm', ['run', '--silent', 'porthole', '--', 'cel', '--input', file], {
          cwd: path.join(here, '..', '..'),
          encoding: 'utf8',
        });
        const printed = JSON.parse(cli.stdout) as CelResponse;
        expect(cli.status, `porthole cel exit code on ${c.v.id}`).toBe(c.ours.kind === 'value' ? 0 : 1);
        const answer = ourAnswer(printed);
        expect(answer, `porthole cel on ${c.v.id}`).toEqual(c.ours);
        expect(agrees(results.get(c.v.id)!.apiserver, answer), `porthole cel on ${c.v.id} agrees`).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
