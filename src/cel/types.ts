// Static CEL types for the checker, printed the way cel-go prints them in its issues
// (`list(int)`, `map(string, dyn)`, `optional_type(string)`, `kubernetes.UserInfo`).

export type CelType =
  | { kind: 'prim'; name: PrimName }
  | { kind: 'dyn' }
  /** google.protobuf.Any: behaves as dyn for checking, prints as `any` (authentication `claims`). */
  | { kind: 'any' }
  | { kind: 'error' }
  | { kind: 'list'; elem: CelType }
  | { kind: 'map'; key: CelType; value: CelType }
  | { kind: 'type'; of: CelType }
  /** An opaque or parameterised type: `optional_type(T)`, `net.IP`, `kubernetes.Quantity`, ... */
  | { kind: 'opaque'; name: string; params: CelType[] }
  /** A message-like object type with declared fields (`kubernetes.UserInfo`, `Object.spec`). */
  | { kind: 'object'; name: string }
  | { kind: 'param'; name: string };

export type PrimName = 'bool' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'null_type' | 'timestamp' | 'duration';

const prim = (name: PrimName): CelType => ({ kind: 'prim', name });
export const T = {
  bool: prim('bool'),
  int: prim('int'),
  uint: prim('uint'),
  double: prim('double'),
  string: prim('string'),
  bytes: prim('bytes'),
  null: prim('null_type'),
  timestamp: prim('timestamp'),
  duration: prim('duration'),
  dyn: { kind: 'dyn' } as CelType,
  any: { kind: 'any' } as CelType,
  error: { kind: 'error' } as CelType,
  list: (elem: CelType): CelType => ({ kind: 'list', elem }),
  map: (key: CelType, value: CelType): CelType => ({ kind: 'map', key, value }),
  type: (of: CelType): CelType => ({ kind: 'type', of }),
  opaque: (name: string, ...params: CelType[]): CelType => ({ kind: 'opaque', name, params }),
  optional: (of: CelType): CelType => ({ kind: 'opaque', name: 'optional_type', params: [of] }),
  object: (name: string): CelType => ({ kind: 'object', name }),
  param: (name: string): CelType => ({ kind: 'param', name }),
};

export function typeString(t: CelType): string {
  switch (t.kind) {
    case 'prim':
      if (t.name === 'timestamp') return 'google.protobuf.Timestamp';
      if (t.name === 'duration') return 'google.protobuf.Duration';
      return t.name;
    case 'dyn':
      return 'dyn';
    case 'any':
      return 'any';
    case 'error':
      return '*error*';
    case 'list':
      return `list(${typeString(t.elem)})`;
    case 'map':
      return `map(${typeString(t.key)}, ${typeString(t.value)})`;
    case 'type':
      return `type(${typeString(t.of)})`;
    case 'opaque':
      return t.params.length ? `${t.name}(${t.params.map(typeString).join(', ')})` : t.name;
    case 'object':
      return t.name;
    case 'param':
      return t.name;
  }
}

/**
 * cel-go's FormatCELType, the spelling of types inside checker issues (`found no matching overload … '(timestamp,
 * int)'`, `type 'duration' does not support field selection`): like typeString but timestamp, duration and null
 * by their CEL names. (`must evaluate to …` messages print the declared names: typeString.)
 */
export function formatCelType(t: CelType): string {
  switch (t.kind) {
    case 'prim':
      return t.name === 'null_type' ? 'null' : t.name;
    case 'error':
      return '!error!';
    case 'list':
      return `list(${formatCelType(t.elem)})`;
    case 'map':
      return `map(${formatCelType(t.key)}, ${formatCelType(t.value)})`;
    case 'type':
      return `type(${formatCelType(t.of)})`;
    case 'opaque':
      return t.params.length ? `${t.name}(${t.params.map(formatCelType).join(', ')})` : t.name;
    default:
      return typeString(t);
  }
}

export function isDynLike(t: CelType): boolean {
  return t.kind === 'dyn' || t.kind === 'any' || t.kind === 'error';
}

/** Field declarations of object types known to an environment. */
export interface ObjectTypeDecl {
  name: string;
  fields: Map<string, CelType>;
  /** Object types with open field sets (schemaless `Object.*` in mutations) accept any field as dyn. */
  open?: boolean;
  /**
   * OpenAPI-declared types in Kubernetes 1.31+: a field stored under its escaped reserved-word name
   * (`__namespace__`) is also selected by the word itself (`namespace`).
   */
  recognizeKeywordFields?: boolean;
}

