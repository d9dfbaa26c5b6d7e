// The structural schema the server-side-apply merge is driven by: for each field its kind, and for lists and
// maps how they merge (x-kubernetes-list-type / list-map-keys / map-type, as kube-openapi's schemaconv turns the
// OpenAPI v3 document into a structured-merge-diff schema). `SchemaSource` is the seam where the generated
// OpenAPI schemas of built-in kinds plug in (src/k8s/openapi schemaFor(version, gvk)); until then
// builtin-schemas.ts holds hand-written fragments taken from k8s.io/api's markers.

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
}

export function fieldSchema(s: Schema & { kind: 'struct' }, name: string): Schema | undefined {
  if (!Object.prototype.hasOwnProperty.call(s.fields, name)) return undefined;
  const f = s.fields[name]!;
  return typeof f === 'function' ? f() : f;
}

// Builders, so the fragments read like the Go types they come from.
export const str: Schema = { kind: 'scalar', type: 'string' };
export const num: Schema = { kind: 'scalar', type: 'number' };
export const bool: Schema = { kind: 'scalar', type: 'boolean' };
/** int-or-string, quantities, times, RawExtension. */
export const untyped: Schema = { kind: 'scalar', type: 'untyped' };
export const deduced: Schema = { kind: 'deduced' };
export const struct = (
  fields: Record<string, Schema | (() => Schema)>,
  extra: { atomic?: boolean; defaults?: Record<string, unknown> } = {},
): Schema => ({ kind: 'struct', fields, ...extra });
export const atomicStruct = (fields: Record<string, Schema | (() => Schema)>): Schema =>
  struct(fields, { atomic: true });
export const mapOf = (values: Schema, atomic = false): Schema => ({ kind: 'map', values, atomic });
export const atomicList = (items: Schema): Schema => ({ kind: 'list', items, listType: 'atomic' });
export const setList = (items: Schema): Schema => ({ kind: 'list', items, listType: 'set' });
export const mapList = (items: Schema, ...keys: string[]): Schema => ({ kind: 'list', items, listType: 'map', keys });
