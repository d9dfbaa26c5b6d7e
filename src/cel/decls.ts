// Function declarations: each overload carries its checker signature, its implementation and its runtime cost,
// and belongs to a library that Kubernetes introduced in a given minor version.

import { T, type CelType, type ObjectTypeDecl } from './types.ts';
import type { Value } from './values.ts';

/** What a function implementation may need besides its arguments. */
export interface CallContext {
  /** The authorizer supplied by the caller (authz library). */
  authorizer?: unknown;
}

export interface Overload {
  fn: string;
  member: boolean;
  /** Parameter types, the receiver first for member functions. */
  params: CelType[];
  result: CelType;
  impl: (args: Value[], ctx: CallContext) => Value;
  /** Runtime cost of the call as cel-go/Kubernetes count it; 1 when absent. */
  cost?: (args: Value[]) => number;
}

export interface Library {
  /** Name as in the README's table. */
  name: string;
  /** Kubernetes minor version whose base environment introduced it (base.go IntroducedVersion). */
  introduced: number;
  overloads: Overload[];
  /** Macros this library adds (`all/2var`, `optMap`, ...). */
  macros?: string[];
  /** Object types this library declares. */
  types?: ObjectTypeDecl[];
}

/** Parses a type written as in cel-go's issue texts: `list(A)`, `map(string, dyn)`, `net.IP`, ... */
export function parseType(src: string): CelType {
  let i = 0;
  const s = src.replace(/\s+/g, '');
  const read = (): CelType => {
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(s.slice(i));
    if (!m) throw new Error(`bad type ${src}`);
    const name = m[0];
    i += name.length;
    const params: CelType[] = [];
    if (s[i] === '(') {
      i++;
      for (;;) {
        params.push(read());
        if (s[i] === ',') i++;
        else break;
      }
      if (s[i++] !== ')') throw new Error(`bad type ${src}`);
    }
    switch (name) {
      case 'bool':
      case 'int':
      case 'uint':
      case 'double':
      case 'string':
      case 'bytes':
      case 'timestamp':
      case 'duration':
        return T[name];
      case 'null_type':
        return T.null;
      case 'dyn':
        return T.dyn;
      case 'any':
        return T.any;
      case 'list':
        return T.list(params[0]!);
      case 'map':
        return T.map(params[0]!, params[1]!);
      case 'type':
        return T.type(params[0]!);
      default:
        if (/^[A-Z]$/.test(name)) return T.param(name);
        return T.opaque(name, ...params);
    }
  };
  const t = read();
  if (i !== s.length) throw new Error(`bad type ${src}`);
  return t;
}

type Impl = Overload['impl'];
type Cost = Overload['cost'];

/** A receiver-style overload: `recv.fn(params) -> result`. */
export function method(recv: string, fn: string, params: string[], result: string, impl: Impl, cost?: Cost): Overload {
  const o: Overload = { fn, member: true, params: [recv, ...params].map(parseType), result: parseType(result), impl };
  if (cost) o.cost = cost;
  return o;
}

/** A global overload: `fn(params) -> result`. */
export function func(fn: string, params: string[], result: string, impl: Impl, cost?: Cost): Overload {
  const o: Overload = { fn, member: false, params: params.map(parseType), result: parseType(result), impl };
  if (cost) o.cost = cost;
  return o;
}

/** The member and global forms at once (`size(x)` and `x.size()`). */
export function both(recv: string, fn: string, params: string[], result: string, impl: Impl, cost?: Cost): Overload[] {
  return [method(recv, fn, params, result, impl, cost), func(fn, [recv, ...params], result, impl, cost)];
}

/** cel-go's string traversal cost factor: ceil(size * 0.1). */
export const stringCost = (s: string | Uint8Array): number =>
  Math.ceil((typeof s === 'string' ? [...s].length : s.length) * 0.1);
