// Each example of the admission page gives the outcome its title and summary promise, on every version that
// serves its kinds; on the others it says which apiVersions that version serves.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KUBE_VERSIONS, type KubeVersion } from '../state.ts';
import { evaluateAdmissionPage, type AdmissionPageResult } from './evaluate.ts';
import { ADMISSION_EXAMPLES } from './examples.ts';

const run = (id: string, version: KubeVersion) => {
  const e = ADMISSION_EXAMPLES.find((x) => x.id === id)!;
  return evaluateAdmissionPage({ page: 'admission', version, docs: e.docs, options: e.options });
};
const minor = (v: KubeVersion) => Number(v.split('.')[1]);
const containers = (r: AdmissionPageResult) =>
  (parse(r.finalYaml ?? '') as { spec: { containers: { name: string }[] } }).spec.containers.map((c) => c.name);

const expected: Record<string, (r: AdmissionPageResult) => void> = {
  sidecar: (r) => {
    expect(r.outcome).toBe('admitted');
    expect(containers(r)).toEqual(['web', 'log-shipper']);
    // Reinvocation ran the policy again, and its matchCondition stopped a second injection.
    expect(r.invocations.map((i) => [i.pass, i.matched])).toEqual([
      [1, true],
      [2, false],
    ]);
  },
  'docs-sidecar-args': (r) => {
    expect(r.outcome).toBe('denied');
    expect(r.error?.message).toBe(
      "policy 'sidecar-policy.example.com' with binding 'sidecar-binding-test.example.com' denied request: " +
        'error applying patch: invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: ' +
        '.spec.initContainers[0].args',
    );
    expect(r.error?.status).toMatchObject({ code: 403, reason: 'Invalid', details: { kind: 'pods', name: 'web' } });
  },
  'label-default': (r) => {
    expect(r.outcome).toBe('admitted');
    expect((parse(r.finalYaml!) as { metadata: { labels: object } }).metadata.labels).toEqual({
      app: 'web',
      team: 'payments',
    });
  },
  jsonpatch: (r) => {
    expect(r.outcome).toBe('admitted');
    const pod = parse(r.finalYaml!) as {
      metadata: { annotations: object };
      spec: { containers: { imagePullPolicy: string }[] };
    };
    expect(pod.metadata.annotations).toEqual({
      'example.com/owner': 'payments',
      'policy.example.com/scanned-by': 'porthole',
    });
    expect(pod.spec.containers[0]!.imagePullPolicy).toBe('Always');
  },
  'trusted-registry': (r) => {
    expect(r.outcome).toBe('denied');
    expect(r.error?.message).toBe(
      "pods \"web\" is forbidden: ValidatingAdmissionPolicy 'trusted-registry' with binding 'trusted-registry' " +
        'denied request: images must come from registry.example.com, not: docker.io/library/nginx:1.27',
    );
    expect(r.error?.status.code).toBe(403);
    expect(r.validations[0]!.variables).toEqual([
      { name: 'images', value: ['docker.io/library/nginx:1.27'], type: 'list' },
      { name: 'untrusted', value: ['docker.io/library/nginx:1.27'], type: 'list' },
    ]);
  },
  'replicas-limit': (r) => {
    expect(r.outcome).toBe('denied');
    expect(r.error?.message).toBe(
      'deployments.apps "web" is forbidden: ValidatingAdmissionPolicy \'replica-limit\' with binding ' +
        "'replica-limit' denied request: replicas must be at most 3, got 5",
    );
    expect(r.error?.status).toMatchObject({ code: 422, reason: 'Invalid' });
  },
};

describe('admission examples', () => {
  it('every example has its expectation', () => {
    expect(Object.keys(expected).sort()).toEqual(ADMISSION_EXAMPLES.map((e) => e.id).sort());
  });
  for (const example of ADMISSION_EXAMPLES) {
    const mutating = example.docs.policy!.includes('kind: MutatingAdmissionPolicy');
    for (const version of KUBE_VERSIONS) {
      if (mutating && minor(version) < 32)
        it(`${example.id} on ${version}: MutatingAdmissionPolicy is not served`, () => {
          const { result, diagnostics } = run(example.id, version);
          expect(result.outcome).toBe('invalid-input');
          expect(result.inputError).toContain(`Kubernetes ${version} does not serve MutatingAdmissionPolicy`);
          expect(diagnostics.some((d) => d.doc === 'policy' && d.severity === 'error')).toBe(true);
        });
      else
        it(`${example.id} on ${version}: ${example.title}`, () => {
          const { result, diagnostics } = run(example.id, version);
          expected[example.id]!(result);
          expect(diagnostics.filter((d) => d.severity === 'error' && d.doc !== 'policy')).toEqual([]);
        });
    }
  }
});
