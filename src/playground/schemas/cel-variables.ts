// What the CEL page knows of its variables from the Kubernetes schemas: the `vars` editor's JSON Schema (object,
// oldObject, params and namespaceObject checked as sample objects) and, for CEL completion, the schema of each
// variable whose kind is known from its sample's apiVersion and kind.

import type { RootSchema } from '../../k8s/openapi/fields.ts';
import { loadOpenApi, type GroupVersionKind } from '../../k8s/openapi/index.ts';
import type { JsonSchema } from '../../k8s/openapi/json-schema.ts';
import type { KubeVersion } from '../state.ts';
import { SAMPLE_OBJECT_REF, memoPerVersion, sampleObjectSchema } from './admission-schemas.ts';

/** The variables whose samples are Kubernetes objects. */
export const OBJECT_VARIABLES = ['object', 'oldObject', 'params', 'namespaceObject'] as const;

/**
 * The `vars` editor's schema: a map of variable names to sample values, where each of OBJECT_VARIABLES is
 * checked as a sample object (its kind from its own apiVersion and kind); the other variables are free.
 * Shares its definitions with sampleObjectSchema of the same version.
 */
export const celVariablesSchema: (version: KubeVersion) => Promise<JsonSchema> = memoPerVersion(async (version) => {
  const sample = await sampleObjectSchema(version);
  return {
    $schema: sample.$schema,
    title: `CEL variables (Kubernetes ${version})`,
    type: 'object',
    properties: Object.fromEntries(OBJECT_VARIABLES.map((name) => [name, SAMPLE_OBJECT_REF])),
    definitions: sample.definitions,
  };
});

/** `apps/v1` + `Deployment` → the kind; undefined when the sample does not say both. */
export function kindOfSample(sample: unknown): GroupVersionKind | undefined {
  if (typeof sample !== 'object' || sample === null) return undefined;
  const { apiVersion, kind } = sample as Record<string, unknown>;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || kind === '') return undefined;
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion, kind }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

/**
 * The schema of each object variable among `names` whose kind is known at this version: from its sample's
 * apiVersion and kind; oldObject without them is of object's kind, namespaceObject is always a Namespace.
 */
export async function celVariableSchemas(
  samples: Record<string, unknown>,
  names: readonly string[],
  version: KubeVersion,
): Promise<Record<string, RootSchema>> {
  const api = await loadOpenApi(version);
  const kinds: Record<string, GroupVersionKind | undefined> = {
    object: kindOfSample(samples.object),
    oldObject: kindOfSample(samples.oldObject) ?? kindOfSample(samples.object),
    params: kindOfSample(samples.params),
    namespaceObject: { group: '', version: 'v1', kind: 'Namespace' },
  };
  const out: Record<string, RootSchema> = {};
  for (const name of names) {
    const gvk = Object.hasOwn(kinds, name) ? kinds[name] : undefined;
    const schema = gvk && api.schemaFor(gvk);
    if (schema) out[name] = { api, schema };
  }
  return out;
}
