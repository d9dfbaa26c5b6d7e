// kube-apiserver's validation of Pods and Deployments, case by case (cases.ts, whose messages the e2e/cluster
// suite checks against the real apiserver).

import { describe, expect, it } from 'vitest';
import { OBJECT_VALIDATION_CASES } from './cases.ts';
import { validateBuiltinObject } from './index.ts';

describe('validateBuiltinObject on create, as kube-apiserver 1.34 answers a dry-run create', () => {
  it.each(OBJECT_VALIDATION_CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const r = validateBuiltinObject({ operation: 'CREATE', object: c.object, namespace: 'default', version: '1.34' });
    expect(r.modelled).toBe(true);
    expect(r.status?.message ?? null).toBe(c.message);
  });
});

describe('the 422 Status', () => {
  it('has one cause per field error, with its reason, message and field', () => {
    const r = validateBuiltinObject({
      operation: 'CREATE',
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }] } },
      namespace: 'default',
      version: '1.34',
    });
    expect(r.status).toEqual({
      code: 422,
      reason: 'Invalid',
      message: 'Pod "p" is invalid: spec.containers[0].image: Required value',
      details: {
        name: 'p',
        group: '',
        kind: 'Pod',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }],
      },
    });
  });
});

describe('what depends on the version or the operation', () => {
  const envPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'a', image: 'i', env: [{ name: 'MY VAR', value: '1' }] }] },
  };
  it('an env name with a space is refused before 1.32 (RelaxedEnvironmentVariableValidation off)', () => {
    const r = validateBuiltinObject({ operation: 'CREATE', object: envPod, namespace: 'default', version: '1.31' });
    expect(r.status?.message).toMatch(
      /^Pod "p" is invalid: spec\.containers\[0\]\.env\[0\]\.name: Invalid value: "MY VAR": a valid environment variable name must consist of alphabetic characters/,
    );
  });
  it('and accepted from 1.32', () => {
    expect(
      validateBuiltinObject({ operation: 'CREATE', object: envPod, namespace: 'default', version: '1.32' }).errors,
    ).toEqual([]);
  });
  it('a Deployment update may not change the selector', () => {
    const d = (app: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app } },
        template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'a', image: 'i' }] } },
      },
    });
    const r = validateBuiltinObject({ operation: 'UPDATE', object: d('b'), oldObject: d('a'), version: '1.34' });
    expect(r.status?.message).toBe(
      'Deployment.apps "d" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"b"}}: field is immutable',
    );
  });
  it('other kinds, pod updates and deletes are not modelled, and say so', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(validateBuiltinObject({ operation: 'CREATE', object: cm, version: '1.34' }).modelled).toBe(false);
    expect(
      validateBuiltinObject({ operation: 'UPDATE', object: envPod, oldObject: envPod, version: '1.34' }).modelled,
    ).toBe(false);
    expect(validateBuiltinObject({ operation: 'DELETE', object: null, version: '1.34' }).modelled).toBe(false);
  });
  it('a generateName stands in for the name the apiserver generates', () => {
    const pod = { ...envPod, metadata: { generateName: 'web-' }, spec: { containers: [{ name: 'a', image: 'i' }] } };
    expect(
      validateBuiltinObject({ operation: 'CREATE', object: pod, namespace: 'default', version: '1.34' }).errors,
    ).toEqual([]);
  });
});
