// The JSON Schemas (for monaco-yaml) of the documents the admission playground edits, at one Kubernetes
// version: a policy (MutatingAdmissionPolicy or ValidatingAdmissionPolicy), a binding, and the sample objects
// (any kind the version's OpenAPI data has, picked by the document's own apiVersion and kind). Built from the
// generated OpenAPI data, loaded lazily per version; each schema is built once per version and the same object
// returned after, so editors sharing one can share it with monaco-yaml too.

import { loadOpenApi, type GroupVersionKind, type OpenApi } from '../../k8s/openapi/index.ts';
import { DefinitionCollector, apiVersionOf, type JsonSchema } from '../../k8s/openapi/json-schema.ts';
import type { KubeVersion } from '../state.ts';

export const ADMISSION_GROUP = 'admissionregistration.k8s.io';
export const POLICY_KINDS = ['ValidatingAdmissionPolicy', 'MutatingAdmissionPolicy'] as const;
export const BINDING_KINDS = ['ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicyBinding'] as const;
/** Where the sample-object schema sits in `definitions` (one copy, referred to by object, oldObject…). */
export const SAMPLE_OBJECT_DEFINITION = 'porthole.SampleObject';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** The admissionregistration versions serving each of `kinds` at this version, oldest API first in the data. */
export function servedKinds(api: OpenApi, kinds: readonly string[]): GroupVersionKind[] {
  return api
    .kinds()
    .map(parseKey)
    .filter((gvk) => gvk.group === ADMISSION_GROUP && kinds.includes(gvk.kind));
}

/**
 * The schema of a document holding one of `kinds` (its served apiVersions): `kind` and `apiVersion` must be
 * among those served, the apiVersion must serve that kind, and the rest is checked against that
 * apiVersion's definition. Each check is an if/then on kind and apiVersion rather than a oneOf, so a mistake
 * is reported against one kind's schema, with its path, instead of as a failure to match any.
 */
export function kindsDocumentSchema(api: OpenApi, kinds: readonly string[], title: string): JsonSchema {
  const served = servedKinds(api, kinds);
  const collector = new DefinitionCollector(api);
  const byKind = new Map<string, string[]>();
  for (const gvk of served) byKind.set(gvk.kind, [...(byKind.get(gvk.kind) ?? []), apiVersionOf(gvk)]);
  const apiVersions = [...new Set(served.map(apiVersionOf))].sort();
  const allOf: JsonSchema[] = [
    ...[...byKind].map(([kind, versions]): JsonSchema => ({
      if: { properties: { kind: { const: kind } }, required: ['kind'] },
      then: { properties: { apiVersion: { enum: versions.sort() } } },
    })),
    ...served.map((gvk) => kindCase(api, collector, gvk)),
  ];
  return {
    $schema: DRAFT_07,
    title: `${title} (Kubernetes ${api.kubernetes})`,
    type: 'object',
    required: ['apiVersion', 'kind'],
    properties: {
      apiVersion: { type: 'string', enum: apiVersions },
      kind: { type: 'string', enum: [...byKind.keys()] },
    },
    allOf,
    definitions: collector.complete(),
  };
}

/**
 * The schema of a sample object: for every kind the version's OpenAPI data has, an if/then that checks a
 * document with that apiVersion and kind against the kind's definition. A document of another kind (a
 * custom resource), or without apiVersion/kind, or null, is accepted as it is. Required fields are not
 * enforced: a sample is the part of an object a rule looks at.
 */
export function sampleObjectDefinitions(api: OpenApi): Record<string, JsonSchema> {
  const collector = new DefinitionCollector(api, { required: false });
  const cases = api
    .kinds()
    .map(parseKey)
    .filter((gvk) => gvk.group !== 'apiserver.config.k8s.io')
    .map((gvk) => kindCase(api, collector, gvk, true));
  return { [SAMPLE_OBJECT_DEFINITION]: { allOf: cases }, ...collector.complete() };
}

function kindCase(api: OpenApi, collector: DefinitionCollector, gvk: GroupVersionKind, objectsOnly = false) {
  const name = definitionName(api, gvk);
  return {
    if: {
      ...(objectsOnly ? { type: 'object' } : {}),
      properties: { apiVersion: { const: apiVersionOf(gvk) }, kind: { const: gvk.kind } },
      required: ['apiVersion', 'kind'],
    },
    then: collector.ref(name),
  } satisfies JsonSchema;
}

