// Hostile and broken inputs to the admission core: each gives a clear message (the apiserver's where it has
// one), nothing throws, nothing reaches Object.prototype.

import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { admit } from './admit.ts';
import { readAdmissionInput } from './input.ts';
import type { Json } from './jsonpatch.ts';
import type { AdmissionRequestInput, Mutation } from './types.ts';
import '../../k8s/openapi/load-all.ts';
import { applyConfiguration, CONFIGMAP, mutatingRequest } from './testing.ts';

const configMap: Json = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } };
const ac = applyConfiguration;
const request = (object: Json, mutations: Mutation[], extra: Partial<AdmissionRequestInput> = {}) =>
  mutatingRequest(CONFIGMAP, 'c', object, mutations, extra);

const addLabel = ac('Object{metadata: Object.metadata{labels: {"a": "b"}}}');

describe('a malformed object', () => {
  const cases: { what: string; yaml: string; message: string }[] = [
    {
      what: 'a YAML list',
      yaml: '- kind: ConfigMap\n',
      message: 'object: must be a mapping (a Kubernetes object) or null, got a list',
    },
    {
      what: 'a YAML scalar',
      yaml: 'just text\n',
      message: 'object: must be a mapping (a Kubernetes object) or null, got a string',
    },
    {
      what: 'a YAML number',
      yaml: '42\n',
      message: 'object: must be a mapping (a Kubernetes object) or null, got a number',
    },
  ];
  for (const c of cases)
    it(`${c.what}: rejected as an undecodable body (400), naming the field`, () => {
      const object = parseYaml(c.yaml) as Json;
      const r = admit(request(object, [addLabel]));
      expect(r.error).toEqual({ message: c.message, status: { code: 400, reason: 'BadRequest', message: c.message } });
      // The command line's reader says the same before admit() runs.
      expect(readAdmissionInput(request(object, [addLabel]))).toEqual({
        error: expect.stringMatching(/^object: must be a mapping or null, got /) as unknown,
      });
    });
  it('a field of the wrong kind is the SMD schema error the apiserver gives', () => {
    const r = admit(request({ ...(configMap as object), data: ['not', 'a', 'map'] } as Json, [addLabel]));
    expect(r.error?.message).toBe(
      "policy 'p' with binding 'b' denied request: error applying patch: failed to convert original object to typed object: .data: expected map, got &{[not a map]}",
    );
  });
});

describe('a runaway CEL expression', () => {
  const ten = '[0,1,2,3,4,5,6,7,8,9]';
  const nested = ['a', 'b', 'c', 'd', 'e', 'f'].reduceRight((inner, v) => `${ten}.all(${v}, ${inner})`, 'true');
  it('a mutation stops at the per-expression cost limit with the apiserver message and Status', () => {
    const expression = `Object{metadata: Object.metadata{labels: {"a": ${nested} ? "y" : "n"}}}`;
    const r = admit(request(configMap, [ac(expression)]));
    const message = `policy 'p' with binding 'b' denied request: expression '${expression}' resulted in error: operation cancelled: actual cost limit exceeded`;
    expect(r.error?.message).toBe(message);
    expect(r.error?.status).toMatchObject({ code: 403, reason: 'Invalid', message });
  });
  it('a matchCondition stops at the limit too, and failurePolicy Fail rejects', () => {
    const input = request(configMap, [addLabel]);
    input.policies[0]!.spec.matchConditions = [{ name: 'slow', expression: nested }];
    const r = admit(input);
    expect(r.error?.message).toBe(
      `policy 'p' with binding 'b' denied request: expression '${nested}' resulted in error: operation cancelled: actual cost limit exceeded`,
    );
  });
  it('with failurePolicy Ignore the request is admitted unchanged', () => {
    const input = request(configMap, [ac(`Object{metadata: Object.metadata{labels: {"a": ${nested} ? "y" : "n"}}}`)]);
    input.policies[0]!.spec.failurePolicy = 'Ignore';
    const r = admit(input);
    expect(r.error).toBeUndefined();
    expect(r.object).toEqual(configMap);
  });
});

