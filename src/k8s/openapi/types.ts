/**
 * The compact structural schema kept from Kubernetes' OpenAPI v3 documents (see README.md): the
 * OpenAPI keys and the `x-kubernetes-*` extensions under their own names; `$ref` holds the name of a
 * definition (`io.k8s.api.core.v1.Container`), never inlined (schemas are recursive).
 */
export interface Schema {
  $ref?: string;
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  /** Only for union types without `type` (IntOrString, Quantity): the allowed types. */
  oneOf?: Schema[];
  enum?: unknown[];
  default?: unknown;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
}

/** One Kubernetes minor's built-in schemas, as written by scripts/gen-openapi.ts. */
export interface OpenApiData {
  /** "1.34" */
  kubernetes: string;
  /** Where it was read from: `k8s.io/kubernetes@v1.34.10 api/openapi-spec/v3`. */
  source: string;
  /** `group/version/kind` (core group: `/v1/Pod`) → definition name. */
  kinds: Record<string, string>;
  /**
   * `group/version/resource` (core group: `/v1/pods`) → kind: the top-level resources the document's paths
   * serve, as discovery lists them (no subresources).
   */
  resources?: Record<string, string>;
  definitions: Record<string, Schema>;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}
