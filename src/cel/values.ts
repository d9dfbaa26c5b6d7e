// Runtime CEL values. Scalars use the same JavaScript representation as @bufbuild/cel (bigint int, CelUint uint,
// number double, Uint8Array bytes, protobuf Timestamp/Duration messages), so its standard functions can be used
// on them; lists are frozen arrays and maps our own MapValue so that Kubernetes' opaque types (IP, Quantity,
// optional, ...) can live inside them.

import { celUint, isCelUint, type CelUint } from '@bufbuild/cel';
import { isReflectMessage, type ReflectMessage } from '@bufbuild/protobuf/reflect';

export type Value =
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | CelUint
  | readonly Value[]
  | MapValue
  | OptionalValue
  | TypeValue
  | OpaqueValue
  | ObjectValue
  | LazyVariables
  | ReflectMessage;

export { celUint, isCelUint };
export type { CelUint };

/** A runtime error, with cel-go's message text. */
export class EvalError extends Error {
  constructor(
    message: string,
    public exprId?: number,
  ) {
    super(message);
  }
}

export const fail = (message: string): never => {
  throw new EvalError(message);
};

/** Base class of Kubernetes' opaque values (net.IP, kubernetes.Quantity, ...). */
export abstract class OpaqueValue {
  abstract readonly typeName: string;
  abstract equals(other: OpaqueValue): boolean;
  /** JSON form for output. */
  abstract toJSON(): unknown;
}

export class OptionalValue {
  private constructor(readonly value: Value | undefined) {}
  static of(v: Value): OptionalValue {
    return new OptionalValue(v);
  }
  static readonly none = new OptionalValue(undefined);
  hasValue(): this is { value: Value } {
    return this.value !== undefined;
  }
}

export class TypeValue {
  constructor(readonly name: string) {}
}

/** A value of a declared object type (mutation `Object{...}` / `JSONPatch{...}`). */
export class ObjectValue {
  constructor(
    readonly typeName: string,
    readonly fields: ReadonlyMap<string, Value>,
  ) {}
}

type MapKey = boolean | bigint | CelUint | string;

/** A CEL map: keys bool, int, uint or string; numeric keys compare by value across int and uint. */
export class MapValue {
  private readonly entries_ = new Map<string, [MapKey, Value]>();
  constructor(entries: Iterable<readonly [Value, Value]> = []) {
    for (const [k, v] of entries) {
      const key = mapKeyId(k);
      if (key === undefined) fail(`unsupported key type: ${typeName(k)}`);
      if (this.entries_.has(key!)) fail(`Failed with repeated key`);
      this.entries_.set(key!, [k as MapKey, v]);
    }
  }
  get size(): number {
    return this.entries_.size;
  }
  get(key: Value): Value | undefined {
    const id = mapKeyId(key);
    return id === undefined ? undefined : this.entries_.get(id)?.[1];
  }
  has(key: Value): boolean {
    return this.get(key) !== undefined;
  }
  keys(): Value[] {
    return [...this.entries_.values()].map((e) => e[0]);
  }
  *entries(): IterableIterator<[Value, Value]> {
    for (const [k, v] of this.entries_.values()) yield [k, v];
  }
  /** A copy with one more entry; `undefined` when the key already exists. */
  with(key: Value, value: Value): MapValue | undefined {
    if (this.has(key)) return undefined;
    return new MapValue([...this.entries(), [key, value]]);
  }
}

function mapKeyId(k: Value): string | undefined {
  if (typeof k === 'string') return `s${k}`;
  if (typeof k === 'boolean') return `b${k}`;
  if (typeof k === 'bigint') return `n${k}`;
  if (isCelUint(k)) return `n${k.value}`;
  if (typeof k === 'number' && Number.isInteger(k)) return `n${BigInt(k)}`;
  return undefined;
}

export function isList(v: Value): v is readonly Value[] {
  return Array.isArray(v);
}

export function isTimestamp(v: Value): v is ReflectMessage {
  return isReflectMessage(v) && v.desc.typeName === 'google.protobuf.Timestamp';
}
export function isDuration(v: Value): v is ReflectMessage {
  return isReflectMessage(v) && v.desc.typeName === 'google.protobuf.Duration';
}

