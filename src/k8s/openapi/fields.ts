// The fields a schema knows at a path inside a kind, named and typed the way CEL sees them, for completing
// `object.spec.` in a CEL editor. Pure: works on an OpenApi and its compact schemas, no editor involved.

import type { OpenApi, Schema } from './index.ts';

/** A path step that is not a field name: an element of a list (`[0]`) or a value of a map (`['key']`). */
export const INDEXED = '[]';
/** A path step for the variable a macro binds (`.all(c, c.`): a list's element, or a map's key. */
export const ITERATED = '[*]';

/** One field of an object schema. */
export interface SchemaField {
  name: string;
  /** Its CEL type: `int`, `string`, `timestamp`, `list(Container)`, `map(string, string)`, `Container`… */
  type: string;
  /** The first sentence of the OpenAPI description, when there is one. */
  description?: string;
}

type Resolver = Pick<OpenApi, 'resolveRef'>;

/** A schema to walk from, with the OpenApi that resolves its `$ref`s. */
export interface RootSchema {
  api: Resolver;
  schema: Schema;
}

/**
 * The schema node `path` reaches from `root` (`$ref`s resolved), or undefined when the schema does not
 * know it: a field it does not declare, an index into a scalar, a field of an object that preserves
 * unknown fields.
 */
export function schemaAt(api: Resolver, root: Schema, path: readonly string[]): Schema | undefined {
  let node: Schema | undefined = api.resolveRef(root);
  for (const step of path) {
    if (node === undefined) return undefined;
    node = stepInto(node, step);
    if (node !== undefined) node = api.resolveRef(node);
  }
  return node;
}

function stepInto(node: Schema, step: string): Schema | undefined {
  if (step === INDEXED || step === ITERATED) {
    if (node.type === 'array') return node.items;
    if (typeof node.additionalProperties === 'object') {
      // Iterating over a map binds its keys, which are strings.
      return step === ITERATED ? { type: 'string' } : node.additionalProperties;
    }
    return undefined;
  }
  if (node.properties && Object.hasOwn(node.properties, step)) return node.properties[step];
  if (typeof node.additionalProperties === 'object' && !node.properties) return node.additionalProperties;
  return undefined;
}

/**
 * The fields of the object `path` reaches from `root`, in the schema's order, each with its CEL type and
 * description. Empty when the path reaches no object with declared fields (a map, a scalar, the unknown).
 */
export function fieldsAt(api: Resolver, root: Schema, path: readonly string[]): SchemaField[] {
  const node = schemaAt(api, root, path);
  if (!node?.properties) return [];
  return Object.entries(node.properties).map(([name, field]) => ({
    name,
    type: celTypeName(api, field),
    ...(field.description ? { description: field.description } : {}),
  }));
}

/**
 * How CEL types a schema node: scalars by their CEL names (strings with format date-time are timestamps,
 * byte strings are bytes), lists and maps by their elements, a named object by its Go type's name.
 */
export function celTypeName(api: Resolver, node: Schema, depth = 0): string {
  const resolved = api.resolveRef(node);
  if (resolved.format === 'int-or-string' || resolved['x-kubernetes-int-or-string']) return 'int | string';
  // A named union (Quantity: a string or a number) reads best by its name.
  if (resolved.oneOf && node.$ref !== undefined) return shortName(node.$ref);
  if (resolved.oneOf) return [...new Set(resolved.oneOf.map((n) => celTypeName(api, n, depth + 1)))].join(' | ');
  // Deeply nested element types are cut short: the detail line has room for two levels.
  const inner = (n: Schema) => (depth >= 2 ? '…' : celTypeName(api, n, depth + 1));
  switch (resolved.type) {
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    case 'string':
      if (resolved.format === 'date-time') return 'timestamp';
      if (resolved.format === 'byte') return 'bytes';
      return 'string';
    case 'array':
      return resolved.items ? `list(${inner(resolved.items)})` : 'list(dyn)';
    case 'object':
    case undefined:
      if (resolved.properties) return node.$ref !== undefined ? shortName(node.$ref) : 'object';
      if (typeof resolved.additionalProperties === 'object') {
        return `map(string, ${inner(resolved.additionalProperties)})`;
      }
      return resolved.type === 'object' ? 'map(string, dyn)' : 'dyn';
  }
}

/** `io.k8s.api.core.v1.Container` → `Container`. */
function shortName(definition: string): string {
  return definition.slice(definition.lastIndexOf('.') + 1);
}
