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
  if?: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
  anyOf?: JsonSchema[];
  definitions?: Record<string, JsonSchema>;
}

const DEFINITIONS = '#/definitions/';
// OpenAPI formats a JSON Schema validator also knows; the Kubernetes ones (int32, byte, quantity…) are dropped.
const JSON_SCHEMA_FORMATS = new Set(['date-time']);

/** How definitions are converted. */
export interface ConversionOptions {
  /**
   * Keep OpenAPI's `required` lists (default true). Off for sample objects, which are fragments of an
   * object (a Deployment without its selector is still a fine CEL sample).
   */
  required?: boolean;
}

/**
 * Converts the nodes and named definitions of one OpenApi to draft-07 JSON Schema, collecting every
 * definition they reach into one `definitions` map, so several kinds' schemas can share it.
 */
export class DefinitionCollector {
  /** Converted definitions, by definition name (refer to them with `ref`). */
  readonly definitions: Record<string, JsonSchema> = {};
  private readonly pending: string[] = [];
  private readonly keepRequired: boolean;

  constructor(
    private readonly api: OpenApi,
    options: ConversionOptions = {},
  ) {
    this.keepRequired = options.required ?? true;
  }

  /** `{ $ref }` to a named definition, which `complete` converts. */
  ref(name: string): JsonSchema {
    if (!(name in this.definitions) && !this.pending.includes(name)) this.pending.push(name);
    return { $ref: DEFINITIONS + name };
  }

  /**
   * One node. Objects with properties reject unknown fields, as kube-apiserver's strict decoding does,
   * unless they preserve unknown fields; IntOrString accepts an integer or a string.
   */
  convert(node: Schema): JsonSchema {
    if (node.$ref !== undefined) {
      const ref = this.ref(node.$ref);
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
      out.anyOf = node.oneOf.map((n) => this.convert(n));
      return out;
    }
    if (node.type) out.type = node.type;
    if (node.format && JSON_SCHEMA_FORMATS.has(node.format)) out.format = node.format;
    if (node.enum) out.enum = node.enum;
    if (node.items) out.items = this.convert(node.items);
    if (node.properties) {
      out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, this.convert(v)]));
      if (!node['x-kubernetes-preserve-unknown-fields'] && node.additionalProperties === undefined) {
        out.additionalProperties = false;
      }
    }
    if (this.keepRequired && node.required && node.required.length > 0) out.required = [...node.required];
    if (typeof node.additionalProperties === 'boolean') out.additionalProperties = node.additionalProperties;
    else if (node.additionalProperties) out.additionalProperties = this.convert(node.additionalProperties);
    return out;
  }

  /** Converts every definition referred to so far (and those they refer to); returns `definitions`. */
  complete(): Record<string, JsonSchema> {
    for (let name = this.pending.shift(); name !== undefined; name = this.pending.shift()) {
      const target = this.api.definition(name);
      if (!target) throw new Error(`unresolved $ref ${name}`);
      this.definitions[name] = this.convert(target);
    }
    return this.definitions;
  }
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(gvk: GroupVersionKind): string {
  return gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
}

/**
 * The JSON Schema of one kind for monaco-yaml: its definition with `apiVersion` and `kind` fixed to
 * the kind's values, plus every definition it reaches (as draft-07 `definitions`, `$ref`s kept).
 * Undefined for an unknown kind.
 */
export function toJsonSchema(api: OpenApi, gvk: GroupVersionKind): JsonSchema | undefined {
  const root = api.schemaFor(gvk);
  if (!root) return undefined;
  const collector = new DefinitionCollector(api);
  const top = collector.convert(api.resolveRef(root));
  const apiVersion = apiVersionOf(gvk);
  top.properties = {
    ...top.properties,
    apiVersion: { type: 'string', const: apiVersion, description: `Must be ${apiVersion}.` },
    kind: { type: 'string', const: gvk.kind, description: `Must be ${gvk.kind}.` },
  };
  top.required = [...new Set([...(top.required ?? []), 'apiVersion', 'kind'])];
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${gvk.kind} (${apiVersion}, Kubernetes ${api.kubernetes})`,
    ...top,
    definitions: collector.complete(),
  };
}

function withAnnotations(out: JsonSchema, node: Schema): JsonSchema {
  if (node.description) out.description = node.description;
  if (node.default !== undefined) out.default = node.default;
  return out;
}
