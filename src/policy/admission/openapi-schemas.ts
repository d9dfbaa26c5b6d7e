// The merge schema of every built-in kind, made from the generated OpenAPI data (src/k8s/openapi) the way
// kube-openapi's schemaconv turns kube-apiserver's own OpenAPI v3 document into a structured-merge-diff schema:
// objects with properties are structs (atomic with x-kubernetes-map-type: atomic, at the definition or at the
// field that refers to it), objects with additionalProperties are maps, arrays merge by x-kubernetes-list-type
// (atomic when absent), and int-or-string, quantities and times are untyped scalars. An object with neither
// properties nor additionalProperties (RawExtension, preserve-unknown-fields) is free-form.

import { loadedOpenApi, type OpenApi, type Schema as OpenApiSchema } from '../../k8s/openapi/index.ts';
import { OPENAPI_VERSIONS, type KubernetesVersion } from '../../k8s/openapi/versions.ts';
import { deduced, type GroupVersionKind, type Schema, type SchemaSource } from './schema.ts';

const converted = new WeakMap<OpenApi, Map<string, Schema>>();

function convert(api: OpenApi, node: OpenApiSchema, memo: Map<string, Schema>): Schema {
  if (node.$ref !== undefined) {
    // A use site may make the referred struct or map atomic; otherwise every use shares one conversion.
    const key = `${node.$ref}|${node['x-kubernetes-map-type'] ?? ''}`;
    const done = memo.get(key);
    if (done) return done;
    const resolved = api.resolveRef(node);
    // Definitions are recursive (JSONSchemaProps): the placeholder is replaced by the finished schema below.
    const placeholder = { kind: 'struct', fields: {} } as Schema & { kind: 'struct' };
    memo.set(key, placeholder);
    const schema = convertResolved(api, resolved, memo);
    Object.assign(placeholder, schema);
    memo.set(key, schema);
    return schema;
  }
  return convertResolved(api, node, memo);
}

function convertResolved(api: OpenApi, node: OpenApiSchema, memo: Map<string, Schema>): Schema {
  if (node['x-kubernetes-int-or-string'] || node.oneOf) return { kind: 'scalar', type: 'untyped' };
  switch (node.type) {
    case 'string':
      return { kind: 'scalar', type: node.format === 'date-time' ? 'untyped' : 'string' };
    case 'integer':
    case 'number':
      return { kind: 'scalar', type: 'number' };
    case 'boolean':
      return { kind: 'scalar', type: 'boolean' };
    case 'array':
      return {
        kind: 'list',
        items: node.items ? convert(api, node.items, memo) : deduced,
        listType: node['x-kubernetes-list-type'] ?? 'atomic',
        ...(node['x-kubernetes-list-map-keys'] ? { keys: node['x-kubernetes-list-map-keys'] } : {}),
      };
    case 'object': {
      const atomic = node['x-kubernetes-map-type'] === 'atomic';
      if (node.properties) {
        const fields: Record<string, Schema | (() => Schema)> = {};
        const defaults: Record<string, unknown> = {};
        for (const [name, property] of Object.entries(node.properties)) {
          // Converted on first use: most of a kind's tree is never reached by a given patch.
          let schema: Schema | undefined;
          fields[name] = () => (schema ??= convert(api, property, memo));
          if (property.default !== undefined && typeof property.default !== 'object') defaults[name] = property.default;
        }
        return { kind: 'struct', fields, ...(atomic ? { atomic } : {}), defaults };
      }
      if (node.additionalProperties && typeof node.additionalProperties === 'object')
        return { kind: 'map', values: convert(api, node.additionalProperties, memo), ...(atomic ? { atomic } : {}) };
      return deduced;
    }
    default:
      return deduced;
  }
}

function mergeSchemaOf(api: OpenApi, gvk: GroupVersionKind): Schema | undefined {
  const node = api.schemaFor(gvk);
  if (!node) return undefined;
  let memo = converted.get(api);
  if (!memo) converted.set(api, (memo = new Map()));
  const key = `kind|${gvk.group}/${gvk.version}/${gvk.kind}`;
  let schema = memo.get(key);
  if (!schema) memo.set(key, (schema = convert(api, node, memo)));
  return schema;
}

function openApiOf(version: string): OpenApi {
  if (!(OPENAPI_VERSIONS as readonly string[]).includes(version))
    throw new Error(`no OpenAPI data for Kubernetes ${version}`);
  const api = loadedOpenApi(version as KubernetesVersion);
  // The data is loaded asynchronously (a lazy chunk in the browser); callers await loadOpenApi(version) first.
  if (!api) throw new Error(`the OpenAPI schemas of Kubernetes ${version} are not loaded yet (await loadOpenApi)`);
  return api;
}

/** The built-in kinds' merge schemas from the loaded OpenAPI data of each version. */
export const openApiSchemas: SchemaSource & { isBuiltin(version: string, gvk: GroupVersionKind): boolean } = {
  schemaFor: (version, gvk) => mergeSchemaOf(openApiOf(version), gvk),
  isBuiltin: (version, gvk) => openApiOf(version).schemaFor(gvk) !== undefined,
};