/** The `$ref` to the sample-object schema, for a schema that carries `sampleObjectDefinitions`. */
export const SAMPLE_OBJECT_REF: JsonSchema = { $ref: `#/definitions/${SAMPLE_OBJECT_DEFINITION}` };

function definitionName(api: OpenApi, gvk: GroupVersionKind): string {
  const name = api.definitionNameFor(gvk);
  if (name === undefined) throw new Error(`no definition for ${apiVersionOf(gvk)} ${gvk.kind}`);
  return name;
}

function parseKey(key: string): GroupVersionKind {
  const [group = '', version = '', kind = ''] = key.split('/');
  return { group, version, kind };
}

/** One build per version and document: the schemas are large, and one object can be shared by editors. */
export function memoPerVersion<T>(make: (version: KubeVersion) => Promise<T>): (version: KubeVersion) => Promise<T> {
  const built = new Map<KubeVersion, Promise<T>>();
  return (version) => {
    let made = built.get(version);
    if (!made) {
      made = make(version);
      built.set(version, made);
      // A failed load is not remembered, so the next call tries again.
      made.catch(() => built.delete(version));
    }
    return made;
  };
}

function fromOpenApi(build: (api: OpenApi) => JsonSchema): (version: KubeVersion) => Promise<JsonSchema> {
  return memoPerVersion((version) => loadOpenApi(version).then(build));
}

/**
 * The policy editor's schema at a Kubernetes version: a ValidatingAdmissionPolicy (admissionregistration.k8s.io
 * v1, and the v1beta1/v1alpha1 still in that version's API) or a MutatingAdmissionPolicy (v1alpha1 from 1.32,
 * v1beta1 from 1.34; absent before 1.32, so `kind: MutatingAdmissionPolicy` is an error at 1.30 and 1.31).
 */
export const admissionPolicySchema: (version: KubeVersion) => Promise<JsonSchema> = fromOpenApi((api) =>
  kindsDocumentSchema(api, POLICY_KINDS, 'ValidatingAdmissionPolicy or MutatingAdmissionPolicy'),
);

/** The binding editor's schema: a ValidatingAdmissionPolicyBinding or a MutatingAdmissionPolicyBinding, as above. */
export const admissionBindingSchema: (version: KubeVersion) => Promise<JsonSchema> = fromOpenApi((api) =>
  kindsDocumentSchema(api, BINDING_KINDS, 'ValidatingAdmissionPolicyBinding or MutatingAdmissionPolicyBinding'),
);

/**
 * A sample object editor's schema (object, oldObject, params, namespace): a document whose apiVersion and kind
 * the version's OpenAPI data has is checked against that kind (Pod, Deployment, Service, ConfigMap,
 * Namespace… every built-in kind); any other document, a custom resource or null, is accepted.
 */
export const sampleObjectSchema: (version: KubeVersion) => Promise<JsonSchema> = fromOpenApi((api) => ({
  $schema: DRAFT_07,
  title: `A Kubernetes object (built-in kinds of Kubernetes ${api.kubernetes} are checked)`,
  allOf: [SAMPLE_OBJECT_REF],
  definitions: sampleObjectDefinitions(api),
}));

/** A document of the admission page and the schema its editor validates against. */
export interface AdmissionEditorSchema {
  doc: 'policy' | 'binding' | 'object' | 'oldObject' | 'namespace' | 'params';
  schema: JsonSchema;
}

/**
 * Every admission page editor's schema at a version, ready for PageUi.yamlSchemas: the policy and binding
 * editors (streams: each document is checked), and the sample objects, which share one schema object (sent
 * to monaco-yaml once). The request editor has none: it is a fragment of an AdmissionRequest, not a kind.
 */
export async function admissionEditorSchemas(version: KubeVersion): Promise<AdmissionEditorSchema[]> {
  const [policy, binding, sample] = await Promise.all([
    admissionPolicySchema(version),
    admissionBindingSchema(version),
    sampleObjectSchema(version),
  ]);
  return [
    { doc: 'policy', schema: policy },
    { doc: 'binding', schema: binding },
    ...(['object', 'oldObject', 'namespace', 'params'] as const).map((doc) => ({ doc, schema: sample })),
  ];
}
