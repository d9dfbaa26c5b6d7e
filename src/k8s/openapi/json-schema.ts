import type { GroupVersionKind, OpenApi, Schema } from './index.ts';

/** A draft-07 JSON Schema node (only the keywords we emit). */
export interface JsonSchema {
  $schema?: string;
  $ref?: string;
  title?: string;
  description?: string;
  type?: string;
  const?: string;
  enum?: unknown[];
  default?: unknown;
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  definitions?: Record<string, JsonSchema>;
}

const DEFINITIONS = '#/definitions/';
// OpenAPI formats a JSON Schema validator also knows; the Kubernetes ones (int32, byte, quantity…) are dropped.
const JSON_SCHEMA_FORMATS = new Set(['date-time']);

/**
 * The JSON Schema of one kind for monaco-yaml: its definition with `apiVersion` and `kind` fixed to
 * the kind's values, plus every definition it reaches (as draft-07 `definitions`, `$ref`s kept).
 * Objects with properties reject unknown fields, as kube-apiserver's strict decoding does, unless
 * they preserve unknown fields; IntOrString accepts an integer or a string. Undefined for an
 * unknown kind.
 */
export function toJsonSchema(api: OpenApi, gvk: GroupVersionKind): JsonSchema | undefined {
  const root = api.schemaFor(gvk);
  if (!root) return undefined;
  const definitions: Record<string, JsonSchema> = {};
  const pending: string[] = [];
  const convert = (node: Schema): JsonSchema => {
    if (node.$ref !== undefined) {
      const name = node.$ref;
      if (!(name in definitions) && !pending.includes(name)) pending.push(name);
      const ref: JsonSchema = { $ref: DEFINITIONS + name };
      // Draft-07 ignores keywords beside $ref, so a description or default wraps it in allOf.
      if (node.description === undefined && node.default === undefined) return ref;
      return withAnnotations({ allOf: [ref] }, node);
    }
    const out: JsonSchema = withAnnotations({}, node);
    if (node.format === 'int-or-string' || node['x-kubernetes-int-or-string']) {
      out.anyOf = [{ type: 'integer' }, { type: 'string' }];
      return out;
    }
    if (node.oneOf) {
      out.anyOf = node.oneOf.map(convert);
      return out;
    }
    if (node.type) out.type = node.type;
    if (node.format && JSON_SCHEMA_FORMATS.has(node.format)) out.format = node.format;
    if (node.enum) out.enum = node.enum;
    if (node.items) out.items = convert(node.items);
    if (node.properties) {
      out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, convert(v)]));
      if (!node['x-kubernetes-preserve-unknown-fields'] && node.additionalProperties === undefined) {
        out.additionalProperties = false;
      }
    }
    if (node.required && node.required.length > 0) out.required = [...node.required];
    if (typeof node.additionalProperties === 'boolean') out.additionalProperties = node.additionalProperties;
    else if (node.additionalProperties) out.additionalProperties = convert(node.additionalProperties);
    return out;
  };

  const top = convert(api.resolveRef(root));
  const apiVersion = gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
  top.properties = {
    ...top.properties,
    apiVersion: { type: 'string', const: apiVersion, description: `Must be ${apiVersion}.` },
    kind: { type: 'string', const: gvk.kind, description: `Must be ${gvk.kind}.` },
  };
  top.required = [...new Set([...(top.required ?? []), 'apiVersion', 'kind'])];
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    const target = api.definition(name);
    if (!target) throw new Error(`unresolved $ref ${name}`);
    definitions[name] = convert(target);
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${gvk.kind} (${apiVersion}, Kubernetes ${api.kubernetes})`,
    ...top,
    definitions,
  };
}

function withAnnotations(out: JsonSchema, node: Schema): JsonSchema {
  if (node.description) out.description = node.description;
  if (node.default !== undefined) out.default = node.default;
  return out;
}
