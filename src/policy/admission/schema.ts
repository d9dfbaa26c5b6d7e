// The structural schema the server-side-apply merge is driven by: for each field its kind, and for lists and
// maps how they merge (x-kubernetes-list-type / list-map-keys / map-type, as kube-openapi's schemaconv turns the
// OpenAPI v3 document into a structured-merge-diff schema). openapi-schemas.ts makes them from the generated
// OpenAPI data of the built-in kinds; `SchemaSource` lets a caller supply others.

export type Schema =
  | { kind: 'scalar'; type: 'string' | 'number' | 'boolean' | 'untyped' }
  | {
      kind: 'struct';
      fields: Readonly<Record<string, Schema | (() => Schema)>>;
      /** `atomic`: x-kubernetes-map-type: atomic (or structType=atomic). */
      atomic?: boolean;
      /** Schema defaults of fields (used for list-map keys such as ports' protocol: TCP). */
      defaults?: Readonly<Record<string, unknown>>;
    }
  | { kind: 'map'; values: Schema; atomic?: boolean }
  | { kind: 'list'; items: Schema; listType: 'atomic' | 'set' | 'map'; keys?: readonly string[] }
  /** x-kubernetes-preserve-unknown-fields or no schema: maps merge granularly, lists are atomic. */
  | { kind: 'deduced' };

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Where the merge finds the schema of a resource; undefined when the kind is unknown. */
export interface SchemaSource {
  schemaFor(version: string, gvk: GroupVersionKind): Schema | undefined;
  /** Whether the kind is a built-in type (decoded strictly into its Go type after a JSON patch). */
  isBuiltin(version: string, gvk: GroupVersionKind): boolean;
}

export function fieldSchema(s: Schema & { kind: 'struct' }, name: string): Schema | undefined {
  if (!Object.prototype.hasOwnProperty.call(s.fields, name)) return undefined;
  const f = s.fields[name]!;
  return typeof f === 'function' ? f() : f;
}

/** x-kubernetes-preserve-unknown-fields, or a kind without a schema. */
export const deduced: Schema = { kind: 'deduced' };
