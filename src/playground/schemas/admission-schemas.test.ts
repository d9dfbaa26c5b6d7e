import Ajv, { type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ADMISSION_EXAMPLES } from '../admission/examples.ts';
import {
  admissionBindingSchema,
  admissionEditorSchemas,
  admissionPolicySchema,
  sampleObjectSchema,
} from './admission-schemas.ts';
import type { JsonSchema } from '../../k8s/openapi/json-schema.ts';
import { KUBE_VERSIONS, type KubeVersion } from '../state.ts';

// ajv validates what monaco-yaml would; only the errors that point into the document are compared (ajv also
// says `should match "then" schema` for the if/then that chose the kind).
const compiled = new Map<JsonSchema, ValidateFunction>();
async function validator(schema: Promise<JsonSchema>) {
  const built = await schema;
  const check = compiled.get(built) ?? new Ajv({ allErrors: true }).compile(built);
  compiled.set(built, check);
  return (doc: unknown): string[] => {
    check(doc);
    return (check.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => `${e.dataPath} ${e.message}`);
  };
}

const AR = 'admissionregistration.k8s.io';
const vap = (version = 'v1', spec: unknown = { validations: [{ expression: 'object.spec.replicas <= 5' }] }) => ({
  apiVersion: `${AR}/${version}`,
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name: 'replicas' },
  spec: { matchConstraints: { resourceRules: [{ apiGroups: ['apps'], operations: ['CREATE'] }] }, ...(spec as object) },
});
const map = (version: string) => ({
  apiVersion: `${AR}/${version}`,
  kind: 'MutatingAdmissionPolicy',
  metadata: { name: 'add-label' },
  spec: {
    reinvocationPolicy: 'Never',
    mutations: [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression: 'Object{}' } }],
  },
});
const binding = (kind: string, version: string) => ({
  apiVersion: `${AR}/${version}`,
  kind,
  metadata: { name: 'b' },
  spec: { policyName: 'p', ...(kind.startsWith('Validating') ? { validationActions: ['Deny'] } : {}) },
});
const MAP_VERSIONS: Record<KubeVersion, string[]> = {
  '1.30': [],
  '1.31': [],
  '1.32': ['v1alpha1'],
  '1.33': ['v1alpha1'],
  '1.34': ['v1alpha1', 'v1beta1'],
};

describe('the policy editor schema', () => {
  for (const version of KUBE_VERSIONS) {
    it(`${version}: a ValidatingAdmissionPolicy v1 is valid`, async () => {
      expect((await validator(admissionPolicySchema(version)))(vap())).toEqual([]);
    });
    for (const served of MAP_VERSIONS[version]) {
      it(`${version}: a MutatingAdmissionPolicy ${served} is valid`, async () => {
        expect((await validator(admissionPolicySchema(version)))(map(served))).toEqual([]);
      });
    }
    if (MAP_VERSIONS[version].length === 0) {
      it(`${version} serves no MutatingAdmissionPolicy`, async () => {
        expect((await validator(admissionPolicySchema(version)))(map('v1alpha1'))).toEqual([
          '.kind should be equal to one of the allowed values',
        ]);
      });
    }
  }

  // kube-apiserver stops serving an API at its APILifecycleRemoved release (k8s.io/apiserver deleted_kinds.go):
  // ValidatingAdmissionPolicy v1alpha1 is removed in 1.32, v1beta1 in 1.34; the OpenAPI documents agree.
  const vapVersions: { version: KubeVersion; apiVersion: string; served: boolean }[] = [
    { version: '1.31', apiVersion: 'v1alpha1', served: true },
    { version: '1.32', apiVersion: 'v1alpha1', served: false },
    { version: '1.33', apiVersion: 'v1beta1', served: true },
    { version: '1.34', apiVersion: 'v1beta1', served: false },
  ];
  for (const c of vapVersions) {
    it(`${c.version} ${c.served ? 'serves' : 'no longer serves'} ValidatingAdmissionPolicy ${c.apiVersion}`, async () => {
      expect((await validator(admissionPolicySchema(c.version)))(vap(c.apiVersion))).toEqual(
        c.served ? [] : ['.apiVersion should be equal to one of the allowed values'],
      );
    });
  }

  it('v1beta1 MutatingAdmissionPolicy only from 1.34', async () => {
    expect((await validator(admissionPolicySchema('1.33')))(map('v1beta1'))).toEqual([
      '.apiVersion should be equal to one of the allowed values',
    ]);
  });

  it('reports a wrong type with its path, against the kind the document says it is', async () => {
    const doc = vap('v1', { validations: [{ expression: 'true' }], failurePolicy: 1 });
    expect((await validator(admissionPolicySchema('1.34')))(doc)).toEqual(['.spec.failurePolicy should be string']);
  });

  it('reports a field of the other kind as unknown', async () => {
    const doc = { ...vap(), spec: { ...vap().spec, mutations: [] } };
    expect((await validator(admissionPolicySchema('1.34')))(doc)).toEqual([
      '.spec should NOT have additional properties',
    ]);
  });

  it('refuses another kind', async () => {
    const check = await validator(admissionPolicySchema('1.34'));
    expect(check({ apiVersion: 'v1', kind: 'Pod' })).toEqual([
      '.apiVersion should be equal to one of the allowed values',
      '.kind should be equal to one of the allowed values',
    ]);
  });
});

