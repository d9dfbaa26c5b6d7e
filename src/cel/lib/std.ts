// The CEL standard library (cel-spec langdef "Functions"), with cel-go's error texts. Arithmetic, comparison and
// string predicates are ours (exact int64/uint64 checks and cel-go wording); conversions, timestamps and
// durations are @bufbuild/cel's (Go-faithful parsing and formatting), called through bufbuild.ts.

import { RE2JS } from 're2js';
import { callStd } from '../bufbuild.ts';
import { both, func, method, stringCost, type Library, type Overload } from '../decls.ts';
import {
  EvalError,
  MapValue,
  TypeValue,
  celUint,
  equals,
  fail,
  isCelUint,
  isDuration,
  isTimestamp,
  typeName,
  type CelUint,
  type Value,
} from '../values.ts';

const INT_MIN = -(1n << 63n);
const INT_MAX = (1n << 63n) - 1n;
const UINT_MAX = (1n << 64n) - 1n;

const int = (v: bigint): bigint => (v < INT_MIN || v > INT_MAX ? fail('integer overflow') : v);
const uint = (v: bigint): CelUint => (v < 0n || v > UINT_MAX ? fail('unsigned integer overflow') : celUint(v));
const u = (v: Value): bigint => (v as CelUint).value;
const std =
  (fn: string, member = false) =>
  (args: Value[]) =>
    callStd(fn, member, args);

/** A conversion from string with cel-go's failure text (`type conversion error from 'string' to 'int'`). */
const fromString = (to: string) => (args: Value[]) => {
  try {
    return callStd(to, false, args);
  } catch (e) {
    if (e instanceof EvalError && !/overflow|range/.test(e.message)) {
      throw new EvalError(`type conversion error from 'string' to '${to}'`);
    }
    throw e;
  }
};

/** Go's strconv.FormatFloat(f, 'g', -1, 64), which cel-go's string(double) uses: 1e6 → "1e+06". */
export function formatDouble(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, expText] = f.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const sign = mant.startsWith('-') ? '-' : '';
  const digits = mant.replace('-', '').replace('.', '');
  // Shortest formatting uses the exponent form when the exponent is < -4 or >= 6 (Go's eprec for 'g', -1).
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

