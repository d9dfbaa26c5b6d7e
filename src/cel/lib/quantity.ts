// Kubernetes' quantity library (1.28+, library/quantity.go) over an exact rational value, with apimachinery's
// resource.ParseQuantity grammar: a signed decimal number and one suffix (Ki..Ei, n u m "" k M G T P E, or an
// exponent e<n>/E<n>).

import { func, method, type Library } from '../decls.ts';
import { OpaqueValue, fail, type Value } from '../values.ts';

const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b) [a, b] = [b, a % b];
  return a;
}

export class QuantityValue extends OpaqueValue {
  readonly typeName = 'kubernetes.Quantity';
  readonly num: bigint;
  readonly den: bigint;
  constructor(
    num: bigint,
    den: bigint,
    readonly text?: string,
    readonly int64Representable = true,
  ) {
    super();
    const g = gcd(num, den) || 1n;
    this.num = num / g;
    this.den = den / g;
  }
  compare(o: QuantityValue): number {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  equals(o: OpaqueValue): boolean {
    return o instanceof QuantityValue && this.compare(o) === 0;
  }
  toJSON(): string {
    if (this.text !== undefined) return this.text;
    if (this.den === 1n) return this.num.toString();
    return String(Number(this.num) / Number(this.den));
  }
}

// apimachinery's ErrFormatWrong, which kube-apiserver reports for any malformed quantity.
const FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Parses a quantity; returns an error text when the string is not one. */
export function parseQuantity(s: string): QuantityValue | string {
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(s);
  // apimachinery accepts an empty number ("Mi", "k", "." are zero quantities); only "" and junk are rejected.
  if (!s || !m) return "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  const [, sign, whole, frac = '', suffix = ''] = m;
  let num = BigInt((whole || '0') + frac);
  let den = 10n ** BigInt(frac.length);
  if (sign === '-') num = -num;
  if (suffix in BINARY) num *= BINARY[suffix]!;
  else if (suffix in DECIMAL) {
    const e = DECIMAL[suffix]!;
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
  } else {
    const e = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
    if (!e) return FORMAT_WRONG;
    const x = Number(e[1]);
    if (Math.abs(x) > 1000) return FORMAT_WRONG;
    if (x >= 0) num *= 10n ** BigInt(x);
    else den *= 10n ** BigInt(-x);
  }
  // A fraction with a binary suffix is held as inf.Dec by apimachinery, whose AsInt64 then fails.
  return new QuantityValue(num, den, s, !(suffix in BINARY && frac !== ''));
}

function quantity(s: string): QuantityValue {
  const q = parseQuantity(s);
  return typeof q === 'string' ? fail(q) : q;
}

const q = (v: Value) => v as QuantityValue;
const asQ = (v: Value) => (typeof v === 'bigint' ? new QuantityValue(v, 1n) : q(v));
const isInt64 = (x: QuantityValue) => x.int64Representable && x.den === 1n && x.num <= INT64_MAX && x.num >= INT64_MIN;

export const quantityLibrary: Library = {
  name: 'kubernetes quantity',
  introduced: 28,
  overloads: [
    func('quantity', ['string'], 'kubernetes.Quantity', ([s]) => quantity(s as string)),
    func('isQuantity', ['string'], 'bool', ([s]) => typeof parseQuantity(s as string) !== 'string'),
    // sign is a global function in Kubernetes (`sign(q)`), not a method.
    func('sign', ['kubernetes.Quantity'], 'int', ([a]) => BigInt(q(a!).num > 0n ? 1 : q(a!).num < 0n ? -1 : 0)),
    method('kubernetes.Quantity', 'isInteger', [], 'bool', ([a]) => isInt64(q(a!))),
    method('kubernetes.Quantity', 'asInteger', [], 'int', ([a]) =>
      isInt64(q(a!)) ? q(a!).num : fail('cannot convert value to integer'),
    ),
    method('kubernetes.Quantity', 'asApproximateFloat', [], 'double', ([a]) => Number(q(a!).num) / Number(q(a!).den)),
    ...['kubernetes.Quantity', 'int'].flatMap((t) => [
      method('kubernetes.Quantity', 'add', [t], 'kubernetes.Quantity', ([a, b]) => {
        const [x, y] = [q(a!), asQ(b!)];
        const repr = x.int64Representable && y.int64Representable;
        return new QuantityValue(x.num * y.den + y.num * x.den, x.den * y.den, undefined, repr);
      }),
      method('kubernetes.Quantity', 'sub', [t], 'kubernetes.Quantity', ([a, b]) => {
        const [x, y] = [q(a!), asQ(b!)];
        const repr = x.int64Representable && y.int64Representable;
        return new QuantityValue(x.num * y.den - y.num * x.den, x.den * y.den, undefined, repr);
      }),
    ]),
    method(
      'kubernetes.Quantity',
      'isGreaterThan',
      ['kubernetes.Quantity'],
      'bool',
      ([a, b]) => q(a!).compare(q(b!)) > 0,
    ),
    method('kubernetes.Quantity', 'isLessThan', ['kubernetes.Quantity'], 'bool', ([a, b]) => q(a!).compare(q(b!)) < 0),
    method('kubernetes.Quantity', 'compareTo', ['kubernetes.Quantity'], 'int', ([a, b]) =>
      BigInt(q(a!).compare(q(b!))),
    ),
  ],
};