describe('the binding editor schema', () => {
  it('1.34: both bindings are valid', async () => {
    const check = await validator(admissionBindingSchema('1.34'));
    expect(check(binding('ValidatingAdmissionPolicyBinding', 'v1'))).toEqual([]);
    expect(check(binding('MutatingAdmissionPolicyBinding', 'v1beta1'))).toEqual([]);
  });

  it('1.31 serves no MutatingAdmissionPolicyBinding', async () => {
    const check = await validator(admissionBindingSchema('1.31'));
    expect(check(binding('MutatingAdmissionPolicyBinding', 'v1alpha1'))).toEqual([
      '.kind should be equal to one of the allowed values',
    ]);
  });

  it('reports a wrong type with its path', async () => {
    const doc = binding('ValidatingAdmissionPolicyBinding', 'v1');
    const check = await validator(admissionBindingSchema('1.30'));
    expect(check({ ...doc, spec: { ...doc.spec, validationActions: 'Deny' } })).toEqual([
      '.spec.validationActions should be array',
    ]);
  });
});

describe('the sample object schema', () => {
  const samples: { name: string; doc: unknown; errors: string[] }[] = [
    {
      name: 'a Pod',
      doc: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } },
      errors: [],
    },
    {
      name: 'a Deployment without its (required) selector and template: a sample is a fragment',
      doc: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 3 } },
      errors: [],
    },
    {
      name: 'a Service',
      doc: { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 80, targetPort: 'http' }] } },
      errors: [],
    },
    { name: 'a ConfigMap', doc: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } }, errors: [] },
    { name: 'a Namespace', doc: { apiVersion: 'v1', kind: 'Namespace', metadata: { labels: { a: 'b' } } }, errors: [] },
    {
      name: 'a Deployment with a wrong type, reported with its path',
      doc: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 'three' } },
      errors: ['.spec.replicas should be integer'],
    },
    {
      name: 'a wrong type deep in a Pod',
      doc: { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] } },
      errors: ['.spec.containers[0].ports[0].containerPort should be integer'],
    },
    {
      name: 'any served kind: a CronJob',
      doc: { apiVersion: 'batch/v1', kind: 'CronJob', spec: { schedule: 5 } },
      errors: ['.spec.schedule should be string'],
    },
    {
      name: 'a kind it does not know (a custom resource) is accepted as it is',
      doc: { apiVersion: 'example.com/v1', kind: 'Widget', spec: { replicas: 'three' } },
      errors: [],
    },
    {
      name: 'a known kind at an apiVersion that does not serve it is not checked',
      doc: { apiVersion: 'apps/v1beta9', kind: 'Deployment', spec: { replicas: 'three' } },
      errors: [],
    },
    { name: 'no apiVersion and kind', doc: { metadata: { name: 1 } }, errors: [] },
    { name: 'null (no oldObject on CREATE)', doc: null, errors: [] },
  ];
  for (const c of samples) {
    it(c.name, async () => expect((await validator(sampleObjectSchema('1.34')))(c.doc)).toEqual(c.errors));
  }

  it('checks kinds as the chosen version serves them', async () => {
    const doc = {
      apiVersion: `${AR}/v1alpha1`,
      kind: 'MutatingAdmissionPolicy',
      spec: { reinvocationPolicy: 7 },
    };
    expect((await validator(sampleObjectSchema('1.31')))(doc)).toEqual([]);
    expect((await validator(sampleObjectSchema('1.32')))(doc)).toEqual(['.spec.reinvocationPolicy should be string']);
  });

  it('is built once per version', async () => {
    expect(await sampleObjectSchema('1.33')).toBe(await sampleObjectSchema('1.33'));
  });
});

describe('the admission page’s editors', () => {
  it('policy and binding get their schemas; the sample objects share one', async () => {
    const schemas = await admissionEditorSchemas('1.34');
    expect(schemas.map((s) => s.doc)).toEqual(['policy', 'binding', 'object', 'oldObject', 'namespace', 'params']);
    expect(schemas[0]!.schema).toBe(await admissionPolicySchema('1.34'));
    expect(schemas[1]!.schema).toBe(await admissionBindingSchema('1.34'));
    expect(new Set(schemas.slice(2).map((s) => s.schema))).toEqual(new Set([await sampleObjectSchema('1.34')]));
  });
});

describe('the admission examples pass their editors’ schemas', () => {
  // From 1.32, where MutatingAdmissionPolicy is served (at 1.30 and 1.31 its kind is rightly marked).
  for (const version of ['1.32', '1.33', '1.34'] as const) {
    for (const example of ADMISSION_EXAMPLES) {
      it(`${version}: ${example.title}`, async () => {
        const errors: string[] = [];
        for (const { doc, schema } of await admissionEditorSchemas(version)) {
          const check = await validator(Promise.resolve(schema));
          for (const document of parseAllDocuments(example.docs[doc] ?? '')) {
            const value: unknown = document.toJS();
            if (value !== null && value !== undefined) errors.push(...check(value).map((e) => `${doc}${e}`));
          }
        }
        expect(errors).toEqual([]);
      });
    }
  }
});