const regexCache = new Map<string, RE2JS>();
/** Compiles an RE2 pattern (cached); a bad pattern is a runtime error as in cel-go. */
export function compileRegex(pattern: string, errorPrefix = ''): RE2JS {
  let re = regexCache.get(pattern);
  if (!re) {
    try {
      re = RE2JS.compile(pattern);
    } catch (e) {
      // re2js words errors as Go's regexp does ("error parsing regexp: ..."); Kubernetes may add a prefix.
      const message = (e as Error).message;
      throw new EvalError(errorPrefix ? `${errorPrefix}: ${message}` : message);
    }
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

function compare(a: Value, b: Value): number {
  const num = (v: Value): number | bigint | undefined =>
    typeof v === 'bigint' || typeof v === 'number' ? v : isCelUint(v) ? v.value : undefined;
  const na = num(a);
  const nb = num(b);
  if (na !== undefined && nb !== undefined) {
    if (typeof na === 'number' && Number.isNaN(na)) return NaN;
    if (typeof nb === 'number' && Number.isNaN(nb)) return NaN;
    if (typeof na === 'bigint' && typeof nb === 'bigint') return na < nb ? -1 : na > nb ? 1 : 0;
    if (typeof na === 'number' && typeof nb === 'number') return na < nb ? -1 : na > nb ? 1 : 0;
    // int/uint against double: cel-go converts the integer to a double (lossy above 2^53), then compares.
    const [x, y] = [Number(na), Number(nb)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    const ca = [...a].map((c) => c.codePointAt(0)!);
    const cb = [...b].map((c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i]! < cb[i]! ? -1 : 1;
    return ca.length - cb.length === 0 ? 0 : ca.length < cb.length ? -1 : 1;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
  return fail('no such overload');
}
export { compare };

function relation(op: string, test: (c: number) => boolean): Overload[] {
  const pairs = [
    ['int', 'int'],
    ['uint', 'uint'],
    ['double', 'double'],
    ['string', 'string'],
    ['bytes', 'bytes'],
    ['bool', 'bool'],
    ['int', 'uint'],
    ['int', 'double'],
    ['uint', 'int'],
    ['uint', 'double'],
    ['double', 'int'],
    ['double', 'uint'],
  ];
  const out = pairs.map(([a, b]) => func(op, [a!, b!], 'bool', ([x, y]) => test(compare(x!, y!))));
  out.push(func(op, ['timestamp', 'timestamp'], 'bool', std(op)));
  out.push(func(op, ['duration', 'duration'], 'bool', std(op)));
  return out;
}

function sizeOf(v: Value): bigint {
  if (typeof v === 'string') return BigInt([...v].length);
  if (v instanceof Uint8Array) return BigInt(v.length);
  if (Array.isArray(v)) return BigInt(v.length);
  if (v instanceof MapValue) return BigInt(v.size);
  return fail('no such overload');
}

function addTimes(args: Value[]): Value {
  return callStd('_+_', false, args);
}

export const standardLibrary: Library = {
  name: 'standard',
  introduced: 0,
  macros: ['has', 'all', 'exists', 'exists_one', 'map', 'filter'],
  overloads: [
    // Evaluated specially by the interpreter (lazily, or with cel-go's error texts); declared for the checker.
    func('_?_:_', ['bool', 'A', 'A'], 'A', ([c, a, b]) => (c ? a! : b!)),
    func('_[_]', ['list(A)', 'int'], 'A', () => fail('no such overload')),
    func('_[_]', ['map(K, V)', 'K'], 'V', () => fail('no such overload')),
    func('!_', ['bool'], 'bool', ([a]) => !a),
    func('-_', ['int'], 'int', ([a]) => int(-(a as bigint))),
    func('-_', ['double'], 'double', ([a]) => -(a as number)),
    func('_==_', ['A', 'A'], 'bool', ([a, b]) => equals(a!, b!)),
    func('_!=_', ['A', 'A'], 'bool', ([a, b]) => !equals(a!, b!)),
    // Type values compare whatever their parameters (type(list(int)) == type(list(string)) is true at runtime).
    func('_==_', ['type(A)', 'type(B)'], 'bool', ([a, b]) => equals(a!, b!)),
    func('_!=_', ['type(A)', 'type(B)'], 'bool', ([a, b]) => !equals(a!, b!)),
    ...relation('_<_', (c) => c < 0),
    ...relation('_<=_', (c) => c <= 0),
    ...relation('_>_', (c) => c > 0),
    ...relation('_>=_', (c) => c >= 0),
    func('_+_', ['int', 'int'], 'int', ([a, b]) => int((a as bigint) + (b as bigint))),
    func('_+_', ['uint', 'uint'], 'uint', ([a, b]) => uint(u(a!) + u(b!))),
    func('_+_', ['double', 'double'], 'double', ([a, b]) => (a as number) + (b as number)),
    func(
      '_+_',
      ['string', 'string'],
      'string',
      ([a, b]) => (a as string) + (b as string),
      ([a, b]) => stringCost((a as string) + (b as string)),
    ),
    func('_+_', ['bytes', 'bytes'], 'bytes', ([a, b]) => {
      const x = a as Uint8Array;
      const y = b as Uint8Array;
      const r = new Uint8Array(x.length + y.length);
      r.set(x);
      r.set(y, x.length);
      return r;
    }),
    func(
      '_+_',
      ['list(A)', 'list(A)'],
      'list(A)',
      // cel-go returns the other operand when one side is empty, so a native list stays native.
      ([a, b]) =>
        (b as Value[]).length === 0
          ? a!
          : (a as Value[]).length === 0
            ? b!
            : Object.freeze([...(a as Value[]), ...(b as Value[])]),
      ([a, b]) => Math.ceil(((a as Value[]).length + (b as Value[]).length) * 0.1),
    ),
    func('_+_', ['timestamp', 'duration'], 'timestamp', addTimes),
    func('_+_', ['duration', 'timestamp'], 'timestamp', addTimes),
    func('_+_', ['duration', 'duration'], 'duration', addTimes),
    func('_-_', ['int', 'int'], 'int', ([a, b]) => int((a as bigint) - (b as bigint))),
    func('_-_', ['uint', 'uint'], 'uint', ([a, b]) => uint(u(a!) - u(b!))),
    func('_-_', ['double', 'double'], 'double', ([a, b]) => (a as number) - (b as number)),
    func('_-_', ['timestamp', 'timestamp'], 'duration', std('_-_')),
    func('_-_', ['timestamp', 'duration'], 'timestamp', std('_-_')),
    func('_-_', ['duration', 'duration'], 'duration', std('_-_')),
    func('_*_', ['int', 'int'], 'int', ([a, b]) => int((a as bigint) * (b as bigint))),
    func('_*_', ['uint', 'uint'], 'uint', ([a, b]) => uint(u(a!) * u(b!))),
    func('_*_', ['double', 'double'], 'double', ([a, b]) => (a as number) * (b as number)),
    func('_/_', ['int', 'int'], 'int', ([a, b]) =>
      b === 0n ? fail('division by zero') : int((a as bigint) / (b as bigint)),
    ),
    func('_/_', ['uint', 'uint'], 'uint', ([a, b]) => (u(b!) === 0n ? fail('division by zero') : uint(u(a!) / u(b!)))),
    func('_/_', ['double', 'double'], 'double', ([a, b]) => (a as number) / (b as number)),
    func('_%_', ['int', 'int'], 'int', ([a, b]) =>
      b === 0n ? fail('modulus by zero') : (a as bigint) % (b as bigint),
    ),
    func('_%_', ['uint', 'uint'], 'uint', ([a, b]) => (u(b!) === 0n ? fail('modulus by zero') : uint(u(a!) % u(b!)))),
    func(
      '@in',
      ['A', 'list(A)'],
      'bool',
      ([a, l]) => (l as Value[]).some((x) => equals(x, a!)),
      ([, l]) => (Array.isArray(l) ? l.length : 1),
    ),
    func('@in', ['A', 'map(A, B)'], 'bool', ([a, m]) => (m as MapValue).has(a!)),
    ...both('string', 'size', [], 'int', ([a]) => sizeOf(a!)),
    ...both('bytes', 'size', [], 'int', ([a]) => sizeOf(a!)),
    ...both('list(A)', 'size', [], 'int', ([a]) => sizeOf(a!)),
    ...both('map(A, B)', 'size', [], 'int', ([a]) => sizeOf(a!)),
    method(
      'string',
      'contains',
      ['string'],
      'bool',
      ([a, b]) => (a as string).includes(b as string),
      ([a, b]) => stringCost(a as string) * stringCost(b as string) || 1,
    ),
    method(
      'string',
      'startsWith',
      ['string'],
      'bool',
      ([a, b]) => (a as string).startsWith(b as string),
      ([, b]) => stringCost(b as string) || 1,
    ),
    method(
      'string',
      'endsWith',
      ['string'],
      'bool',
      ([a, b]) => (a as string).endsWith(b as string),
      ([, b]) => stringCost(b as string) || 1,
    ),
    ...both(
      'string',
      'matches',
      ['string'],
      'bool',
      ([a, b]) =>
        compileRegex(b as string)
          .matcher(a as string)
          .find(),
      ([a, b]) => (stringCost(a as string) || 1) * Math.ceil([...(b as string)].length * 0.25),
    ),
    func('type', ['A'], 'type(A)', ([a]) => new TypeValue(typeName(a!))),
    func('dyn', ['A'], 'dyn', ([a]) => a!),
    ...['int', 'uint', 'double'].map((from) => func('int', [from], 'int', from === 'int' ? ([a]) => a! : std('int'))),
    func('int', ['string'], 'int', fromString('int')),
    func('int', ['timestamp'], 'int', std('int')),
    ...['int', 'uint', 'double'].map((from) =>
      func('uint', [from], 'uint', from === 'uint' ? ([a]) => a! : std('uint')),
    ),
    func('uint', ['string'], 'uint', fromString('uint')),
    ...['int', 'uint', 'double'].map((from) =>
      func('double', [from], 'double', from === 'double' ? ([a]) => a! : std('double')),
    ),
    func('double', ['string'], 'double', (args) => {
      // Go's ParseFloat also reads infinities and NaN by name.
      const m = /^([+-]?)(inf|infinity|nan)$/i.exec(args[0] as string);
      if (m) return m[2]!.toLowerCase() === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
      return fromString('double')(args);
    }),
    func('string', ['double'], 'string', ([a]) => formatDouble(a as number)),
    // Go's RFC 3339 with nanoseconds drops trailing zeros of the fraction (".5Z", not ".500Z").
    func('string', ['timestamp'], 'string', (args) =>
      (callStd('string', false, args) as string).replace(/\.(\d*?)0+Z$/, (_m, d: string) => (d ? `.${d}Z` : 'Z')),
    ),
    ...['int', 'uint', 'bool', 'string', 'bytes', 'duration'].map((from) =>
      func('string', [from], 'string', from === 'string' ? ([a]) => a! : std('string')),
    ),
    func('bytes', ['string'], 'bytes', ([a]) => new TextEncoder().encode(a as string)),
    func('bytes', ['bytes'], 'bytes', ([a]) => a!),
    func('bool', ['bool'], 'bool', ([a]) => a!),
    func('bool', ['string'], 'bool', ([s]) => {
      // Go's strconv.ParseBool.
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s as string)) return true;
      if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s as string)) return false;
      return fail("type conversion error from 'string' to 'bool'");
    }),
    func('timestamp', ['string'], 'timestamp', std('timestamp')),
    func('timestamp', ['int'], 'timestamp', std('timestamp')),
    func('timestamp', ['timestamp'], 'timestamp', ([a]) => a!),
    func('duration', ['string'], 'duration', std('duration')),
    func('duration', ['duration'], 'duration', ([a]) => a!),
    ...[
      'getFullYear',
      'getMonth',
      'getDate',
      'getDayOfMonth',
      'getDayOfWeek',
      'getDayOfYear',
      'getHours',
      'getMinutes',
      'getSeconds',
      'getMilliseconds',
    ].flatMap((fn) => [
      method('timestamp', fn, [], 'int', std(fn, true)),
      method('timestamp', fn, ['string'], 'int', std(fn, true)),
    ]),
    ...['getHours', 'getMinutes', 'getSeconds', 'getMilliseconds'].map((fn) =>
      method('duration', fn, [], 'int', std(fn, true)),
    ),
  ],
};

export { isDuration, isTimestamp };