/** The CEL type name of a runtime value, as `type(v)` reports it. */
export function typeName(v: Value): string {
  if (v === null) return 'null_type';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
  }
  if (v instanceof Uint8Array) return 'bytes';
  if (isCelUint(v)) return 'uint';
  if (Array.isArray(v)) return 'list';
  if (v instanceof MapValue) return 'map';
  if (v instanceof OptionalValue) return 'optional_type';
  if (v instanceof TypeValue) return 'type';
  if (v instanceof OpaqueValue) return v.typeName;
  if (v instanceof ObjectValue) return v.typeName;
  if (isReflectMessage(v)) return v.desc.typeName;
  return 'unknown';
}

function numeric(v: Value): number | bigint | undefined {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (isCelUint(v)) return v.value;
  return undefined;
}

/** CEL equality: heterogeneous numeric comparison, structural lists and maps, NaN unequal to itself. */
export function equals(a: Value, b: Value): boolean {
  if (a === b) return typeof a !== 'number' || !Number.isNaN(a);
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined || nb !== undefined) {
    if (na === undefined || nb === undefined) return false;
    if (typeof na === 'number' && typeof nb === 'number') return na === nb;
    if (typeof na === 'number' || typeof nb === 'number') {
      const d = (typeof na === 'number' ? na : nb) as number;
      const i = (typeof na === 'number' ? nb : na) as bigint;
      return Number.isFinite(d) && Number.isInteger(d) && BigInt(d) === i;
    }
    return na === nb;
  }
  if (a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  if (Array.isArray(a)) {
    const bl = b as readonly Value[];
    return Array.isArray(b) && a.length === bl.length && a.every((x: Value, i: number) => equals(x, bl[i]!));
  }
  if (a instanceof MapValue) {
    if (!(b instanceof MapValue) || a.size !== b.size) return false;
    for (const [k, v] of a.entries()) {
      const w = b.get(k);
      if (w === undefined || !equals(v, w)) return false;
    }
    return true;
  }
  if (a instanceof OptionalValue) {
    if (!(b instanceof OptionalValue)) return false;
    if (!a.hasValue() || !b.hasValue()) return !a.hasValue() && !b.hasValue();
    return equals(a.value, b.value);
  }
  if (a instanceof TypeValue) return b instanceof TypeValue && a.name === b.name;
  if (a instanceof OpaqueValue) return b instanceof OpaqueValue && a.typeName === b.typeName && a.equals(b);
  if (a instanceof ObjectValue) {
    if (!(b instanceof ObjectValue) || a.typeName !== b.typeName || a.fields.size !== b.fields.size) return false;
    for (const [k, v] of a.fields) {
      const w = b.fields.get(k);
      if (w === undefined || !equals(v, w)) return false;
    }
    return true;
  }
  if (isReflectMessage(a) && isReflectMessage(b)) {
    if (a.desc.typeName !== b.desc.typeName) return false;
    return JSON.stringify(a.message, bigintReplacer) === JSON.stringify(b.message, bigintReplacer);
  }
  return false;
}

const bigintReplacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

export interface FromJSONOptions {
  /** Marks lists as coming from an unstructured Kubernetes object (admission `object`, `params`, ...). */
  unstructured?: boolean;
  /**
   * How JSON numbers become CEL values: `kubernetes` = integral numbers that fit int64 are int, the rest double
   * (unstructured objects, claims before 1.34); `double` = every number is a double (claims in 1.34).
   */
  numbers?: 'kubernetes' | 'double';
}

/** Converts a decoded JSON/YAML document (bigint allowed for exact integers) into CEL values. */
export function fromJSON(v: unknown, options: FromJSONOptions = {}): Value {
  const numbers = options.numbers ?? 'kubernetes';
  const conv = (x: unknown): Value => {
    if (x === null || x === undefined) return null;
    switch (typeof x) {
      case 'boolean':
      case 'string':
        return x;
      case 'bigint':
        return numbers === 'double' ? Number(x) : x;
      case 'number':
        if (numbers === 'kubernetes' && Number.isInteger(x) && Number.isSafeInteger(x)) return BigInt(x);
        return x;
      case 'object':
        if (Array.isArray(x)) {
          const list = Object.freeze(x.map(conv));
          if (options.unstructured) unstructuredLists.add(list);
          return list;
        }
        if (x instanceof Map) return new MapValue([...x.entries()].map(([k, val]) => [conv(k), conv(val)] as const));
        return new MapValue(Object.entries(x as Record<string, unknown>).map(([k, val]) => [k, conv(val)] as const));
      default:
        return fail(`unsupported input value of type ${typeof x}`);
    }
  };
  return conv(v);
}

