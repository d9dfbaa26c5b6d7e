// CEL types of a resource from its OpenAPI schema, as k8s.io/apiserver declares them for typed checking
// (pkg/cel/common/schemas.go SchemaDeclType, pkg/cel/types.go MaybeAssignTypeName, pkg/cel/escaping.go Escape,
// and pkg/cel/openapi/resolver/refs.go PopulateRefs for `$ref`s). Used by the ValidatingAdmissionPolicy type
// check (src/policy/admission/typechecking.ts); kube-apiserver itself evaluates policies with `object` as dyn.

import type { Schema } from '../k8s/openapi/types.ts';
import { RESERVED_WORDS } from './reserved.ts';
import { T, type CelType, type ObjectTypeDecl } from './types.ts';

/** What resolves a schema's `$ref` (an `OpenApi` of src/k8s/openapi). */
export interface RefResolver {
  resolveRef(schema: Schema): Schema;
}

export interface SchemaTypes {
  /** The type of the root: an object type named `rootName`. */
  type: CelType;
  /** Every object type the schema declares, named by its path (`Deployment0.spec.template`). */
  objectTypes: ObjectTypeDecl[];
}

export interface SchemaTypeOptions {
  /**
   * Kubernetes 1.31+: a field stored under its escaped keyword name (`__namespace__`) is also found by the
   * keyword itself (`object.metadata.namespace`); in 1.30 only the escaped name selects it.
   */
  recognizeKeywordFields?: boolean;
}

/** CEL's reserved symbols, which Escape wraps in `__…__` (`namespace` is common in Kubernetes). */
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', ...RESERVED_WORDS]);

/**
 * apiserver's Escape: the CEL field name of a property, or undefined when it cannot be one (then the property
 * is not declared). `-`, `.`, `/` and `__` are spelled out; a reserved word becomes `__word__`.
 */
export function escapeFieldName(name: string): string | undefined {
  if (name === '' || (name[0]! >= '0' && name[0]! <= '9')) return undefined;
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  if (!/^[a-zA-Z0-9_./-]*$/.test(name)) return undefined;
  return name.replace(/__|[-./]/g, (s) =>
    s === '__' ? '__underscores__' : s === '.' ? '__dot__' : s === '-' ? '__dash__' : '__slash__',
  );
}

/** The type a field of an object type gets when it is looked up by a reserved word (1.31+). */
export function keywordField(decl: ObjectTypeDecl, field: string): CelType | undefined {
  if (!decl.recognizeKeywordFields || !CEL_RESERVED.has(field)) return undefined;
  return decl.fields.get(`__${field}__`);
}

/**
 * Declares the CEL types of `root` (the schema of a kind, `$ref`s resolved through `api`) under `rootName`, or
 * returns undefined when the schema declares no CEL type at its root.
 */
export function schemaTypes(
  api: RefResolver,
  root: Schema,
  rootName: string,
  options: SchemaTypeOptions = {},
): SchemaTypes | undefined {
  const objectTypes: ObjectTypeDecl[] = [];
  const visiting = new Set<string>();

  /** PopulateRefs: a `$ref` already being expanded on this path stands for an empty object. */
  const withRef = <R>(node: Schema, f: (resolved: Schema) => R): R => {
    const ref = node.$ref;
    if (ref === undefined) return f(node);
    if (visiting.has(ref)) return f({ type: 'object' });
    visiting.add(ref);
    try {
      return f(api.resolveRef(node));
    } finally {
      visiting.delete(ref);
    }
  };

  const declType = (node: Schema, isResourceRoot: boolean, name: string): CelType | undefined =>
    withRef(node, (s) => {
      if (s.format === 'int-or-string' || s['x-kubernetes-int-or-string'] === true) return T.dyn;
      // x-kubernetes-preserve-unknown-fields is ignored: only declared properties are typed.
      const props = isResourceRoot ? withTypeAndObjectMeta(s) : s.properties;
      switch (s.type) {
        case 'array': {
          if (!s.items) return undefined;
          const elem = declType(s.items, embedded(s.items), `${name}.@idx`);
          return elem && T.list(elem);
        }
        case 'object': {
          if (typeof s.additionalProperties === 'object') {
            const ap = s.additionalProperties;
            const elem = declType(ap, embedded(ap), `${name}.@elem`);
            return elem && T.map(T.string, elem);
          }
          const fields = new Map<string, CelType>();
          for (const [prop, propSchema] of Object.entries(props ?? {})) {
            const field = escapeFieldName(prop);
            if (field === undefined) continue;
            const t = declType(propSchema, embedded(propSchema), `${name}.${field}`);
            if (t) fields.set(field, t);
          }
          const decl: ObjectTypeDecl = { name, fields };
          if (options.recognizeKeywordFields) decl.recognizeKeywordFields = true;
          objectTypes.push(decl);
          return T.object(name);
        }
        case 'string':
          switch (s.format) {
            case 'byte':
              return T.bytes;
            case 'duration':
              return T.duration;
            case 'date':
            case 'date-time':
              return T.timestamp;
            default:
              return T.string;
          }
        case 'boolean':
          return T.bool;
        case 'number':
          return T.double;
        case 'integer':
          return T.int;
        default:
          // No type (Quantity's oneOf, apiextensions JSON): not exposed to CEL at all.
          return undefined;
      }
    });

  /** x-kubernetes-embedded-resource: the node is a resource root of its own (apiVersion, kind, metadata). */
  const embedded = (node: Schema): boolean => withRef(node, (s) => s['x-kubernetes-embedded-resource'] === true);

  /**
   * WithTypeAndObjectMeta: `kind`, `apiVersion` and `metadata.name`/`generateName` are always selectable at
   * a resource root; unless the schema already declares all four, they are added (metadata with only those two).
   */
  const withTypeAndObjectMeta = (s: Schema): Record<string, Schema> | undefined => {
    const props = s.properties;
    const typeOf = (n: Schema | undefined) => (n ? withRef(n, (r) => r) : undefined);
    const metadata = typeOf(props?.metadata);
    if (
      props &&
      typeOf(props.kind)?.type === 'string' &&
      typeOf(props.apiVersion)?.type === 'string' &&
      metadata?.type === 'object' &&
      metadata.properties &&
      typeOf(metadata.properties.name)?.type === 'string' &&
      typeOf(metadata.properties.generateName)?.type === 'string'
    ) {
      return props;
    }
    const str: Schema = { type: 'string' };
    return {
      ...props,
      kind: str,
      apiVersion: str,
      metadata: { type: 'object', properties: { name: str, generateName: str } },
    };
  };

  const type = declType(root, true, rootName);
  return type && { type, objectTypes };
}