describe('a policy with 1,000 mutations', () => {
  it('runs them all in order (the API sets no limit on mutations)', () => {
    const mutations = Array.from({ length: 1000 }, (_, i) =>
      ac(`Object{metadata: Object.metadata{labels: {"l${i}": string(size(object.metadata.?labels.orValue({})))}}}`),
    );
    const r = admit(request(configMap, mutations));
    expect(r.error).toBeUndefined();
    const labels = (r.object as { metadata: { labels: Record<string, string> } }).metadata.labels;
    // Each mutation sees the labels of the ones before it.
    expect(Object.keys(labels)).toHaveLength(1000);
    expect(labels.l0).toBe('0');
    expect(labels.l999).toBe('999');
    expect(r.invocations[0]?.mutations).toHaveLength(1000);
  });
  it('one bad mutation among them is reported with the others applied', () => {
    const mutations = Array.from({ length: 1000 }, (_, i) =>
      i === 500
        ? ac('Object{spec: Object.spec{replicas: 1}}')
        : ac(`Object{metadata: Object.metadata{labels: {"l${i}": "v"}}}`),
    );
    const r = admit(request(configMap, mutations));
    expect(r.error?.message).toBe(
      "policy 'p' with binding 'b' denied request: error applying patch: failed to convert patch object to typed object: .spec: field not declared in schema",
    );
    expect(r.invocations[0]?.mutations.filter((m) => m.error)).toHaveLength(1);
  });
});

describe('a hostile __proto__ key', () => {
  // JSON.parse makes "__proto__" an own key, as a YAML or JSON reader of user input does.
  const hostile = JSON.parse(
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default","labels":{"__proto__":"x"}},"data":{"__proto__":"y","constructor":"z"}}',
  ) as Json;
  it('is an ordinary map key: readable from CEL, kept by the merge, pollutes nothing', () => {
    const r = admit(
      request(hostile, [ac('Object{data: {"k": object.data["__proto__"] + object.data["constructor"]}}')]),
    );
    expect(r.error).toBeUndefined();
    expect(JSON.stringify(r.object)).toBe(
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default","labels":{"__proto__":"x"}},"data":{"__proto__":"y","constructor":"z","k":"yz"}}',
    );
    expect(({} as Record<string, unknown>).k).toBeUndefined();
  });
  it('a patch that writes a __proto__ label adds a label, nothing else', () => {
    const r = admit(request(configMap, [ac('Object{metadata: Object.metadata{labels: {"__proto__": "evil"}}}')]));
    expect(r.error).toBeUndefined();
    expect(JSON.stringify(r.object)).toContain('"labels":{"__proto__":"evil"}');
    expect(({} as Record<string, unknown>).evil).toBeUndefined();
  });
  it('as a top-level field of a built-in kind it is the schema error, not a prototype', () => {
    const r = admit(
      request(
        JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","__proto__":{"polluted":1},"metadata":{"name":"c"}}') as Json,
        [addLabel],
      ),
    );
    expect(r.error?.message).toContain(
      'failed to convert original object to typed object: .__proto__: field not declared in schema',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('a JSONPatch add of a __proto__ key adds an own key', () => {
    const labelled = JSON.parse(
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default","labels":{}}}',
    ) as Json;
    const r = admit(
      request(labelled, [
        {
          patchType: 'JSONPatch',
          jsonPatch: { expression: '[JSONPatch{op: "add", path: "/metadata/labels/__proto__", value: "evil"}]' },
        },
      ]),
    );
    expect(r.error).toBeUndefined();
    expect(JSON.stringify(r.object)).toContain('"labels":{"__proto__":"evil"}');
  });
  it('a JSONPatch path through __proto__ is a path into nowhere', () => {
    const r = admit(
      request(configMap, [
        {
          patchType: 'JSONPatch',
          jsonPatch: { expression: '[JSONPatch{op: "add", path: "/metadata/__proto__/polluted", value: "x"}]' },
        },
      ]),
    );
    expect(r.error?.message).toMatch(
      /JSON Patch: add operation does not apply: doc is missing path: "\/metadata\/__proto__\/polluted"/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