/**
 * Converts a CEL value to JSON for output: int/uint/double as numbers (strings beyond 2^53), bytes as base64,
 * optionals as `{"optional": value-or-null}`, opaque values by their own rendering.
 */
const ownProperty = (o: Record<string, unknown>, key: string, value: unknown): void =>
  void Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });

export function toJSON(v: Value): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return btoa(String.fromCharCode(...v));
  if (isCelUint(v)) return toJSON(v.value);
  if (Array.isArray(v)) return v.map(toJSON);
  if (v instanceof MapValue) {
    const o: Record<string, unknown> = {};
    // defineProperty, not assignment: a "__proto__" key is data, not the object's prototype.
    for (const [k, val] of v.entries()) ownProperty(o, String(isCelUint(k) ? k.value : k), toJSON(val));
    return o;
  }
  if (v instanceof OptionalValue) return { optional: v.hasValue() ? toJSON(v.value) : null };
  if (v instanceof TypeValue) return v.name;
  if (v instanceof OpaqueValue) return v.toJSON();
  if (v instanceof ObjectValue) {
    const o: Record<string, unknown> = {};
    for (const [k, val] of v.fields) ownProperty(o, k, toJSON(val));
    return o;
  }
  if (isTimestamp(v) || isDuration(v)) return timeToJSON(v);
  return String(v);
}

function timeToJSON(v: ReflectMessage): string {
  const m = v.message as unknown as { seconds: bigint; nanos: number };
  if (isDuration(v)) {
    const total = m.seconds * 1_000_000_000n + BigInt(m.nanos);
    const sign = total < 0n ? '-' : '';
    const abs = total < 0n ? -total : total;
    const s = abs / 1_000_000_000n;
    const ns = abs % 1_000_000_000n;
    return `${sign}${s}${ns ? '.' + ns.toString().padStart(9, '0').replace(/0+$/, '') : ''}s`;
  }
  const ms = Number(m.seconds) * 1000;
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, '');
  return `${iso}${m.nanos ? '.' + String(m.nanos).padStart(9, '0').replace(/0+$/, '') : ''}Z`;
}

/**
 * Lists built natively by a Go function (`split`, `findAll`): cel-go holds a Go `[]string`, which Kubernetes'
 * authentication mappings reject as "not a list of strings" (kube-apiserver oidc.go accepts only `[]ref.Val`).
 */
export const nativeStringLists = new WeakSet<readonly Value[]>();

/** Lists that came from an unstructured Kubernetes object: their out-of-range error reads `index out of bounds`. */
export const unstructuredLists = new WeakSet<readonly Value[]>();

/**
 * The `variables` object of admission expressions: each composited variable is evaluated on first use, with
 * its cost charged once, and an error is reported as Kubernetes reports it.
 */
export class LazyVariables {
  private readonly cache = new Map<string, { value: Value } | { error: EvalError }>();
  constructor(private readonly evaluators: ReadonlyMap<string, (state: unknown) => Value>) {}
  has(name: string): boolean {
    return this.evaluators.has(name);
  }
  get(name: string, interpreter: { state: unknown }): Value {
    let r = this.cache.get(name);
    if (!r) {
      const evaluate = this.evaluators.get(name);
      if (!evaluate) throw new EvalError(`no such key: ${name}`);
      try {
        r = { value: evaluate(interpreter.state) };
      } catch (e) {
        if (!(e instanceof EvalError)) throw e;
        r = { error: new EvalError(`composited variable "${name}" fails to evaluate: ${e.message}`) };
      }
      this.cache.set(name, r);
    }
    if ('error' in r) throw r.error;
    return r.value;
  }
}