/** Substitution of type parameters during overload resolution. */
export type Substitution = Map<string, CelType>;

export function substitute(t: CelType, s: Substitution, dynForFree = false): CelType {
  switch (t.kind) {
    case 'param': {
      const b = s.get(t.name);
      if (b) return substitute(b, s, dynForFree);
      return dynForFree ? T.dyn : t;
    }
    case 'list':
      return T.list(substitute(t.elem, s, dynForFree));
    case 'map':
      return T.map(substitute(t.key, s, dynForFree), substitute(t.value, s, dynForFree));
    case 'type':
      return T.type(substitute(t.of, s, dynForFree));
    case 'opaque':
      return { kind: 'opaque', name: t.name, params: t.params.map((p) => substitute(p, s, dynForFree)) };
    default:
      return t;
  }
}

function occurs(name: string, t: CelType, s: Substitution): boolean {
  const r = substitute(t, s);
  switch (r.kind) {
    case 'param':
      return r.name === name;
    case 'list':
      return occurs(name, r.elem, s);
    case 'map':
      return occurs(name, r.key, s) || occurs(name, r.value, s);
    case 'type':
      return occurs(name, r.of, s);
    case 'opaque':
      return r.params.some((p) => occurs(name, p, s));
    default:
      return false;
  }
}

/**
 * Whether a value of type `actual` may be passed where `formal` is expected, extending the substitution.
 * Mirrors cel-go's isAssignable: dyn is assignable both ways, type parameters bind on first use, null is
 * assignable to nothing but null, dyn and the wrapper-less types of this environment.
 */
export function assignable(formal: CelType, actual: CelType, s: Substitution): boolean {
  if (formal.kind === 'param') {
    const b = s.get(formal.name);
    if (b) return assignable(b, actual, s) || (isDynLike(b) && true);
    if (actual.kind === 'param' && actual.name === formal.name) return true;
    if (occurs(formal.name, actual, s)) return false;
    s.set(formal.name, actual);
    return true;
  }
  if (actual.kind === 'param') {
    const b = s.get(actual.name);
    if (b) return assignable(formal, b, s);
    if (occurs(actual.name, formal, s)) return false;
    s.set(actual.name, formal);
    return true;
  }
  // Like cel-go, dyn matches anything and leaves type parameters nested in the other side unbound: a later
  // argument may still bind them (`claims[?'k'].orValue(true)` is a bool). Free parameters end up as dyn.
  if (isDynLike(formal) || isDynLike(actual)) return true;
  // cel-go keeps the legacy checker's nullness: null goes where an object, opaque, timestamp or duration does.
  if (isNull(formal)) return isNull(actual) || legacyNullable(actual);
  if (isNull(actual)) return legacyNullable(formal);
  switch (formal.kind) {
    case 'prim':
      return actual.kind === 'prim' && actual.name === formal.name;
    case 'list':
      return actual.kind === 'list' && assignable(formal.elem, actual.elem, s);
    case 'map':
      return (
        actual.kind === 'map' && assignable(formal.key, actual.key, s) && assignable(formal.value, actual.value, s)
      );
    case 'type':
      return actual.kind === 'type' && assignable(formal.of, actual.of, s);
    case 'opaque':
      return (
        actual.kind === 'opaque' &&
        actual.name === formal.name &&
        actual.params.length === formal.params.length &&
        formal.params.every((p, i) => assignable(p, actual.params[i]!, s))
      );
    case 'object':
      return actual.kind === 'object' && actual.name === formal.name;
    default:
      return false;
  }
}

const isNull = (t: CelType) => t.kind === 'prim' && t.name === 'null_type';

function legacyNullable(t: CelType): boolean {
  return (
    t.kind === 'object' ||
    t.kind === 'opaque' ||
    (t.kind === 'prim' && (t.name === 'timestamp' || t.name === 'duration'))
  );
}

/** Structural equality of two types (dyn equals only dyn). */
export function sameType(a: CelType, b: CelType): boolean {
  return typeString(a) === typeString(b);
}

/** The common type of two branches/elements: identical types stay, anything else joins to dyn. */
export function join(a: CelType, b: CelType): CelType {
  if (sameType(a, b)) return a;
  if (a.kind === 'error') return b;
  if (b.kind === 'error') return a;
  if (a.kind === 'prim' && a.name === 'null_type') return b;
  if (b.kind === 'prim' && b.name === 'null_type') return a;
  return T.dyn;
}
